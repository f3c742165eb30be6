# SPDX-License-Identifier: GPL-2.0
# kice.ko selftest helper: netlink client and UDP/RTP traffic tool used by
# selftests/kernel/*.sh (on PATH there via build/out/bin).
PROGS += kice-ktool
kice-ktool_SRCS := selftests/kernel/ktool.c selftests/kernel/ktool_nl.c \
	selftests/kernel/ktool_turn.c
kice-ktool_LIBS := turn stun knl
NETTESTS += selftests/kernel/ynl_drift

# kice-nlfuzz: fuzzer of the kice family (nlfuzz.sh); its tables are
# generated from the YNL spec at build time.
PROGS += kice-nlfuzz
kice-nlfuzz_SRCS := selftests/kernel/nlfuzz.c selftests/kernel/nlfuzz_spec.c \
	selftests/kernel/nlfuzz_gen.c selftests/kernel/nlfuzz_nl.c \
	selftests/kernel/nlfuzz_net.c selftests/kernel/nlfuzz_sender.c \
	selftests/kernel/nlfuzz_check.c
kice-nlfuzz_LIBS := knl
nlfuzz_spec_CFLAGS := -I$(O)/gen -Iselftests/kernel
$(O)/gen/nlfuzz_spec.h: Documentation/netlink/specs/kice.yaml \
		selftests/kernel/nlfuzz_spec.py
	@mkdir -p $(dir $@)
	python3 selftests/kernel/nlfuzz_spec.py $< $@
$(O)/obj/selftests/kernel/nlfuzz_spec.o: $(O)/gen/nlfuzz_spec.h
