# SPDX-License-Identifier: GPL-2.0
# agent/ctl: bencode and the rtpengine "ng" control protocol.
LIBS += ctl
ctl_SRCS := agent/ctl/bencode.c agent/ctl/ng.c agent/ctl/ng_cache.c \
	    agent/ctl/ng_addr.c agent/ctl/ng_client.c agent/ctl/bn_json.c

TESTS += ctl_test
ctl_test_SRCS := agent/ctl/tests/ctl_test.c
ctl_test_LIBS := ctl
ctl_test_CFLAGS := -I$(KSFT_DIR) -Wno-sign-compare

FUZZERS += fuzz_bencode fuzz_ng fuzz_json
fuzz_bencode_SRCS := agent/ctl/fuzz/fuzz_bencode.c
fuzz_bencode_LIBS := ctl
fuzz_ng_SRCS := agent/ctl/fuzz/fuzz_ng.c
fuzz_ng_LIBS := ctl
fuzz_json_SRCS := agent/ctl/fuzz/fuzz_json.c
fuzz_json_LIBS := ctl
