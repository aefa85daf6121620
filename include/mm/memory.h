/*
 * Anonymous memory of an address space (mm/memory.c): demand-zero pages, copy-on-write,
 * fork's copy of a VMA's mappings, and unmapping with the frames freed after the flush.
 * Callers hold the mm's mmap_lock. Errors: -ENOMEM (no frame or no table page).
 */
#ifndef MM_MEMORY_H
#define MM_MEMORY_H

#include <mm/mm_types.h>

/* Leaf rights for a page of a VMA with @vm_flags; write access only if @writable too. */
pteval_t vm_page_prot(unsigned long vm_flags, bool writable);

/* Map a zeroed frame at @addr (not mapped yet) of anonymous @vma. */
int do_anonymous_page(struct vm_area_struct *vma, uint64_t addr);

/*
 * A write to the read-only page at @addr (frame @pa) of a writable @vma: copy it (a shared
 * private frame) or make it writable. Returns WP_COPIED, WP_REUSED or -ENOMEM.
 */
enum { WP_REUSED = 1, WP_COPIED = 2 };
int do_wp_page(struct vm_area_struct *vma, uint64_t addr, uint64_t pa);

/* Unmap [start, end) of @mm, accounting and freeing the frames (after the TLB flush). */
int zap_vma_range(struct mm_struct *mm, uint64_t start, uint64_t end);

/*
 * The PTE at @addr of @mm holds swap entry @entry: read the page back and map it (a major
 * fault). Sleeps: the caller holds no lock; this one takes the mmap_lock to map. 0 when
 * the access can be retried, -EAGAIN when it can be but another fault (or an unmap and a
 * new mapping) changed the entry first, or -errno.
 */
int do_swap_page(struct mm_struct *mm, uint64_t addr, pteval_t entry);

/* fork: map @src's frames into @dst (same range), write-protecting both if copy-on-write. */
int copy_anon_range(struct vm_area_struct *dst, struct vm_area_struct *src);

#endif
