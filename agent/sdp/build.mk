# SPDX-License-Identifier: GPL-2.0
# kice SDP library: RFC 8839 ICE attributes.
LIBS += sdp
sdp_SRCS := agent/sdp/sdp_parse.c agent/sdp/sdp_cand.c agent/sdp/sdp_write.c

TESTS += sdp_test
sdp_test_SRCS := agent/sdp/tests/sdp_test.c
sdp_test_LIBS := sdp
sdp_test_CFLAGS := -I$(KSFT_DIR) -Wno-sign-compare

FUZZERS += fuzz_sdp
fuzz_sdp_SRCS := agent/sdp/fuzz/fuzz_sdp.c
fuzz_sdp_LIBS := sdp
