// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module of the VM runner's own tests (selftests/vm/selftest):
 * loading it writes one byte past the end of a kmalloc'd object and frees
 * the object, so that the memory debugging the runner boots with (SLUB red
 * zones, KFENCE or KASAN) must report it and the run must fail.  With
 * leak=1 it instead allocates an object and forgets it, for kmemleak to
 * find.  It does nothing else; never load it outside that test's
 * throw-away VM.
 */
#include <linux/module.h>
#include <linux/slab.h>

/* 64: a kmalloc cache's own size, so the byte after it is in the red zone */
static unsigned int size = 64;
module_param(size, uint, 0444);
MODULE_PARM_DESC(size, "size of the object overrun by one byte");

static bool leak;
module_param(leak, bool, 0444);
MODULE_PARM_DESC(leak, "leak an object instead of overrunning one");

static int __init oob_init(void)
{
	char *p = kmalloc(size, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	if (leak) {
		unsigned int i;

		/*
		 * no reference kept anywhere: eight unreferenced objects, of
		 * which at most the last may still be seen on a stale stack
		 */
		for (i = 0; i < 8; i++) {
			memset(p, 0x42, size);
			OPTIMIZER_HIDE_VAR(p);
			p = kmalloc(size, GFP_KERNEL);
			if (!p)
				return -ENOMEM;
		}
		kfree(p);
		pr_info("kice_vm_oob: leaked eight %u-byte objects\n", size);
		return 0;
	}
	OPTIMIZER_HIDE_VAR(p);
	p[size] = 0x42;
	kfree(p);
	pr_info("kice_vm_oob: wrote 1 byte past a %u-byte object\n", size);
	return 0;
}

static void __exit oob_exit(void)
{
}

module_init(oob_init);
module_exit(oob_exit);
MODULE_DESCRIPTION("kice VM runner test: one-byte heap overrun, or a leak");
MODULE_LICENSE("GPL");
