/*
 * vm.drop_caches, Linux's way to ask for memory the kernel keeps only because nothing
 * asked for it: `sysctl vm.drop_caches=N` (the shell, or a test before it compares free
 * pages with a baseline). N is a bit mask, as Linux's:
 *   1  caches of data: the page cache's clean pages (mm/filemap.c; dirty ones stay until
 *      written back: sync first to drop everything) and the frames of vfree'd areas that
 *      wait for the lazy purge's batched TLB flush (mm/vmalloc.c): the flush is done now;
 *   2  reclaimable kernel objects: every slab cache's empty slabs go back to the buddy
 *      allocator (kmem_cache_shrink), the per-CPU ones included;
 *   3  both.
 * Nothing in use is touched: it is a measurement aid, not a reclaim. Logged once per
 * write, with the writer, as Linux does.
 */

#include <kernel/printk.h>
#include <kernel/sysctl.h>
#include <lib/errno.h>
#include <mm/pagemap.h>
#include <mm/slab.h>
#include <mm/vmalloc.h>
#include <sched/task.h>

static int64_t sysctl_drop_caches;

static int drop_caches_write(const struct ctl_table *t, int64_t val)
{
	if (!kmem_cache)
		return -EINVAL;		/* a boot parameter: memory management is not up yet */
	if (val & 1) {
		drop_pagecache();	/* the clean pages of every page cache */
		vm_unmap_aliases();
	}
	if (val & 2)
		kmem_cache_shrink_all();
	pr_info("%s (%d): drop_caches: %lld\n", current->comm, current->pid, (long long)val);
	return sysctl_store(t, val);
}

SYSCTL(drop_caches, "vm.drop_caches", &sysctl_drop_caches, 1, 1, 3, drop_caches_write);
