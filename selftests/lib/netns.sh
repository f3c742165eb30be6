# SPDX-License-Identifier: GPL-2.0
# Network namespace topologies for kice's tests.  Source it, then:
#
#   ns_new NAME                  namespace "$NS_PREFIX-NAME", lo up; prints it
#   ns_link A IFA ADDR_A B IFB ADDR_B
#                                veth pair A:IFA <-> B:IFB with CIDR addresses
#                                (v4 "a.b.c.d/len" or v6 "x::y/len"; "-" none)
#   ns_addr NS IF CIDR           add another address
#   ns_route NS DEST VIA         route (DEST may be "default"; v4 or v6)
#   ns_router NS                 enable forwarding (v4 and v6)
#   ns_nat NS OUT_IF TYPE        NAT for traffic leaving OUT_IF:
#                                  eim: endpoint-independent mapping
#                                       (source port kept where free)
#                                  symmetric: address-and-port-dependent
#                                       mapping (fully random ports)
#   ns_block_udp NS OUT_IF       drop UDP forwarded out of OUT_IF (TCP passes)
#   ns_netem NS IF ARGS...       tc netem on IF (e.g. "loss 5% delay 50ms")
#   ns_exec NS CMD...            ip netns exec
#
# Every namespace made here is deleted on exit.  Simulated public networks
# use documentation prefixes (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
# 2001:db8::/32); private sides use 10.x inside the namespaces only.

NS_PREFIX=${NS_PREFIX:-kice-$$}
_ns_list=()

ns_cleanup() {
	local n
	for n in "${_ns_list[@]}"; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
	_ns_list=()
}
trap ns_cleanup EXIT

ns_new() {
	local n=$NS_PREFIX-$1
	ip netns add "$n" || return 1
	_ns_list+=("$n")
	ip -n "$n" link set lo up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 2>/dev/null
	echo "$n"
}

ns_name() { echo "$NS_PREFIX-$1"; }

ns_exec() {
	local n=$NS_PREFIX-$1
	shift
	ip netns exec "$n" "$@"
}

ns_addr() {
	local n=$NS_PREFIX-$1 dev=$2 a=$3
	[ "$a" = - ] && return 0
	case "$a" in
	*:*) ip -n "$n" -6 addr add "$a" dev "$dev" nodad ;;
	*) ip -n "$n" addr add "$a" dev "$dev" ;;
	esac
}

ns_link() {
	local a=$NS_PREFIX-$1 ia=$2 aa=$3 b=$NS_PREFIX-$4 ib=$5 ab=$6
	ip link add "$ia" netns "$a" type veth peer name "$ib" netns "$b" || return 1
	ns_addr "$1" "$ia" "$aa" && ns_addr "$4" "$ib" "$ab" || return 1
	ip -n "$a" link set "$ia" up && ip -n "$b" link set "$ib" up
}

ns_route() {
	local n=$NS_PREFIX-$1 dest=$2 via=$3
	case "$via" in
	*:*) ip -n "$n" -6 route add "$dest" via "$via" ;;
	*) ip -n "$n" route add "$dest" via "$via" ;;
	esac
}

ns_router() {
	ns_exec "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

ns_nat() {
	local n=$NS_PREFIX-$1 out=$2 type=$3 flags
	case "$type" in
	eim) flags="persistent" ;;
	symmetric) flags="random,fully-random" ;;
	*) echo "ns_nat: unknown NAT type $type" >&2; return 1 ;;
	esac
	ip netns exec "$n" nft -f - <<-NFT
	table inet kice_nat {
		chain post {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "$out" masquerade $flags
		}
		# The NAT box offers nothing itself: unsolicited packets to it
		# are dropped before conntrack confirms an entry for them, so
		# they cannot steal the port a later outbound mapping needs.
		chain in {
			type filter hook input priority filter; policy accept;
			iifname "$out" ct state new drop
		}
	}
	NFT
}

ns_block_udp() {
	local n=$NS_PREFIX-$1 out=$2
	ip netns exec "$n" nft -f - <<-NFT
	table inet kice_filter {
		chain udp_out {
			type filter hook forward priority filter; policy accept;
			oifname "$out" meta l4proto udp drop
		}
	}
	NFT
}

ns_netem() {
	local n=$NS_PREFIX-$1 dev=$2
	shift 2
	ip netns exec "$n" tc qdisc replace dev "$dev" root netem "$@"
}

# ns_wait_port NS PROTO PORT [SECONDS]: wait until something listens.
ns_wait_port() {
	local n=$1 proto=$2 port=$3 t=${4:-10} i
	for ((i = 0; i < t * 10; i++)); do
		ns_exec "$n" ss -Hln"${proto:0:1}" "sport = :$port" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	return 1
}
