# SPDX-License-Identifier: GPL-2.0
LIBS += turn
turn_SRCS := agent/turn/turn_client.c agent/turn/turn_io.c
NETTESTS += agent/turn/tests/coturn.sh

TESTS += turn_test
turn_test_SRCS := agent/turn/tests/turn_test.c
turn_test_LIBS := turn stun
turn_test_CFLAGS := -I$(KSFT_DIR) -Wno-sign-compare -Wno-misleading-indentation

FUZZERS += fuzz_turn
fuzz_turn_SRCS := agent/turn/fuzz/fuzz_turn.c
fuzz_turn_LIBS := turn stun
