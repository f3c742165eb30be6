// SPDX-License-Identifier: GPL-2.0
/*
 * kice-nlfuzz: the family's spec, generated at build time from
 * Documentation/netlink/specs/kice.yaml into nlfuzz_spec.h, and lookups
 * in it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlfuzz_spec.h"

const struct nf_set *const nf_spec_sets = nf_sets;
const struct nf_op *const nf_spec_ops = nf_ops;
const int nf_spec_n_sets = NF_N_SETS, nf_spec_n_ops = NF_N_OPS;
const int nf_spec_version = NF_FAMILY_VERSION;
const char *const nf_spec_family = NF_FAMILY_NAME;

const struct nf_attr *nf_set_attr(int set, unsigned int type)
{
	const struct nf_set *st = &nf_sets[set];
	int i;

	for (i = 0; i < st->n; i++)
		if (st->attrs[i].type == type)
			return &st->attrs[i];
	return NULL;
}

int nf_set_max_type(int set)
{
	const struct nf_set *st = &nf_sets[set];
	int i, max = 0;

	for (i = 0; i < st->n; i++)
		if (st->attrs[i].type > max)
			max = st->attrs[i].type;
	return max;
}

const struct nf_op *nf_op_by_cmd(uint8_t cmd)
{
	int i;

	for (i = 0; i < NF_N_OPS; i++)
		if (nf_ops[i].cmd == cmd)
			return &nf_ops[i];
	return NULL;
}

int nf_set_by_name(const char *name)
{
	int i;

	for (i = 0; i < NF_N_SETS; i++)
		if (!strcmp(nf_sets[i].name, name))
			return i;
	fprintf(stderr, "nlfuzz: spec has no attribute set %s\n", name);
	exit(2);
}

const struct nf_op *nf_op_by_name(const char *name)
{
	int i;

	for (i = 0; i < NF_N_OPS; i++)
		if (!strcmp(nf_ops[i].name, name))
			return &nf_ops[i];
	fprintf(stderr, "nlfuzz: spec has no operation %s\n", name);
	exit(2);
}

const struct nf_attr *nf_attr_by_name(int set, const char *name)
{
	const struct nf_set *st = &nf_sets[set];
	int i;

	for (i = 0; i < st->n; i++)
		if (!strcmp(st->attrs[i].name, name))
			return &st->attrs[i];
	fprintf(stderr, "nlfuzz: spec has no attribute %s.%s\n", st->name,
		name);
	exit(2);
}

long long nf_const(const char *name)
{
	int i;

	for (i = 0; i < NF_N_CONSTS; i++)
		if (!strcmp(nf_consts[i].name, name))
			return nf_consts[i].value;
	return -1;
}

int nf_kind_len(int kind)
{
	switch (kind) {
	case NF_K_U8:
	case NF_K_S8:
		return 1;
	case NF_K_U16:
	case NF_K_S16:
		return 2;
	case NF_K_U32:
	case NF_K_S32:
		return 4;
	case NF_K_U64:
	case NF_K_S64:
		return 8;
	default:
		return 0;
	}
}

/*
 * Limits the spec's documentation says the module checks (beyond the
 * policy): "at most idle-timeout-max", "at most rate-max".
 */
static const struct {
	const char *set, *attr, *limit;
} module_max[] = {
	{ "flow", "idle-timeout", "idle-timeout-max" },
	{ "clock", "rate", "rate-max" },
};

bool nf_module_max(int set, const struct nf_attr *a, long long *max)
{
	size_t i;

	for (i = 0; i < sizeof(module_max) / sizeof(module_max[0]); i++) {
		if (strcmp(nf_sets[set].name, module_max[i].set) ||
		    strcmp(a->name, module_max[i].attr))
			continue;
		*max = nf_const(module_max[i].limit);
		return *max >= 0;
	}
	return false;
}
