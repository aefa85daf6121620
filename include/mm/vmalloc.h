/*
 * vmalloc, vmap and ioremap: kernel memory that is contiguous in virtual addresses only,
 * in the vmalloc area [VMALLOC_START, VMALLOC_END] (32 TiB, include/asm/layout.h).
 *
 *   vmalloc(size)   order-0 pages from the buddy allocator, any frames, mapped at once
 *                   (eagerly) one after another: it works when physical memory is too
 *                   fragmented for a kmalloc of that size. Process context only: it may
 *                   sleep on Linux, so it is refused (with a warning) in atomic context.
 *   vfree(addr)     unmaps at once, frees the pages after the TLB flush that makes them
 *                   unreachable; from an interrupt handler it is deferred, not refused.
 *   vmap(pages, n)  the caller's pages, mapped contiguously; vunmap takes the mapping away
 *                   and leaves the pages to the caller.
 *   ioremap(p, n)   device registers at physical p, uncached and not executable
 *                   (include/asm/io.h); iounmap.
 * Every area is followed by an unmapped guard page. A freed range is reused only after a
 * batched TLB flush, the lazy purge: a whole flush once lazy_max_pages() pages are waiting,
 * instead of one per vfree. Kernel stacks are vmalloc areas (kernel/kstack.c: VMAP_STACK).
 * The range allocator is mm/vmap_area.c; the areas, vmap and the purge mm/vmalloc.c;
 * vmalloc/vfree mm/vmalloc_pages.c; `vmallocinfo` mm/vmallocinfo.c. docs/vmalloc.md.
 */
#ifndef MM_VMALLOC_H
#define MM_VMALLOC_H

#include <asm/layout.h>
#include <mm/gfp.h>
#include <mm/pgtable.h>

/* vm_struct flags, Linux's values; vmallocinfo names them. */
#define VM_IOREMAP	0x00000001ul	/* ioremap: device memory at phys_addr */
#define VM_ALLOC	0x00000002ul	/* vmalloc: the area owns its pages */
#define VM_MAP		0x00000004ul	/* vmap: the caller's pages */

/* One area (Linux's struct vm_struct). */
struct vm_struct {
	struct vm_struct *next;		/* on the list of vfree calls deferred from interrupts */
	void *addr;			/* the first byte */
	unsigned long size;		/* bytes, the guard page included (as Linux counts) */
	unsigned long flags;		/* VM_* */
	struct page **pages;		/* VM_ALLOC, VM_MAP: the frames, in address order */
	unsigned int nr_pages;
	uint64_t phys_addr;		/* VM_IOREMAP: where the device's registers are */
	const void *caller;		/* who asked, for vmallocinfo */
	struct vmap_area *va;		/* its piece of the range (mm/vmap_area.c) */
};

/* The bytes an area offers: its size without the guard page. */
static inline unsigned long get_vm_area_size(const struct vm_struct *vm)
{
	return vm->size - PAGE_SIZE;
}

static inline bool is_vmalloc_addr(const void *x)
{
	uint64_t a = (uint64_t)x;

	return a >= VMALLOC_START && a <= VMALLOC_END;
}

void *vmalloc(unsigned long size);
void *vzalloc(unsigned long size);		/* vmalloc, zeroed */
void *__vmalloc(unsigned long size, gfp_t gfp);	/* GFP_KERNEL, maybe | __GFP_ZERO */
/* The same on behalf of @caller (who vmallocinfo names): for wrappers like kstack_alloc. */
void *__vmalloc_caller(unsigned long size, gfp_t gfp, const void *caller);
void vfree(const void *addr);			/* NULL is ignored; bad pointers reported */

/* Map @count pages at one contiguous address with @prot; @flags: VM_MAP. NULL on failure. */
void *vmap(struct page **pages, unsigned int count, unsigned long flags, pteval_t prot);
void vunmap(const void *addr);

/* The page that maps @addr in the vmalloc area, or NULL (not mapped, or no RAM). */
struct page *vmalloc_to_page(const void *addr);
unsigned long vmalloc_to_pfn(const void *addr);

/*
 * Just the range, for code that maps it itself (tests, benchmarks): @size bytes (rounded
 * up to pages) at an address aligned to @align (a power of two, at least PAGE_SIZE).
 * The caller maps and unmaps under kernel_pt_lock and flushes; free_vm_area unmaps what
 * is left and gives the range back lazily. (Linux's __get_vm_area_caller takes a range
 * instead of an alignment.)
 */
struct vm_struct *get_vm_area(unsigned long size, unsigned long flags);
struct vm_struct *__get_vm_area_caller(unsigned long size, unsigned long align,
				       unsigned long flags, const void *caller);
void free_vm_area(struct vm_struct *area);
/* The area that starts at @addr, or NULL. Unlocked: for the area's owner only. */
struct vm_struct *find_vm_area(const void *addr);

/* Flush and reuse every lazily freed range now (Linux's name for the purge on demand). */
void vm_unmap_aliases(void);
/* Pages (guards included) freed lazily before a purge is due. */
unsigned long lazy_max_pages(void);

/* Counters: /proc/meminfo's VmallocUsed (pages vmalloc holds) and VmallocChunk. */
unsigned long vmalloc_nr_pages(void);
unsigned long vmalloc_largest_free(void);

/* Lazy purges are counted in vmstat (nr_vmalloc_purge); the rest here. */
struct vmalloc_stats {
	unsigned long purged_pages;	/* pages (guards included) purges made reusable */
	unsigned long deferred;		/* vfree calls deferred from interrupt context */
	unsigned long bad_frees;	/* vfree/vunmap/iounmap of what was not such an area */
	unsigned long refused;		/* vmalloc/vmap/ioremap refused in atomic context */
};
extern struct vmalloc_stats vmalloc_stats;

/* Print every area as /proc/vmallocinfo does (the shell's vmallocinfo). */
void vmallocinfo_show(void);

void vmalloc_init(void);	/* mm_init, once the slab allocator is up */

#endif
