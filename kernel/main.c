// SPDX-License-Identifier: GPL-2.0
/*
 * kice: in-kernel media relay for ICE -- module and network namespaces.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/rhashtable.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "kice.h"

static unsigned int kice_net_id __read_mostly;

/* Every leg of every namespace, keyed by socket and source address. */
struct rhashtable kice_legs;

static const struct rhashtable_params kice_leg_params = KICE_LEG_PARAMS;

struct kice_net *kice_net(const struct net *net)
{
	return net_generic(net, kice_net_id);
}

static int __net_init kice_net_init(struct net *net)
{
	struct kice_net *kn = kice_net(net);

	kn->net = net;
	mutex_init(&kn->lock);
	xa_init_flags(&kn->socks, XA_FLAGS_ALLOC1);
	xa_init_flags(&kn->flows, XA_FLAGS_ALLOC1);
	return 0;
}

static void __net_exit kice_net_exit(struct net *net)
{
	struct kice_net *kn = kice_net(net);

	mutex_lock(&kn->lock);
	kice_net_flush(kn);
	mutex_unlock(&kn->lock);
	xa_destroy(&kn->socks);
	xa_destroy(&kn->flows);
	mutex_destroy(&kn->lock);
}

static struct pernet_operations kice_net_ops = {
	.init	= kice_net_init,
	.exit	= kice_net_exit,
	.id	= &kice_net_id,
	.size	= sizeof(struct kice_net),
};

static int __init kice_init(void)
{
	int err;

	err = rhashtable_init(&kice_legs, &kice_leg_params);
	if (err)
		return err;
	err = register_pernet_subsys(&kice_net_ops);
	if (err)
		goto err_hash;
	err = kice_genl_register();
	if (err)
		goto err_pernet;
	pr_info("loaded\n");
	return 0;

err_pernet:
	unregister_pernet_subsys(&kice_net_ops);
err_hash:
	rhashtable_destroy(&kice_legs);
	return err;
}

static void __exit kice_exit(void)
{
	kice_genl_unregister();
	/* detaches every socket and deletes every flow of every netns */
	unregister_pernet_subsys(&kice_net_ops);
	/* no receive path may still run in the module's code ... */
	synchronize_net();
	/* ... nor an RCU callback freeing legs, flows and sockets */
	rcu_barrier();
	rhashtable_destroy(&kice_legs);
}

module_init(kice_init);
module_exit(kice_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("In-kernel media relay for ICE");
MODULE_ALIAS_GENL_FAMILY(KICE_FAMILY_NAME);
