# SPDX-License-Identifier: GPL-2.0
LIBS += stun
stun_SRCS := agent/stun/stun_msg.c agent/stun/stun_build.c \
	agent/stun/stun_crypto.c agent/stun/stun_cred.c \
	agent/stun/stun_crc32.c agent/stun/stun_tx.c agent/stun/stun_util.c

TESTS += stun_test
stun_test_SRCS := agent/stun/tests/stun_test.c
stun_test_LIBS := stun
stun_test_CFLAGS := -I$(KSFT_DIR) -Wno-sign-compare

BENCHES += bench_stun
bench_stun_SRCS := agent/stun/bench/bench_stun.c agent/stun/bench/bench_libnice.c
bench_stun_LIBS := stun
bench_libnice_CFLAGS := $(shell pkg-config --cflags nice 2>/dev/null)
bench_stun_LDLIBS := $(shell pkg-config --libs nice 2>/dev/null)
BENCH_CMDS += $(O)/bench/bench_stun

FUZZERS += fuzz_stun
fuzz_stun_SRCS := agent/stun/fuzz/fuzz_stun.c
fuzz_stun_LIBS := stun
