# SPDX-License-Identifier: GPL-2.0
# kice ICE agent: candidates, check lists, nomination, consent, gathering.
LIBS += ice
ice_SRCS := agent/ice/ice_addr.c agent/ice/ice_cand.c agent/ice/ice_check.c \
	agent/ice/ice_respond.c agent/ice/ice_gather.c agent/ice/ice_agent.c \
	agent/ice/ice_sdp.c agent/ice/ice_loop.c agent/ice/ice_netif.c \
	agent/ice/ice_session.c agent/ice/ice_relay.c agent/ice/ice_pool.c

TESTS += ice_test
ice_test_SRCS := agent/ice/tests/ice_test.c agent/ice/tests/simnet.c
ice_test_LIBS := ice sdp turn stun
ice_test_CFLAGS := -I$(KSFT_DIR) -Wno-sign-compare

TESTS += ice_sdp_test
ice_sdp_test_SRCS := agent/ice/tests/ice_sdp_test.c agent/ice/tests/simnet.c
ice_sdp_test_LIBS := ice sdp turn stun
ice_sdp_test_CFLAGS := -I$(KSFT_DIR) -Wno-sign-compare

# test peer for the network-namespace tests (and the benchmark)
PROGS += icepeer
icepeer_SRCS := agent/ice/tests/icepeer.c
icepeer_LIBS := ice sdp turn stun
NETTESTS += agent/ice/tests/ice_netns.sh

# the same peer on libnice, for interop tests and the benchmark
PROGS += nicepeer
nicepeer_SRCS := agent/ice/tests/nicepeer.c
nicepeer_LIBS := sdp
nicepeer_CFLAGS := $(shell pkg-config --cflags nice 2>/dev/null)
nicepeer_LDLIBS := $(shell pkg-config --libs nice 2>/dev/null)

BENCHES += bench_ice_sessions
bench_ice_sessions_SRCS := agent/ice/bench/bench_ice_sessions.c
bench_ice_sessions_LIBS := ice sdp turn stun
BENCH_CMDS += $(O)/bench/bench_ice_sessions
BENCH_CMDS += agent/ice/bench/ice_connect.sh

TESTS += netif_test
netif_test_SRCS := agent/ice/tests/netif_test.c
netif_test_LIBS := ice sdp turn stun
netif_test_CFLAGS := -I$(KSFT_DIR) -Wno-sign-compare

FUZZERS += fuzz_ice
fuzz_ice_SRCS := agent/ice/fuzz/fuzz_ice.c
fuzz_ice_LIBS := ice sdp turn stun

TESTS += loop_test
loop_test_SRCS := agent/ice/tests/loop_test.c
loop_test_LIBS := ice
loop_test_CFLAGS := -I$(KSFT_DIR) -Wno-sign-compare

TESTS += session_turn_test
session_turn_test_SRCS := agent/ice/tests/session_turn_test.c
session_turn_test_LIBS := ice sdp turn stun
session_turn_test_CFLAGS := -I$(KSFT_DIR) -Wno-sign-compare
