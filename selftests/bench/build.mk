# Relay benchmark (issue 6): generator and userspace relay, run in the VM
# by selftests/bench/relay.sh (see selftests/bench/README).
BENCHES += rtp_gen udp_relay
rtp_gen_SRCS := selftests/bench/rtp_gen.c selftests/bench/benchutil.c
udp_relay_SRCS := selftests/bench/udp_relay.c selftests/bench/benchutil.c
BENCH_CMDS += selftests/bench/relay.sh
# kice_flows installs kice.ko flows; it needs the generated uapi header.
ifneq ($(wildcard include/uapi/linux/kice.h),)
BENCHES += kice_flows
kice_flows_SRCS := selftests/bench/kice_flows.c selftests/bench/benchutil.c
kice_flows_LIBS := knl
endif
