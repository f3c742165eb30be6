// SPDX-License-Identifier: GPL-2.0
/*
 * kice: flows, the bidirectional relays between two legs -- or three,
 * where side a multiplexes RTP and RTCP on one port and side b does not
 * (RFC 5761): then side b's RTCP has a leg of its own (KICE_LEG_B_RTCP).
 *
 * Configuration runs under kice_net.lock.  The receive path finds a leg
 * in the global kice_legs hash table under RCU; legs, flows and settings
 * are freed one grace period after they become unreachable.
 */
#include <linux/jiffies.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "kice.h"

static const struct rhashtable_params kice_leg_params = KICE_LEG_PARAMS;

static void kice_leg_key(struct kice_key *key, const struct kice_leg_cfg *lc)
{
	memset(key, 0, sizeof(*key));
	key->ks = lc->ks;
	if (lc->channel) {
		key->ip = lc->turn.ip;
		key->port = lc->turn.port;
		key->channel = lc->channel;
	} else {
		key->ip = lc->remote.ip;
		key->port = lc->remote.port;
	}
}

static struct kice_leg *kice_leg_new(struct kice_flow *flow,
				     const struct kice_leg_cfg *lc,
				     unsigned int idx)
{
	struct kice_leg *leg;

	leg = kzalloc(sizeof(*leg), GFP_KERNEL);
	if (!leg)
		return NULL;
	if (dst_cache_init(&leg->dst_cache, GFP_KERNEL)) {
		kfree(leg);
		return NULL;
	}
	leg->flow = flow;
	leg->cfg = *lc;
	leg->idx = idx;
	leg->sk = lc->ks->sk;
	leg->to = lc->channel ? lc->turn : lc->remote;
	leg->channel = lc->channel;
	kice_leg_key(&leg->key, lc);
	return leg;
}

static void kice_leg_free(struct kice_leg *leg)
{
	if (!leg)
		return;
	dst_cache_destroy(&leg->dst_cache);
	kfree(leg);
}

static void kice_leg_free_rcu(struct rcu_head *head)
{
	kice_leg_free(container_of(head, struct kice_leg, rcu));
}

static void kice_stats_clear(struct kice_leg_stats *st)
{
	kice_ssrc_clear(st);
	st->rx_packets = 0;
	st->rx_bytes = 0;
	st->tx_packets = 0;
	st->tx_bytes = 0;
	st->rtcp_packets = 0;
	st->rtcp_bytes = 0;
	st->dtls_packets = 0;
	st->stun_passed = 0;
	st->drop_malformed = 0;
	st->drop_unknown = 0;
	st->drop_tx = 0;
}

static void kice_flow_free_rcu(struct rcu_head *head)
{
	struct kice_flow *flow = container_of(head, struct kice_flow, rcu);
	unsigned int i;

	for (i = 0; i < KICE_NLEGS; i++) {
		kice_leg_free(rcu_dereference_protected(flow->leg[i], 1));
		kice_stats_clear(&flow->stats[i]);
	}
	kfree(rcu_dereference_protected(flow->cfg, 1));
	kfree(flow);
}

u32 kice_flow_fast(const struct kice_flow_cfg *cfg)
{
	u32 fast = 0;

	if (cfg->dscp >= 0)
		fast |= KICE_FAST_FIXED_DSCP | (cfg->dscp & KICE_FAST_DSCP);
	if (cfg->dtls_relay)
		fast |= KICE_FAST_DTLS_RELAY;
	if (cfg->nclocks)
		fast |= KICE_FAST_CLOCKS;
	return fast;
}

static unsigned long kice_flow_last_rx(struct kice_flow *flow)
{
	unsigned long last = flow->created;
	unsigned int i;

	for (i = 0; i < KICE_NLEGS; i++) {
		unsigned long t = READ_ONCE(flow->stats[i].last_rx);

		if (READ_ONCE(flow->stats[i].rx_seen) && time_after(t, last))
			last = t;
	}
	return last;
}

static void kice_flow_idle_timer(struct timer_list *t)
{
	struct kice_flow *flow = from_timer(flow, t, idle_timer);
	unsigned long idle, last;
	bool send = false;

	rcu_read_lock();
	idle = msecs_to_jiffies(rcu_dereference(flow->cfg)->idle_ms);
	rcu_read_unlock();
	if (!idle)
		return;

	last = kice_flow_last_rx(flow);
	spin_lock(&flow->lock);
	if (!flow->dead) {
		if (time_before(jiffies, last + idle)) {
			mod_timer(&flow->idle_timer, last + idle);
		} else if (!flow->idle_sent) {
			/* re-armed by kice_flow_rx_seen() on new media */
			WRITE_ONCE(flow->idle_sent, true);
			send = true;
		}
	}
	spin_unlock(&flow->lock);

	if (send)
		kice_notify_idle(flow, jiffies_to_msecs(jiffies - last));
}

/* Media arrived after an idle notification: watch for the next idle time. */
void kice_flow_rx_seen(struct kice_flow *flow)
{
	u32 idle_ms = rcu_dereference(flow->cfg)->idle_ms;

	spin_lock(&flow->lock);
	if (!flow->dead && flow->idle_sent) {
		WRITE_ONCE(flow->idle_sent, false);
		if (idle_ms)
			mod_timer(&flow->idle_timer,
				  jiffies + msecs_to_jiffies(idle_ms));
	}
	spin_unlock(&flow->lock);
}

static void kice_flow_arm(struct kice_flow *flow, u32 idle_ms)
{
	spin_lock_bh(&flow->lock);
	WRITE_ONCE(flow->idle_sent, false);
	if (idle_ms)
		mod_timer(&flow->idle_timer,
			  kice_flow_last_rx(flow) + msecs_to_jiffies(idle_ms));
	else
		timer_delete(&flow->idle_timer);
	spin_unlock_bh(&flow->lock);
}

static void kice_leg_exists(unsigned int idx, struct netlink_ext_ack *extack)
{
	if (idx == KICE_LEG_B_RTCP)
		NL_SET_ERR_MSG(extack, "leg-b-rtcp: another leg receives from this address");
	else if (idx == KICE_LEG_B)
		NL_SET_ERR_MSG(extack, "leg b: another leg receives from this address");
	else
		NL_SET_ERR_MSG(extack, "leg a: another leg receives from this address");
}

static int kice_leg_insert(struct kice_leg *leg, unsigned int idx,
			   struct netlink_ext_ack *extack)
{
	int err;

	err = rhashtable_lookup_insert_fast(&kice_legs, &leg->node,
					    kice_leg_params);
	if (err == -EEXIST)
		kice_leg_exists(idx, extack);
	return err;
}

/* @lc: legs a and b, and b's RTCP leg or NULL */
struct kice_flow *kice_flow_create(struct kice_net *kn,
				   const struct kice_leg_cfg *lc[KICE_NLEGS],
				   struct kice_flow_cfg *cfg,
				   struct netlink_ext_ack *extack)
{
	struct kice_leg *leg[KICE_NLEGS] = {};
	struct kice_flow *flow;
	unsigned int i, n = 0;
	int err = -ENOMEM;

	lockdep_assert_held(&kn->lock);

	flow = kzalloc(sizeof(*flow), GFP_KERNEL);
	if (!flow)
		goto err_cfg;
	flow->kn = kn;
	flow->created = jiffies;
	spin_lock_init(&flow->lock);
	spin_lock_init(&flow->stats_lock);
	timer_setup(&flow->idle_timer, kice_flow_idle_timer, 0);
	for (i = 0; i < KICE_NLEGS; i++) {
		if (!lc[i])
			continue;
		leg[i] = kice_leg_new(flow, lc[i], i);
		if (!leg[i])
			goto err_legs;
	}
	RCU_INIT_POINTER(flow->cfg, cfg);
	flow->fast = kice_flow_fast(cfg);
	for (i = 0; i < KICE_NLEGS; i++)
		RCU_INIT_POINTER(flow->leg[i], leg[i]);

	err = xa_alloc_cyclic(&kn->flows, &flow->id, NULL, xa_limit_31b,
			      &kn->next_flow, GFP_KERNEL);
	if (err < 0)
		goto err_legs;

	/* published: from here on freed through RCU only */
	for (n = 0; n < KICE_NLEGS; n++) {
		if (!leg[n])
			continue;
		err = kice_leg_insert(leg[n], n, extack);
		if (err)
			goto err_unhash;
	}
	xa_store(&kn->flows, flow->id, flow, GFP_KERNEL);
	for (i = 0; i < KICE_NLEGS; i++)
		if (lc[i])
			WRITE_ONCE(lc[i]->ks->nlegs, lc[i]->ks->nlegs + 1);
	if (cfg->idle_ms)
		kice_flow_arm(flow, cfg->idle_ms);
	return flow;

err_unhash:
	while (n--)
		if (leg[n])
			rhashtable_remove_fast(&kice_legs, &leg[n]->node,
					       kice_leg_params);
	xa_erase(&kn->flows, flow->id);
	call_rcu(&flow->rcu, kice_flow_free_rcu);
	return ERR_PTR(err);
err_legs:
	for (i = 0; i < KICE_NLEGS; i++)
		kice_leg_free(leg[i]);
	kfree(flow);
err_cfg:
	kfree(cfg);
	return ERR_PTR(err);
}

/* Is @leg one of the flow's current legs @old?  Its index, else -1. */
static int kice_old_index(struct kice_leg *const old[KICE_NLEGS],
			  const struct kice_leg *leg)
{
	int j;

	for (j = 0; j < KICE_NLEGS; j++)
		if (old[j] && old[j] == leg)
			return j;
	return -1;
}

/*
 * Replace the legs given in @lc (NULL: unchanged) and the settings @cfg
 * (NULL: unchanged).  b's RTCP leg can be moved, not added or removed.
 */
int kice_flow_change(struct kice_flow *flow,
		     const struct kice_leg_cfg *lc[KICE_NLEGS],
		     struct kice_flow_cfg *cfg,
		     struct netlink_ext_ack *extack)
{
	struct kice_net *kn = flow->kn;
	struct kice_leg *old[KICE_NLEGS], *leg[KICE_NLEGS] = {};
	struct kice_flow_cfg *old_cfg;
	unsigned int i, j;
	int err;

	lockdep_assert_held(&kn->lock);

	for (i = 0; i < KICE_NLEGS; i++)
		old[i] = rcu_dereference_protected(flow->leg[i],
						   lockdep_is_held(&kn->lock));

	/* check everything first so that a failure changes nothing */
	for (i = 0; i < KICE_NLEGS; i++) {
		struct kice_leg *other;
		int o;

		if (!lc[i])
			continue;
		err = -EINVAL;
		if (!old[i]) {
			NL_SET_ERR_MSG(extack,
				       "the flow has no leg-b-rtcp (given at flow-new only)");
			goto err_free;
		}
		err = -ENOMEM;
		leg[i] = kice_leg_new(flow, lc[i], i);
		if (!leg[i])
			goto err_free;
		other = rhashtable_lookup_fast(&kice_legs, &leg[i]->key,
					       kice_leg_params);
		o = other ? kice_old_index(old, other) : -1;
		/* another flow's leg, or one of ours that stays */
		if ((other && o < 0) || (o >= 0 && o != (int)i && !lc[o])) {
			kice_leg_exists(i, extack);
			err = -EEXIST;
			goto err_free;
		}
	}
	for (i = 0; i < KICE_NLEGS; i++)
		for (j = i + 1; j < KICE_NLEGS; j++)
			if (leg[i] && leg[j] &&
			    !memcmp(&leg[i]->key, &leg[j]->key,
				    sizeof(leg[i]->key))) {
				NL_SET_ERR_MSG(extack,
					       "two legs would receive from the same address");
				err = -EEXIST;
				goto err_free;
			}

	/* take the old legs out first: the new keys may swap them */
	for (i = 0; i < KICE_NLEGS; i++) {
		if (!leg[i])
			continue;
		rhashtable_remove_fast(&kice_legs, &old[i]->node,
				       kice_leg_params);
	}
	for (i = 0; i < KICE_NLEGS; i++) {
		if (!leg[i])
			continue;
		err = rhashtable_insert_fast(&kice_legs, &leg[i]->node,
					     kice_leg_params);
		if (err) {
			/* table allocation failed: put the old legs back */
			while (i--)
				if (leg[i]) {
					rhashtable_remove_fast(&kice_legs,
							       &leg[i]->node,
							       kice_leg_params);
					rcu_assign_pointer(flow->leg[i], old[i]);
				}
			for (i = 0; i < KICE_NLEGS; i++)
				if (leg[i])
					WARN_ON(rhashtable_insert_fast(&kice_legs,
								       &old[i]->node,
								       kice_leg_params));
			synchronize_rcu();
			goto err_free;
		}
		rcu_assign_pointer(flow->leg[i], leg[i]);
	}
	for (i = 0; i < KICE_NLEGS; i++)
		if (leg[i])
			call_rcu(&old[i]->rcu, kice_leg_free_rcu);

	if (cfg) {
		old_cfg = rcu_replace_pointer(flow->cfg, cfg,
					      lockdep_is_held(&kn->lock));
		WRITE_ONCE(flow->fast, kice_flow_fast(cfg));
		kice_flow_arm(flow, cfg->idle_ms);
		kfree_rcu(old_cfg, rcu);
	}
	return 0;

err_free:
	for (i = 0; i < KICE_NLEGS; i++)
		kice_leg_free(leg[i]);
	kfree(cfg);
	return err;
}

void kice_flow_delete(struct kice_flow *flow)
{
	struct kice_net *kn = flow->kn;
	unsigned int i;

	lockdep_assert_held(&kn->lock);

	kice_notify_flow(flow, KICE_CMD_FLOW_DEL_NTF);
	for (i = 0; i < KICE_NLEGS; i++) {
		struct kice_leg *leg;

		leg = rcu_dereference_protected(flow->leg[i],
						lockdep_is_held(&kn->lock));
		if (!leg)
			continue;
		rhashtable_remove_fast(&kice_legs, &leg->node, kice_leg_params);
		WRITE_ONCE(leg->cfg.ks->nlegs, leg->cfg.ks->nlegs - 1);
	}
	xa_erase(&kn->flows, flow->id);

	spin_lock_bh(&flow->lock);
	flow->dead = true;
	spin_unlock_bh(&flow->lock);
	timer_delete_sync(&flow->idle_timer);

	call_rcu(&flow->rcu, kice_flow_free_rcu);
}

void kice_flow_stats_reset(struct kice_flow *flow)
{
	unsigned int i;

	spin_lock_bh(&flow->stats_lock);
	for (i = 0; i < KICE_NLEGS; i++)
		kice_stats_clear(&flow->stats[i]);
	spin_unlock_bh(&flow->stats_lock);
}
