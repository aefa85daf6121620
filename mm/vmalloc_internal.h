/*
 * What the files of the vmalloc area share and no one else uses: mm/vmalloc.c (areas,
 * mapping, the lazy purge, vmap), mm/vmalloc_pages.c (vmalloc, vfree), mm/ioremap.c and
 * mm/vmallocinfo.c. Not an interface; include/mm/vmalloc.h is.
 */
#ifndef MM_VMALLOC_INTERNAL_H
#define MM_VMALLOC_INTERNAL_H

#include <mm/vmalloc.h>

/* Set in vm->flags, under the area lock, by the one caller that frees the area. */
#define VM_DYING	0x80000000ul
/* vm->pages was itself vmalloc'd (vmallocinfo's "vpages"). */
#define VM_PAGES_VMALLOC 0x40000000ul

/*
 * vmalloc, vmap, ioremap may sleep on Linux: refuse them in atomic context (a spinlock
 * held, preemption or interrupts off, an interrupt handler) with a warning naming
 * @caller. True when the context is fine.
 */
bool vmalloc_context_ok(const char *fn, const void *caller);

/*
 * Map the pages (runs of contiguous frames with one map_pages call each) or the physical
 * range at @addr with @prot, under kernel_pt_lock. 0 or -ENOMEM; on failure what was
 * mapped stays for the caller's free_area_lazily to take away.
 */
int vmap_pages_range(uint64_t addr, struct page *const *pages, unsigned int n, pteval_t prot);
int vmap_phys_range(uint64_t addr, uint64_t phys, uint64_t size, pteval_t prot);

/*
 * The area that starts at @addr and has one of @flags (0: any kind, for free_vm_area),
 * marked VM_DYING under the lock so that no second free of it can go on. NULL with a
 * report naming @fn and @caller for anything else: not a vmalloc address, the middle of
 * an area, a double free, an area of another kind.
 */
struct vm_struct *claim_area(const void *addr, unsigned long flags, const char *fn,
			     const void *caller);

/*
 * Unmap a claimed area now (the TLB may still hold it) and give it back at the next lazy
 * purge, which flushes first, then frees the frames of a VM_ALLOC area (vm_free_pages)
 * and the record.
 */
void free_area_lazily(struct vm_struct *vm);

/* An area that was never mapped goes back at once, and its record is freed. */
void free_area_unmapped(struct vm_struct *vm);

/* mm/vmalloc_pages.c, from the purge: the frames and page array of a vmalloc area. */
void vm_free_pages(struct vm_struct *vm);
/* Free the areas vfree deferred from interrupt handlers (process context). */
void vfree_drain(void);

/* For vmallocinfo: a copy of one area, taken under the lock. */
struct vm_info {
	uint64_t start, end;		/* the whole area, guard included */
	unsigned long flags;
	unsigned int nr_pages;
	uint64_t phys_addr;
	const void *caller;
	bool lazy;			/* freed, waiting for the purge ("unpurged vm_area") */
};

/* Copy up to @max areas in use (by address), then lazy ones; returns how many exist. */
unsigned int vmap_collect(struct vm_info *out, unsigned int max);

/* One /proc/vmallocinfo line for @i, newline included (mm/vmallocinfo.c). */
void vmallocinfo_format(char *buf, size_t size, const struct vm_info *i);

#endif
