# SPDX-License-Identifier: GPL-2.0
# agent/kiced: the daemon.  Everything but main.c is a library so that the
# unit tests link the same code.
LIBS += kicedcore
kicedcore_SRCS := agent/kiced/log.c agent/kiced/config.c agent/kiced/loop.c \
	      agent/kiced/relay_user.c agent/kiced/media.c \
	      agent/kiced/session.c agent/kiced/commands.c \
	      agent/kiced/rtcp_mux.c \
	      agent/kiced/control.c agent/kiced/media_ice.c \
	      agent/kiced/kernel.c agent/kiced/handover.c \
	      agent/kiced/consent.c agent/kiced/turn_keep.c \
	      agent/kiced/limits.c agent/kiced/metrics.c

PROGS += kiced
kiced_SRCS := agent/kiced/main.c agent/kiced/metrics_http.c \
	      agent/kiced/service.c
kiced_LIBS := kicedcore knl ice ctl sdp turn stun
kiced_LDLIBS := $(shell pkg-config --libs libmicrohttpd libsystemd)

TESTS += kiced_test relay_test handover_test rtcp_mux_test
kiced_test_SRCS := agent/kiced/tests/kiced_test.c
kiced_test_LIBS := kicedcore knl ice ctl sdp turn stun
kiced_test_CFLAGS := -I$(KSFT_DIR) -Wno-sign-compare
handover_test_SRCS := agent/kiced/tests/handover_test.c
handover_test_LIBS := kicedcore knl ice ctl sdp turn stun
handover_test_CFLAGS := -I$(KSFT_DIR) -Wno-sign-compare
rtcp_mux_test_SRCS := agent/kiced/tests/rtcp_mux_test.c
rtcp_mux_test_LIBS := kicedcore knl ice ctl sdp turn stun
rtcp_mux_test_CFLAGS := -I$(KSFT_DIR) -Wno-sign-compare
relay_test_SRCS := agent/kiced/tests/relay_test.c
relay_test_LIBS := kicedcore knl ice ctl sdp turn stun
relay_test_CFLAGS := -I$(KSFT_DIR) -Wno-sign-compare

NETTESTS += agent/kiced/tests/ng.sh agent/kiced/tests/nice_interop.sh \
	agent/kiced/tests/chromium_interop.sh agent/kiced/tests/chromium_mdns.sh \
	agent/kiced/tests/webrtcbin_interop.sh agent/kiced/tests/kamailio_interop.sh \
	agent/kiced/tests/kamailio_load.sh agent/kiced/tests/kamailio_nodes.sh

FUZZERS += fuzz_kiced fuzz_kiced_config fuzz_kiced_turn
fuzz_kiced_SRCS := agent/kiced/fuzz/fuzz_kiced.c
fuzz_kiced_LIBS := kicedcore knl ice ctl sdp turn stun
fuzz_kiced_config_SRCS := agent/kiced/fuzz/fuzz_kiced_config.c
fuzz_kiced_config_LIBS := kicedcore knl ice ctl sdp turn stun
fuzz_kiced_turn_SRCS := agent/kiced/fuzz/fuzz_kiced_turn.c
fuzz_kiced_turn_LIBS := kicedcore knl ice ctl sdp turn stun

BENCHES += bench_relay
bench_relay_SRCS := agent/kiced/bench/bench_relay.c
BENCH_CMDS += agent/kiced/bench/relay_bench.sh agent/kiced/bench/ice_first_media.sh \
	agent/kiced/bench/sip_load.sh

# kernel selftest (selftests/kernel/run_all runs build/out/ktests/* in the VM)
KTESTS += kiced_kernel_test
kiced_kernel_test_SRCS := agent/kiced/tests/kiced_kernel_test.c
kiced_kernel_test_LIBS := kicedcore knl ice ctl sdp turn stun
kiced_kernel_test_CFLAGS := -I$(KSFT_DIR) -Wno-sign-compare

# hostile ng input against a live kiced with calls and media (issue 12)
PROGS += hostile_ng
hostile_ng_SRCS := agent/kiced/tests/hostile_ng.c \
	agent/kiced/tests/hostile_gen.c agent/kiced/tests/hostile_media.c
hostile_ng_LIBS := ctl
NETTESTS += agent/kiced/tests/hostile_ng.sh \
	agent/kiced/tests/hostile_ng_release.sh
