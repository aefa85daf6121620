/*
 * The vmalloc area's areas: a struct vm_struct over a piece of the range (the allocator is
 * mm/vmap_area.c), mapped into init_pgd, and taken back with the lazy purge; vmap/vunmap.
 *
 * Freeing is lazy (docs/vmalloc.md, "The lazy purge"). free_area_lazily unmaps an area
 * at once, recording the unmap in one shared TLB batch (lazy_tlb) without flushing, and
 * puts the area on the lazy list. When more than lazy_max_pages() pages wait, or when an
 * allocation finds no room, purge_lazy_areas takes the whole list, flushes the batch once
 * (one whole flush for all of them) and only then frees the frames and gives the ranges
 * back. So a range reaches a new owner only after a flush: no TLB can still translate it
 * to the frames of the old one.
 * The tables stay: unmaps here never free page tables (lazy_tlb.keep_tables, as Linux),
 * so a late flush can never leave a CPU walking through a table page that was reused.
 *
 * Locks: vmap_area_lock guards the range allocator; kernel_pt_lock guards init_pgd and
 * lazy_tlb. An area is unmapped before it joins the lazy list and a purge takes the list
 * before it flushes, so every unmap of a taken area is in the flush.
 * Invariant: a vm_struct is on exactly one of the busy tree (in use), the lazy list, or a
 * purge's private list (its unmap flushed or being flushed); its frames are freed only
 * after the flush that covers its unmap.
 */
#define pr_fmt(fmt) "vmalloc: " fmt

#include <kernel/ksyms.h>
#include <kernel/oops.h>
#include <kernel/preempt.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/vmap_area.h>
#include <mm/vmstat.h>
#include "vmalloc_internal.h"

/*
 * Freed pages that may wait for a flush: 8 MiB worth, at most 1/16 of RAM. Linux allows
 * 32 MiB times log2(CPUs) but frees the frames at vfree; we hold them until the flush, so
 * the bound is also memory held (2048 pages: 6% of a 128 MiB machine, and any vmalloc that
 * runs short purges first). A whole flush plus the TLB refills after it cost on the order
 * of ten thousand cycles; spread over the 410 vfree(16 KiB) that share one purge (5 pages
 * each with the guard) that is a few dozen cycles per vfree, against a flush per vfree.
 */
#define LAZY_MAX_BYTES	(8ul << 20)

/* Pages mapped per hold of kernel_pt_lock: interrupts stay off for at most 2 MiB of PTEs. */
#define MAP_CHUNK_PAGES	512

static struct vmap_space vmap_space;
static DEFINE_SPINLOCK(vmap_area_lock);
static struct tlb_batch lazy_tlb;	/* unmaps of lazily freed areas; kernel_pt_lock */
static struct kmem_cache *vmap_area_cachep;
static bool vmalloc_up;
struct vmalloc_stats vmalloc_stats;

static struct vmap_area *va_alloc(void)
{
	return kmem_cache_alloc(vmap_area_cachep, GFP_ATOMIC);	/* under vmap_area_lock */
}

static void va_free(struct vmap_area *va)
{
	kmem_cache_free(vmap_area_cachep, va);
}

void vmalloc_init(void)
{
	vmap_area_cachep = KMEM_CACHE(vmap_area, 0);
	if (!vmap_area_cachep ||
	    vmap_space_init(&vmap_space, VMALLOC_START, VMALLOC_END + 1, va_alloc, va_free))
		panic("vmalloc: no memory to set up the vmalloc area");
	tlb_batch_init(&lazy_tlb, &kernel_pt_ops);
	lazy_tlb.keep_tables = true;
	vmalloc_up = true;
	pr_info("area 0x%016llx-0x%016llx (%llu TiB), a guard page after every area, "
		"lazy purge above %lu pages\n", (unsigned long long)VMALLOC_START,
		(unsigned long long)VMALLOC_END,
		(unsigned long long)(VMALLOC_END + 1 - VMALLOC_START) >> 40,
		lazy_max_pages());
}

unsigned long lazy_max_pages(void)
{
	return MIN(LAZY_MAX_BYTES >> PAGE_SHIFT, totalram_pages() / 16);
}

bool vmalloc_context_ok(const char *fn, const void *caller)
{
	char sym[KSYM_NAME_LEN];

	if (!in_atomic() && !irqs_disabled())
		return true;
	sprint_symbol(sym, sizeof(sym), (uint64_t)caller);
	pr_warn("%s from atomic context refused (preempt_count %#x, interrupts %s), called "
		"from %s\n", fn, preempt_count(), irqs_disabled() ? "off" : "on", sym);
	/* Linux's WARN format, naming the caller; the trace shows how it got here. */
	warn_slowpath(__FILE__, __LINE__, "in_atomic() || irqs_disabled()", (uint64_t)caller);
	vmalloc_stats.refused++;
	return false;
}

/* ---- getting an area ---- */

/* The lazy purge: flush once for every area waiting, then free them for real. */
static void purge_lazy_areas(void)
{
	struct vmap_area *va, *n;
	struct list_head list;
	unsigned long irq, pages;
	bool flushed = false;

	irq = spin_lock_irqsave(&vmap_area_lock);
	pages = vmap_area_take_lazy(&vmap_space, &list);
	spin_unlock_irqrestore(&vmap_area_lock, irq);
	if (!pages)
		return;
	irq = kernel_pt_lock();
	if (!tlb_batch_empty(&lazy_tlb)) {	/* empty: nothing was mapped, or purged already */
		tlb_flush_batch(&lazy_tlb);
		flushed = true;
	}
	kernel_pt_unlock(irq);
	if (flushed)
		count_vm_event(NR_VMALLOC_PURGE);
	__atomic_fetch_add(&vmalloc_stats.purged_pages, pages, __ATOMIC_RELAXED);
	list_for_each_entry_safe(va, n, &list, list) {
		struct vm_struct *vm = va->vm;

		irq = spin_lock_irqsave(&vmap_area_lock);
		vmap_area_release(&vmap_space, va);
		spin_unlock_irqrestore(&vmap_area_lock, irq);
		if (vm->flags & VM_ALLOC)
			vm_free_pages(vm);
		kfree(vm);
	}
}

void vm_unmap_aliases(void)
{
	vfree_drain();
	purge_lazy_areas();
}

struct vm_struct *__get_vm_area_caller(unsigned long size, unsigned long align,
				       unsigned long flags, const void *caller)
{
	struct vmap_area *va = NULL;
	struct vm_struct *vm;
	unsigned long irq;
	int err = -ENOSPC;

	if (!vmalloc_up || !size || size > VMALLOC_END - VMALLOC_START)
		return NULL;
	size = ALIGN_UP(size, PAGE_SIZE);
	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return NULL;
	for (int tries = 0; tries < 2 && err == -ENOSPC; tries++) {
		if (tries)
			purge_lazy_areas();	/* freed ranges come back only with their flush */
		irq = spin_lock_irqsave(&vmap_area_lock);
		err = vmap_area_alloc(&vmap_space, size, align, &va);
		if (!err)
			va->vm = vm;
		spin_unlock_irqrestore(&vmap_area_lock, irq);
	}
	if (err) {
		pr_warn("no room for %lu bytes aligned to %lu: %s\n", size, align,
			err == -ENOSPC ? "the area is full" : "out of memory");
		kfree(vm);
		return NULL;
	}
	vm->addr = (void *)va->va_start;
	vm->size = size + VMAP_GUARD_SIZE;
	vm->flags = flags;
	vm->caller = caller;
	vm->va = va;
	return vm;
}

struct vm_struct *get_vm_area(unsigned long size, unsigned long flags)
{
	return __get_vm_area_caller(size, PAGE_SIZE, flags, __builtin_return_address(0));
}

struct vm_struct *find_vm_area(const void *addr)
{
	unsigned long irq = spin_lock_irqsave(&vmap_area_lock);
	struct vmap_area *va = vmap_area_find(&vmap_space, (unsigned long)addr);
	struct vm_struct *vm = va && va->va_start == (unsigned long)addr ? va->vm : NULL;

	spin_unlock_irqrestore(&vmap_area_lock, irq);
	return vm;
}

/* ---- mapping ---- */

int vmap_pages_range(uint64_t addr, struct page *const *pages, unsigned int n, pteval_t prot)
{
	struct tlb_batch tlb;
	int err = 0;

	tlb_batch_init(&tlb, &kernel_pt_ops);
	tlb.keep_tables = true;
	for (unsigned int chunk = 0; chunk < n && !err; chunk += MAP_CHUNK_PAGES) {
		unsigned int end = MIN(n, chunk + MAP_CHUNK_PAGES), j;
		unsigned long irq = kernel_pt_lock();

		for (unsigned int i = chunk; i < end && !err; i = j) {
			unsigned long pfn = page_to_pfn(pages[i]);

			for (j = i + 1; j < end && page_to_pfn(pages[j]) == pfn + (j - i); j++)
				;
			err = map_pages(init_pgd, addr + (uint64_t)i * PAGE_SIZE, PFN_PHYS(pfn),
					(uint64_t)(j - i) * PAGE_SIZE, prot, 0, &tlb);
		}
		tlb_flush_batch(&tlb);	/* empty unless a map failed and undid itself */
		kernel_pt_unlock(irq);
	}
	return err;
}

int vmap_phys_range(uint64_t addr, uint64_t phys, uint64_t size, pteval_t prot)
{
	const uint64_t chunk = (uint64_t)MAP_CHUNK_PAGES * PAGE_SIZE;
	struct tlb_batch tlb;
	int err = 0;

	tlb_batch_init(&tlb, &kernel_pt_ops);
	tlb.keep_tables = true;
	for (uint64_t off = 0; off < size && !err; off += chunk) {
		unsigned long irq = kernel_pt_lock();

		err = map_pages(init_pgd, addr + off, phys + off, MIN(chunk, size - off), prot, 0,
				&tlb);
		tlb_flush_batch(&tlb);
		kernel_pt_unlock(irq);
	}
	return err;
}

/* ---- giving an area back ---- */

void free_area_lazily(struct vm_struct *vm)
{
	unsigned long irq = kernel_pt_lock();
	bool due;

	/* Only 4 KiB pages in here (nothing to split), so this cannot fail. */
	WARN_ON(unmap_range(init_pgd, (uint64_t)vm->addr, get_vm_area_size(vm), &lazy_tlb));
	kernel_pt_unlock(irq);
	irq = spin_lock_irqsave(&vmap_area_lock);
	vmap_area_free_lazy(&vmap_space, vm->va);
	due = vmap_space.lazy_pages > lazy_max_pages();
	spin_unlock_irqrestore(&vmap_area_lock, irq);
	if (due)
		purge_lazy_areas();
}

void free_area_unmapped(struct vm_struct *vm)
{
	unsigned long irq = spin_lock_irqsave(&vmap_area_lock);

	vmap_area_free(&vmap_space, vm->va);
	spin_unlock_irqrestore(&vmap_area_lock, irq);
	kfree(vm);
}

static const char *kind(unsigned long flags)
{
	return flags & VM_ALLOC ? "vmalloc" : flags & VM_MAP ? "vmap" :
	       flags & VM_IOREMAP ? "ioremap" : "get_vm_area";
}

static const char *release_fn(unsigned long flags)
{
	return flags & VM_ALLOC ? "vfree" : flags & VM_MAP ? "vunmap" :
	       flags & VM_IOREMAP ? "iounmap" : "free_vm_area";
}

/* Why @addr is no area its caller may free, in @buf (under vmap_area_lock). */
static void explain_bad_free(char *buf, size_t size, const void *addr, unsigned long flags)
{
	uint64_t a = (uint64_t)addr;
	struct vmap_area *va;
	struct vm_struct *vm;

	switch (vmap_addr_state(&vmap_space, a, &va)) {
	case VMAP_OUTSIDE:
		snprintf(buf, size, "not a vmalloc address%s",
			 a >= PAGE_OFFSET && a < VMALLOC_START ?
			 " (direct-mapped memory: kmalloc'd? then kfree it)" : "");
		return;
	case VMAP_FREE:
		snprintf(buf, size, "no area there (freed and purged already, or never allocated)");
		return;
	case VMAP_LAZY:
	case VMAP_PURGING:
		snprintf(buf, size,
			 "double free: the area was freed already, its flush is pending");
		return;
	case VMAP_BUSY:
		break;
	}
	vm = va->vm;
	if (va->va_start != a)
		snprintf(buf, size, "inside the %s area 0x%016lx-0x%016lx, not at its start",
			 kind(vm->flags), va->va_start, va->va_end);
	else if (vm->flags & VM_DYING)
		snprintf(buf, size, "double free: the area is being freed already");
	else
		snprintf(buf, size, "the area was made by %s: free it with %s", kind(vm->flags),
			 release_fn(vm->flags));
	(void)flags;
}

struct vm_struct *claim_area(const void *addr, unsigned long flags, const char *fn,
			     const void *caller)
{
	unsigned long irq = spin_lock_irqsave(&vmap_area_lock);
	struct vmap_area *va = vmap_area_find(&vmap_space, (unsigned long)addr);
	struct vm_struct *vm = va ? va->vm : NULL;
	char why[128], sym[KSYM_NAME_LEN];

	if (vm && vm->addr == addr && !(vm->flags & VM_DYING) && (!flags || (vm->flags & flags))) {
		vm->flags |= VM_DYING;
		spin_unlock_irqrestore(&vmap_area_lock, irq);
		return vm;
	}
	explain_bad_free(why, sizeof(why), addr, flags);
	spin_unlock_irqrestore(&vmap_area_lock, irq);
	sprint_symbol(sym, sizeof(sym), (uint64_t)caller);
	pr_err("%s(%p) from %s: %s\n", fn, addr, sym, why);
	__atomic_fetch_add(&vmalloc_stats.bad_frees, 1, __ATOMIC_RELAXED);
	return NULL;
}

void free_vm_area(struct vm_struct *area)
{
	struct vm_struct *vm = claim_area(area ? area->addr : NULL, 0, "free_vm_area",
					  __builtin_return_address(0));

	if (vm)
		free_area_lazily(vm);
}

/* ---- vmap ---- */

void *vmap(struct page **pages, unsigned int count, unsigned long flags, pteval_t prot)
{
	const void *caller = __builtin_return_address(0);
	struct vm_struct *vm;

	if (!vmalloc_context_ok("vmap", caller) || !count || count > totalram_pages())
		return NULL;
	vm = __get_vm_area_caller((unsigned long)count << PAGE_SHIFT, PAGE_SIZE, VM_MAP | flags,
				  caller);
	if (!vm)
		return NULL;
	if (vmap_pages_range((uint64_t)vm->addr, pages, count, prot)) {
		free_area_lazily(vm);
		return NULL;
	}
	return vm->addr;
}

void vunmap(const void *addr)
{
	const void *caller = __builtin_return_address(0);
	struct vm_struct *vm;

	if (!addr)
		return;
	if (in_interrupt()) {
		pr_err("vunmap(%p) from an interrupt handler refused: it would unmap there\n",
		       addr);
		return;
	}
	vm = claim_area(addr, VM_MAP, "vunmap", caller);
	if (vm)
		free_area_lazily(vm);
}

/* ---- numbers ---- */

unsigned long vmalloc_largest_free(void)
{
	unsigned long irq = spin_lock_irqsave(&vmap_area_lock);
	unsigned long n = vmalloc_up ? vmap_largest_free(&vmap_space) : 0;

	spin_unlock_irqrestore(&vmap_area_lock, irq);
	return n;
}

static void info_of(struct vm_info *i, const struct vmap_area *va, bool lazy)
{
	const struct vm_struct *vm = va->vm;

	*i = (struct vm_info){ .start = va->va_start, .end = va->va_end, .lazy = lazy };
	if (lazy)
		return;
	i->flags = vm->flags;
	i->nr_pages = vm->nr_pages;
	i->phys_addr = vm->phys_addr;
	i->caller = vm->caller;
}

unsigned int vmap_collect(struct vm_info *out, unsigned int max)
{
	unsigned long irq = spin_lock_irqsave(&vmap_area_lock);
	unsigned int n = 0;
	struct vmap_area *va;

	for (va = vmap_area_first(&vmap_space); va; va = vmap_area_next(va), n++)
		if (n < max)
			info_of(&out[n], va, false);
	list_for_each_entry(va, &vmap_space.lazy_list, list) {
		if (n < max)
			info_of(&out[n], va, true);
		n++;
	}
	spin_unlock_irqrestore(&vmap_area_lock, irq);
	return n;
}
