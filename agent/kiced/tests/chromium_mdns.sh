#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Chromium with its host addresses behind mDNS names (no camera granted,
# draft-ietf-mmusic-mdns-ice-candidates): chromium_interop.sh's call where
# both peer connections offer and answer *.local host candidates only.
# kiced does not resolve them; it learns each connection from its checks
# as a peer-reflexive candidate, and the call must work as well as with
# addresses.
exec "$(dirname "$0")/chromium_interop.sh" mdns
