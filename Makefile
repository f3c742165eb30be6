# SPDX-License-Identifier: GPL-2.0
#
# kice: kernel-accelerated ICE for Linux.
#
#   make            agent (kiced, kicectl, libraries) and kice.ko
#   make check      install deps, build, run every test suite (README)
#   make demo       install deps, run the demo (README)
#   make bench      install deps, run the benchmarks
#
# Userspace is built non-recursively: every agent/*/build.mk fragment adds
# to LIBS, PROGS, TESTS, FUZZERS, BENCHES and NETTESTS (see
# Documentation/dev-build.rst).  The module is built by kbuild against KDIR,
# else the running kernel's build directory, else every installed kernel's.

TOP := $(CURDIR)
SHELL := /bin/bash
.DEFAULT_GOAL := all

# Tools from the linux-source-6.12 package (unpacked by .ci/deps).
LINUX_SRC ?= /usr/src/linux-source-6.12
KSFT_DIR ?= $(LINUX_SRC)/tools/testing/selftests
CHECKPATCH ?= $(LINUX_SRC)/scripts/checkpatch.pl

# --------------------------------------------------------------------------
# Userspace

ifeq ($(FUZZ),1)
O := build/fuzz
CC := clang
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
FUZZ_LDFLAGS := -fsanitize=fuzzer
else ifeq ($(SAN),1)
O := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=all
else
O := build/out
endif

OPT ?= -O2
PKGS := libmnl libnl-route-3.0 libssl libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) -g -Wall -Wextra -Werror \
	  -Wno-unused-parameter -Iinclude/uapi -Iagent -I$(KSFT_DIR) $(PKG_CFLAGS) \
	  $(SANFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(SANFLAGS) $(EXTRA_LDFLAGS)
LDLIBS := $(PKG_LIBS) -lm -lpthread

LIBS :=
PROGS :=
TESTS :=
FUZZERS :=
BENCHES :=
NETTESTS :=
BENCH_CMDS :=
KTESTS :=
include $(sort $(wildcard agent/*/build.mk selftests/*/build.mk))

lib_a = $(foreach l,$(1),$(O)/lib/libkice-$(l).a)

$(O)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $($(basename $(notdir $<))_CFLAGS) -MMD -MP -c $< -o $@

define lib_rule
$(O)/lib/libkice-$(1).a: $(patsubst %.c,$(O)/obj/%.o,$($(1)_SRCS))
	@mkdir -p $$(dir $$@)
	rm -f $$@ && $(AR) rcs $$@ $$^
endef

# $(1) = output dir, $(2) = name, $(3) = extra link flags
define bin_rule
$(O)/$(1)/$(2): $(patsubst %.c,$(O)/obj/%.o,$($(2)_SRCS)) $(call lib_a,$($(2)_LIBS))
	@mkdir -p $$(dir $$@)
	$(CC) $(LDFLAGS) $(3) -o $$@ $$(filter %.o,$$^) \
		-Wl,--start-group $$(filter %.a,$$^) -Wl,--end-group \
		$($(2)_LDLIBS) $(LDLIBS)
endef

$(foreach l,$(LIBS),$(eval $(call lib_rule,$(l))))
$(foreach p,$(PROGS),$(eval $(call bin_rule,bin,$(p),)))
$(foreach p,$(TESTS),$(eval $(call bin_rule,tests,$(p),)))
$(foreach p,$(BENCHES),$(eval $(call bin_rule,bench,$(p),)))
$(foreach p,$(FUZZERS),$(eval $(call bin_rule,fuzz,$(p),$(FUZZ_LDFLAGS))))
$(foreach p,$(KTESTS),$(eval $(call bin_rule,ktests,$(p),)))

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)

PROG_BINS := $(addprefix $(O)/bin/,$(PROGS))
TEST_BINS := $(addprefix $(O)/tests/,$(TESTS))
BENCH_BINS := $(addprefix $(O)/bench/,$(BENCHES))
FUZZ_BINS := $(addprefix $(O)/fuzz/,$(FUZZERS))
KTEST_BINS := $(addprefix $(O)/ktests/,$(KTESTS))

.PHONY: all agent tests benches fuzzers ktests
all: agent ktests module
ktests: $(KTEST_BINS)
agent: $(PROG_BINS)
tests: $(PROG_BINS) $(TEST_BINS)
benches: $(PROG_BINS) $(BENCH_BINS)
fuzzers: $(FUZZ_BINS)

# --------------------------------------------------------------------------
# Kernel module

ifneq ($(KDIR),)
KBUILDS := $(KDIR)
else ifneq ($(wildcard /lib/modules/$(shell uname -r)/build/Makefile),)
KBUILDS := /lib/modules/$(shell uname -r)/build
else
KBUILDS := $(patsubst %/Makefile,%,$(wildcard /lib/modules/*/build/Makefile))
endif
# shell command printing the kernel release of a build dir: the name of
# /lib/modules/<release>/build (Debian's 6.1 headers say "6.1.192" in
# kernel.release, not the "uname -r" they are for), else kernel.release.
krel_sh = case "$(1)" in /lib/modules/*/build*) r="$(1)"; r=$${r\#/lib/modules/}; \
	echo $${r%%/*};; *) cat $(1)/include/config/kernel.release;; esac

KMOD_SRCS := Kbuild $(shell find kernel include -type f 2>/dev/null)

# build/kmod/<release>/ mirrors the sources as symlinks so that one tree
# can be built for several kernels at once.
.PHONY: module module-%
module:
	@[ -n "$(KBUILDS)" ] || { echo "no kernel build directory: set KDIR" >&2; exit 1; }
	@set -e; for k in $(KBUILDS); do \
		$(MAKE) --no-print-directory kmod KB=$$k; done

.PHONY: kmod
kmod:
	@set -e; rel=$$($(call krel_sh,$(KB))); \
	d=$(TOP)/build/kmod/$$rel; mkdir -p $$d; \
	for f in $(KMOD_SRCS); do mkdir -p $$d/$$(dirname $$f); \
		ln -sfn $(TOP)/$$f $$d/$$f; done; \
	find $$d -xtype l -delete; \
	echo "  KMOD    $$rel"; \
	$(MAKE) -C $(KB) M=$$d $(KFLAGS) modules

# W=1 and sparse (C=2 checks every file) must be silent.
.PHONY: kmod-warnings
kmod-warnings:
	@[ -n "$(KB)" ] || { echo "set KB=<kernel build dir>" >&2; exit 1; }
	@rel=$$($(call krel_sh,$(KB))); \
	rm -rf build/kmod/$$rel; \
	$(MAKE) --no-print-directory kmod KB=$(KB) KFLAGS="W=1 C=2 CHECK=sparse" \
		> build/kmod-w.$$rel.log 2>&1; rc=$$?; \
	sed -i -e '/^make\[/d' build/kmod-w.$$rel.log; \
	if [ $$rc != 0 ] || grep -qE 'warning|error|sparse:' build/kmod-w.$$rel.log; then \
		echo "not ok 1 kbuild W=1 C=2 $$rel"; cat build/kmod-w.$$rel.log; exit 1; \
	else echo "ok 1 kbuild W=1 C=2 $$rel"; fi

# --------------------------------------------------------------------------
# Man pages and Debian packages

# kiced(8), kiced.conf(5) and kicectl(8) are sections of Documentation/
# turned into roff by Documentation/man/mkman (python3-docutils).
MKMAN := Documentation/man/mkman
MAN_PAGES := build/man/kiced.8 build/man/kiced.conf.5 build/man/kicectl.8
.PHONY: man
man: $(MAN_PAGES)
build/man/kiced.8: Documentation/kiced.rst $(MKMAN)
	@mkdir -p $(dir $@)
	$(MKMAN) $< $@ kiced 8 "ICE agent and media relay for SIP proxies" \
		"Description,Synopsis,Calls and media,Restart,Limits,Under systemd,Logging,Metrics" \
		"kiced.conf(5),kicectl(8)"
build/man/kiced.conf.5: Documentation/kiced.rst $(MKMAN)
	@mkdir -p $(dir $@)
	$(MKMAN) $< $@ kiced.conf 5 "configuration file of kiced" \
		"Configuration file" "kiced(8),kicectl(8)"
build/man/kicectl.8: Documentation/kicectl.rst $(MKMAN)
	@mkdir -p $(dir $@)
	$(MKMAN) $< $@ kicectl 8 "kice's command line tool" \
		"Description,Commands,kicectl show,kicectl monitor" \
		"kiced(8),kiced.conf(5)"

# Debian packages in build/deb/ (debian/, dpkg-buildpackage):
# kiced (kiced, kicectl, unit, man pages) and kice-dkms.  The build runs in
# a copy of the tree's files (tracked and new, not ignored ones), so build/
# and editor files never reach the packages.
DEB_VERSION := $(shell dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null)
.PHONY: deb
deb:
	@[ -n "$(DEB_VERSION)" ] || { echo "deb: dpkg-parsechangelog failed" >&2; exit 1; }
	@rm -rf build/deb && mkdir -p build/deb/kice-$(DEB_VERSION)
	@if git -C $(TOP) rev-parse --git-dir >/dev/null 2>&1; then \
		git -C $(TOP) ls-files -z -co --exclude-standard; \
	else find . -path ./build -prune -o -type f -print0; fi | \
		while IFS= read -r -d '' f; do [ -e "$$f" ] && printf '%s\0' "$$f"; done | \
		tar -C $(TOP) --null -T - -cf - | tar -C build/deb/kice-$(DEB_VERSION) -xf -
	@cd build/deb/kice-$(DEB_VERSION) && \
		DEB_BUILD_OPTIONS="parallel=$$(nproc) $${DEB_BUILD_OPTIONS:-}" \
		dpkg-buildpackage --build=binary --no-sign > ../build.log 2>&1 || \
		{ cat ../build.log; exit 1; }
	@ls build/deb/*.deb

# --------------------------------------------------------------------------
# Tests

.PHONY: deps check demo bench checkpatch
deps:
	@$(TOP)/.ci/deps

check: deps
	@$(MAKE) --no-print-directory -s all
	@selftests/run-suites $(CHECK_SUITES)

demo: deps
	@$(MAKE) --no-print-directory -s all
	@selftests/demo

bench: deps
	@$(MAKE) --no-print-directory -s all
	@$(MAKE) --no-print-directory -s benches
	@set -e; for c in $(BENCH_CMDS); do $$c; done

# Each suite is a make target whose output is TAP; selftests/run-suites
# counts the results and prints a summary line per suite.
KRELS_SUPPORTED ?= $(patsubst /lib/modules/%/build/Makefile,%,$(wildcard /lib/modules/*/build/Makefile))
CHECK_SUITES := check-unit check-fuzz check-net check-checkpatch check-deb \
	$(foreach r,$(KRELS_SUPPORTED),check-kbuild@$(r)) \
	check-vm-runner \
	$(foreach r,$(KRELS_SUPPORTED),check-kernel@$(r)) \
	$(foreach r,$(KRELS_SUPPORTED),check-e2e@$(r))

.PHONY: check-unit check-fuzz check-net check-checkpatch check-vm-runner check-deb
check-unit:
	@$(MAKE) --no-print-directory -s SAN=1 tests
	@selftests/run-tests $(addprefix build/san/tests/,$(TESTS))

FUZZ_SECONDS ?= 20
check-fuzz:
	@$(MAKE) --no-print-directory -s FUZZ=1 fuzzers
	@selftests/run-fuzzers $(FUZZ_SECONDS) $(FUZZERS)

# Not in make check: each fuzz target for FUZZ_LONG_SECONDS (0: no limit)
# or FUZZ_LONG_RUNS executions (-1: no limit); new coverage goes into the
# committed corpora (Documentation/testing.rst, selftests/fuzz-long).
FUZZ_LONG_SECONDS ?= 600
FUZZ_LONG_RUNS ?= -1
FUZZ_LONG_TARGETS ?= $(FUZZERS)
.PHONY: fuzz-long
fuzz-long:
	@$(MAKE) --no-print-directory -s FUZZ=1 fuzzers
	@selftests/fuzz-long $(FUZZ_LONG_SECONDS) $(FUZZ_LONG_RUNS) $(FUZZ_LONG_TARGETS)

check-net:
	@$(MAKE) --no-print-directory -s SAN=1 tests
	@selftests/run-tests $(NETTESTS)

check-checkpatch:
	@selftests/checkpatch $(CHECKPATCH)

# make deb, lintian, and the packages installed (DKMS) into an overlay of /
# whose changes (build/pkgroot/upper) the e2e suites boot: e2e/package.sh
check-deb:
	@selftests/package/deb.sh

check-kbuild@%:
	@$(MAKE) --no-print-directory -s kmod-warnings KB=/lib/modules/$*/build

check-vm-runner:
	@selftests/vm/selftest

ifeq ($(NATIVE),1)
check-kernel@%:
	@[ "$$(uname -r)" = "$*" ] || { echo "ok 1 # SKIP native run only for $$(uname -r)"; exit 0; }
	@selftests/kernel/run_all
check-e2e@%:
	@[ "$$(uname -r)" = "$*" ] || { echo "ok 1 # SKIP native run only for $$(uname -r)"; exit 0; }
	@selftests/e2e/run_all
else
# memory debugging on (slub_debug, KFENCE: Documentation/testing.rst);
# KICE_VM_MEMDEBUG=0 turns it off
check-kernel@%:
	@KICE_VM_MEMDEBUG=$${KICE_VM_MEMDEBUG:-1} selftests/vm/run --kernel $* -- selftests/kernel/run_all
check-e2e@%:
	@KICE_VM_MEMDEBUG=$${KICE_VM_MEMDEBUG:-1} selftests/vm/run --kernel $* -- selftests/e2e/run_all
endif

# The memory-debugging kernel (KASAN, lockdep, kmemleak; selftests/vm/debug.config),
# built once into build/debug-kernel/: the kernel selftests and the e2e tests on
# it, kmemleak scanned after each.  Too slow for CHECK_SUITES (see
# Documentation/testing.rst); run it before closing a change to kernel/.
.PHONY: check-debug
check-debug:
	@$(MAKE) --no-print-directory -s agent ktests
	@selftests/vm/debug-kernel -q >/dev/null
	@$(MAKE) --no-print-directory -s kmod KB=$$(selftests/vm/debug-kernel -q)
	@selftests/run-suites check-kernel@debug check-e2e@debug

.PHONY: clean
clean:
	rm -rf build
