// SPDX-License-Identifier: GPL-2.0
/*
 * kice: UDP sockets handed over by the agent.
 *
 * A socket is attached by installing a UDP tunnel encapsulation on it:
 * kice_encap_rcv() sees every datagram first and either relays it or lets
 * it continue to the socket's receive queue.  The socket is detached on
 * command, when it is closed (encap_destroy), on netns exit and on module
 * unload.  The module holds a reference on the sock while attached; it is
 * dropped one RCU grace period after detaching, because the transmit path
 * of other sockets' flows may still be using it.
 */
#include <linux/file.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "kice.h"

static void kice_sock_free_rcu(struct rcu_head *head)
{
	struct kice_sock *ks = container_of(head, struct kice_sock, rcu);

	sock_put(ks->sk);
	kfree(ks);
}

static void kice_encap_destroy(struct sock *sk)
{
	struct kice_sock *ks;
	struct kice_net *kn;

	rcu_read_lock();
	ks = rcu_dereference_sk_user_data(sk);
	kn = ks ? ks->kn : NULL;
	rcu_read_unlock();
	if (!kn)
		return;

	/* the socket pins its netns, so kn stays valid */
	mutex_lock(&kn->lock);
	rcu_read_lock();
	ks = rcu_dereference_sk_user_data(sk);
	rcu_read_unlock();
	/* only kice_sock_detach() clears it, under kn->lock */
	if (ks)
		kice_sock_detach(ks);
	mutex_unlock(&kn->lock);
}

struct kice_sock *kice_sock_attach(struct kice_net *kn, int fd, u32 policy,
				   struct netlink_ext_ack *extack)
{
	struct udp_tunnel_sock_cfg cfg = {
		.encap_type	= 1,
		.encap_rcv	= kice_encap_rcv,
		.encap_destroy	= kice_encap_destroy,
	};
	struct kice_sock *ks;
	struct socket *sock;
	struct sock *sk;
	int err;

	lockdep_assert_held(&kn->lock);

	sock = sockfd_lookup(fd, &err);
	if (!sock) {
		NL_SET_ERR_MSG(extack, "fd is not a socket");
		return ERR_PTR(err);
	}
	sk = sock->sk;
	if (sk->sk_protocol != IPPROTO_UDP || sk->sk_type != SOCK_DGRAM ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		NL_SET_ERR_MSG(extack, "socket is not a UDP socket");
		err = -EPROTONOSUPPORT;
		goto err_put;
	}
	if (!net_eq(sock_net(sk), kn->net)) {
		NL_SET_ERR_MSG(extack, "socket belongs to another network namespace");
		err = -EXDEV;
		goto err_put;
	}

	ks = kzalloc(sizeof(*ks), GFP_KERNEL);
	if (!ks) {
		err = -ENOMEM;
		goto err_put;
	}
	ks->kn = kn;
	ks->sk = sk;
	ks->unknown_policy = policy;

	lock_sock(sk);
	if (udp_sk(sk)->encap_type || rcu_access_pointer(__sk_user_data(sk))) {
		NL_SET_ERR_MSG(extack, "socket is already encapsulated or in use");
		err = -EBUSY;
		goto err_unlock;
	}
	if (!inet_sk(sk)->inet_num) {
		NL_SET_ERR_MSG(extack, "socket is not bound to a port");
		err = -EINVAL;
		goto err_unlock;
	}
	err = xa_alloc_cyclic(&kn->socks, &ks->id, ks, xa_limit_31b,
			      &kn->next_sock, GFP_KERNEL);
	if (err < 0)
		goto err_unlock;

	sock_hold(sk);
	cfg.sk_user_data = ks;
	setup_udp_tunnel_sock(kn->net, sock, &cfg);
	release_sock(sk);
	sockfd_put(sock);
	return ks;

err_unlock:
	release_sock(sk);
	kfree(ks);
err_put:
	sockfd_put(sock);
	return ERR_PTR(err);
}

/* Delete the socket's flows and give the socket back to plain UDP. */
void kice_sock_detach(struct kice_sock *ks)
{
	struct kice_net *kn = ks->kn;
	struct sock *sk = ks->sk;
	struct kice_flow *flow;
	unsigned long id;

	lockdep_assert_held(&kn->lock);

	xa_for_each(&kn->flows, id, flow) {
		unsigned int i;

		for (i = 0; i < KICE_NLEGS; i++) {
			struct kice_leg *leg;

			leg = rcu_dereference_protected(flow->leg[i],
							lockdep_is_held(&kn->lock));
			if (leg && leg->cfg.ks == ks) {
				kice_flow_delete(flow);
				break;
			}
		}
	}
	xa_erase(&kn->socks, ks->id);

	lock_sock(sk);
	WRITE_ONCE(udp_sk(sk)->encap_rcv, NULL);
	WRITE_ONCE(udp_sk(sk)->encap_destroy, NULL);
	WRITE_ONCE(udp_sk(sk)->encap_type, 0);
	rcu_assign_sk_user_data(sk, NULL);
	release_sock(sk);

	call_rcu(&ks->rcu, kice_sock_free_rcu);
}

void kice_net_flush(struct kice_net *kn)
{
	struct kice_sock *ks;
	unsigned long id;

	lockdep_assert_held(&kn->lock);

	xa_for_each(&kn->socks, id, ks)
		kice_sock_detach(ks);
}
