/*
 * vmalloc and vfree: an area of the vmalloc range (mm/vmalloc.c) backed by order-0 pages
 * from the buddy allocator, any frames at all, mapped at once one after another. Because no
 * two frames need to be neighbours, a vmalloc of 4 MiB works when no free 4 MiB block is
 * left, where kmalloc of 4 MiB (an order-10 block) fails: demo=vmalloc shows it.
 *
 * The page array (vm->pages, 8 bytes per page) is kmalloc'd up to a page, that is for areas
 * up to 2 MiB, and vmalloc'd beyond: its own array is 512 times smaller again.
 * Contexts, as Linux: vmalloc may sleep (it does not here yet, but reclaim will), so it is
 * refused in atomic context with a warning. vfree works anywhere but in an NMI: from an
 * interrupt handler it only claims the area and queues it (deferred, newest first, through
 * vm->next) and schedules a work item (kernel/workqueue.c): the worker thread frees it soon
 * after, or the next vmalloc, vfree or vm_unmap_aliases in process context, if earlier.
 * vfree unmaps at once; the frames are freed by the lazy purge, after the TLB flush.
 * Invariant: nr_vmalloc_pages counts the frames of every vmalloc area from its successful
 * allocation until the purge frees them (lazy areas included: they are still held).
 */
#define pr_fmt(fmt) "vmalloc: " fmt

#include <kernel/ksyms.h>
#include <kernel/oops.h>
#include <kernel/preempt.h>
#include <kernel/printk.h>
#include <kernel/workqueue.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include "vmalloc_internal.h"

static unsigned long nr_vmalloc_pages;	/* VmallocUsed, pages */
static struct vm_struct *deferred;	/* vfree from interrupt handlers; interrupts off */

static void vfree_work_func(struct work_struct *work)
{
	(void)work;
	vfree_drain();
}
static DECLARE_WORK(vfree_work, vfree_work_func);

unsigned long vmalloc_nr_pages(void)
{
	return READ_ONCE(nr_vmalloc_pages);
}

static struct page **alloc_page_array(struct vm_struct *vm, unsigned int nr, const void *caller)
{
	size_t bytes = (size_t)nr * sizeof(struct page *);

	if (bytes <= PAGE_SIZE)
		return kzalloc(bytes, GFP_KERNEL);
	vm->flags |= VM_PAGES_VMALLOC;
	return __vmalloc_caller(bytes, GFP_KERNEL | __GFP_ZERO, caller);
}

static void free_page_array(struct vm_struct *vm)
{
	if (vm->flags & VM_PAGES_VMALLOC)
		vfree(vm->pages);
	else
		kfree(vm->pages);
}

/*
 * Fill @pages[0..nr) with order-0 pages. alloc_pages_bulk may give fewer than asked; go on
 * while it makes progress, and purge the lazy areas once (their frames come back) before
 * giving up. 0 or -ENOMEM; the pages taken stay in the array either way.
 */
static int fill_pages(struct page **pages, unsigned int nr, gfp_t gfp)
{
	unsigned long have = 0, got;
	bool purged = false;

	for (;;) {
		got = alloc_pages_bulk(gfp | __GFP_NOWARN, nr, pages);
		if (got == nr)
			return 0;
		if (got > have) {
			have = got;
			continue;
		}
		if (purged)
			return -ENOMEM;
		vm_unmap_aliases();
		purged = true;
	}
}

/* Undo a vmalloc that got no further than its pages: nothing was mapped, nothing to flush. */
static void undo_unmapped(struct vm_struct *vm, unsigned int nr)
{
	for (unsigned int i = 0; vm->pages && i < nr; i++)
		if (vm->pages[i])
			__free_page(vm->pages[i]);
	if (vm->pages)
		free_page_array(vm);
	vm->pages = NULL;
	free_area_unmapped(vm);
}

static void alloc_failed(unsigned long size, gfp_t gfp, const void *caller, const char *why)
{
	char sym[KSYM_NAME_LEN], flags[64];

	if (gfp & __GFP_NOWARN)
		return;
	sprint_symbol(sym, sizeof(sym), (uint64_t)caller);
	gfp_name(flags, sizeof(flags), gfp);
	pr_warn("allocation failure: %lu bytes, gfp %s, from %s: %s\n", size, flags, sym, why);
}

void *__vmalloc_caller(unsigned long size, gfp_t gfp, const void *caller)
{
	struct vm_struct *vm;
	unsigned int nr;

	if (!vmalloc_context_ok("vmalloc", caller))
		return NULL;
	vfree_drain();
	if (!size || PFN_UP(size) > totalram_pages()) {
		alloc_failed(size, gfp, caller, size ? "more than all RAM" : "zero size");
		return NULL;
	}
	nr = PFN_UP(size);
	vm = __get_vm_area_caller(size, PAGE_SIZE, VM_ALLOC, caller);
	if (!vm) {
		alloc_failed(size, gfp, caller, "no virtual space");
		return NULL;
	}
	vm->pages = alloc_page_array(vm, nr, caller);
	if (!vm->pages || fill_pages(vm->pages, nr, gfp)) {
		undo_unmapped(vm, nr);
		alloc_failed(size, gfp, caller, "out of pages");
		return NULL;
	}
	vm->nr_pages = nr;
	__atomic_fetch_add(&nr_vmalloc_pages, nr, __ATOMIC_RELAXED);
	if (vmap_pages_range((uint64_t)vm->addr, vm->pages, nr, PAGE_KERNEL)) {
		free_area_lazily(vm);	/* some pages may be mapped: the purge frees them all */
		alloc_failed(size, gfp, caller, "out of page-table pages");
		return NULL;
	}
	return vm->addr;
}

void *__vmalloc(unsigned long size, gfp_t gfp)
{
	return __vmalloc_caller(size, gfp, __builtin_return_address(0));
}

void *vmalloc(unsigned long size)
{
	return __vmalloc_caller(size, GFP_KERNEL, __builtin_return_address(0));
}

void *vzalloc(unsigned long size)
{
	return __vmalloc_caller(size, GFP_KERNEL | __GFP_ZERO, __builtin_return_address(0));
}

/* From the purge, after the flush: no CPU can reach these frames any more. */
void vm_free_pages(struct vm_struct *vm)
{
	for (unsigned int i = 0; i < vm->nr_pages; i++)
		__free_page(vm->pages[i]);
	__atomic_fetch_sub(&nr_vmalloc_pages, vm->nr_pages, __ATOMIC_RELAXED);
	free_page_array(vm);
}

/* In an interrupt handler: claim the area now (so a bad pointer is reported here), free later. */
static void vfree_defer(const void *addr, const void *caller)
{
	struct vm_struct *vm = claim_area(addr, VM_ALLOC, "vfree", caller);
	unsigned long irq;

	if (!vm)
		return;
	irq = local_irq_save();
	vm->next = deferred;
	deferred = vm;
	local_irq_restore(irq);
	__atomic_fetch_add(&vmalloc_stats.deferred, 1, __ATOMIC_RELAXED);
	schedule_work(&vfree_work);
}

void vfree_drain(void)
{
	unsigned long irq = local_irq_save();
	struct vm_struct *vm = deferred;

	deferred = NULL;
	local_irq_restore(irq);
	while (vm) {
		struct vm_struct *next = vm->next;

		free_area_lazily(vm);
		vm = next;
	}
}

void vfree(const void *addr)
{
	const void *caller = __builtin_return_address(0);
	struct vm_struct *vm;

	if (!addr)
		return;
	if (in_nmi()) {
		pr_err("vfree(%p) from an NMI handler: leaked, nothing may be locked there\n",
		       addr);
		return;
	}
	if (in_interrupt()) {
		vfree_defer(addr, caller);
		return;
	}
	vfree_drain();
	vm = claim_area(addr, VM_ALLOC, "vfree", caller);
	if (vm)
		free_area_lazily(vm);
}

struct page *vmalloc_to_page(const void *addr)
{
	uint64_t pa, size;
	unsigned long irq;
	pteval_t prot;

	if (!is_vmalloc_addr(addr))
		return NULL;
	irq = kernel_pt_lock();
	size = follow_pte(init_pgd, (uint64_t)addr, &pa, &prot);
	kernel_pt_unlock(irq);
	return size && PFN_DOWN(pa) < max_pfn ? pfn_to_page(PFN_DOWN(pa)) : NULL;
}

unsigned long vmalloc_to_pfn(const void *addr)
{
	struct page *page = vmalloc_to_page(addr);

	return page ? page_to_pfn(page) : 0;
}
