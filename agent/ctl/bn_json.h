/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Print a decoded bencode value as JSON (for kicectl -j and logs).  Byte
 * strings are emitted as JSON strings with control characters, '"', '\\'
 * and non-ASCII bytes escaped as \u00XX.
 */
#ifndef KICE_CTL_BN_JSON_H
#define KICE_CTL_BN_JSON_H

#include <stdio.h>

#include "ctl/bencode.h"

void bn_json_print(FILE *f, const struct bn *n);

#endif /* KICE_CTL_BN_JSON_H */
