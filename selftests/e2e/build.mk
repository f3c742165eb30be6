# SPDX-License-Identifier: GPL-2.0
# End-to-end tests and `make demo` (selftests/e2e/run_all, selftests/demo):
# the plain RTP application they put behind kiced.
PROGS += kice-rtpapp
kice-rtpapp_SRCS := selftests/e2e/rtpapp.c
