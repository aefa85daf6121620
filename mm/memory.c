/*
 * Anonymous memory in an address space: the page-table side of what a VMA promises.
 *  - do_anonymous_page: the first touch of a page of an anonymous VMA gets a zeroed frame
 *    mapped with the VMA's rights (demand paging: reserving address space costs no memory);
 *    in a shared one the frame is the shmem object's (mm/shmem.c), the same for every
 *    process that maps it.
 *  - do_wp_page: a write to a present read-only page of a writable VMA. In a private VMA
 *    that is copy-on-write: the frame is shared (after fork), so the writer gets a copy; or
 *    it is no longer shared (mapcount 1), so the writer just gets write access back, as in
 *    a shared VMA (after mprotect took write access away and gave it back).
 *  - copy_anon_range (fork): the child maps the parent's frames; in a private writable
 *    VMA both sides lose write access, so the first write of either copies.
 *  - zap_vma_range (munmap, exit): unmap and give the frames back after the TLB flush.
 * A frame's page->mapcount counts the page-table entries that map it and page->refcount
 * the references (one per mapping here), so a shared frame is freed by its last unmapper.
 * Unlike Linux a read fault maps a new zeroed frame, not the shared zero page: one fault
 * per page touched, whatever the access, which keeps the fault count easy to reason about.
 * Callers hold mm->mmap_lock (the fault handler for reading), and run with interrupts off
 * (one CPU: the counts need no atomics yet). docs/paging.md, "The page-fault handler".
 */
#include <kernel/oops.h>
#include <lib/errno.h>
#include <lib/list.h>
#include <lib/string.h>
#include <mm/gfp.h>
#include <mm/memory.h>
#include <mm/pgtable.h>
#include <mm/shmem.h>
#include <mm/swap.h>
#include <mm/vma.h>
#include <mm/vmstat.h>

/* The leaf rights for a page of a VMA with @vm_flags (write access only if @writable). */
pteval_t vm_page_prot(unsigned long vm_flags, bool writable)
{
	pteval_t prot = _PAGE_PRESENT | _PAGE_USER;

	if (writable && (vm_flags & VM_WRITE))
		prot |= _PAGE_RW;
	if (!(vm_flags & VM_EXEC))
		prot |= _PAGE_NX;
	if (!(vm_flags & VM_ACCESS_FLAGS))
		prot &= ~_PAGE_USER;	/* PROT_NONE: present for the kernel, never for the user */
	return prot;
}

static void mm_tlb_init(struct tlb_batch *tlb, struct mm_struct *mm)
{
	tlb_batch_init(tlb, &mm->pt_ops);
	tlb->mm = mm;
}

int do_anonymous_page(struct vm_area_struct *vma, uint64_t addr)
{
	struct mm_struct *mm = vma->vm_mm;
	bool zero = !(vma->vm_flags & VM_BENCH_NOZERO);
	struct page *page;
	struct tlb_batch tlb;
	int err;

	if (vma->vm_file)	/* shared: the object's page, maybe another process's already */
		page = shmem_get_page(vma->vm_file, vma->vm_pgoff +
				      ((addr - vma->vm_start) >> PAGE_SHIFT));
	else
		page = alloc_page((zero ? GFP_KERNEL | __GFP_ZERO : GFP_KERNEL) | __GFP_NORETRY |
				  __GFP_NOWARN);	/* the fault path reclaims (or OOM-kills) unlocked */
	if (!page)
		return -ENOMEM;
	mm_tlb_init(&tlb, mm);
	err = map_pages(mm->pgd, addr & ~(PAGE_SIZE - 1), page_to_phys(page), PAGE_SIZE,
			vm_page_prot(vma->vm_flags, true), 0, &tlb);
	tlb_flush_batch(&tlb);	/* only a failed map leaves something to flush */
	if (err) {
		put_page(page);
		return err;
	}
	page_map_inc(page);
	inc_mm_counter(mm, MM_ANONPAGES);
	return 0;
}

/* Replace the frame mapped at @va (a 4 KiB leaf) by @page, writable. */
static int replace_page(struct vm_area_struct *vma, uint64_t va, struct page *page)
{
	struct mm_struct *mm = vma->vm_mm;
	struct tlb_batch tlb;
	int err;

	mm_tlb_init(&tlb, mm);
	err = unmap_range(mm->pgd, va, PAGE_SIZE, &tlb);
	if (!err)
		err = map_pages(mm->pgd, va, page_to_phys(page), PAGE_SIZE,
				vm_page_prot(vma->vm_flags, true), 0, &tlb);
	tlb_flush_batch(&tlb);	/* the old translation is gone before the old frame is put */
	return err;
}

/* Give the page at @va write access back (widening needs no flush before use). */
static int make_writable(struct mm_struct *mm, uint64_t va)
{
	struct tlb_batch tlb;
	int err;

	mm_tlb_init(&tlb, mm);
	err = protect_range(mm->pgd, va, PAGE_SIZE, _PAGE_RW, 0, &tlb);
	tlb_flush_batch(&tlb);	/* a stale read-only entry would only cost a spurious fault */
	return err;
}

int do_wp_page(struct vm_area_struct *vma, uint64_t addr, uint64_t pa)
{
	struct mm_struct *mm = vma->vm_mm;
	struct page *old = pfn_to_page(pa >> PAGE_SHIFT), *copy;
	uint64_t va = addr & ~(PAGE_SIZE - 1);
	int err;

	/* A shared mapping writes the frame itself; a private one no one else maps takes it. */
	if (!is_cow_mapping(vma->vm_flags) || old->mapcount == 1) {
		err = make_writable(mm, va);
		return err ? err : WP_REUSED;
	}
	copy = alloc_page(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);	/* as above */
	if (!copy)
		return -ENOMEM;
	copy_page(page_address(copy), page_address(old));
	err = replace_page(vma, va, copy);
	if (err) {
		__free_page(copy);
		return err;
	}
	copy->mapcount = 1;
	page_map_dec(old);
	put_page(old);
	return WP_COPIED;
}

/* unmap_range's release hook: account for a cleared leaf, keep the frame until the flush. */
static void release_anon(struct tlb_batch *tlb, uint64_t va, uint64_t old, uint64_t size)
{
	struct page *page = pfn_to_page((old & PTE_ADDR_MASK) >> PAGE_SHIFT);
	struct list_head *freed = tlb->release_arg;

	(void)va;
	BUG_ON(size != PAGE_SIZE);	/* anonymous memory is mapped in 4 KiB pages only */
	if (is_swap_pte(old)) {		/* out on swap: only the slot to give back */
		swap_free(pte_to_swp_slot(old));
		dec_mm_counter(tlb->mm, MM_SWAPENTS);
		return;
	}
	page_map_dec(page);
	dec_mm_counter(tlb->mm, MM_ANONPAGES);
	if (page->refcount == 1)
		list_add(&page->lru, freed);	/* the last reference: free after the flush */
	else
		put_page(page);			/* others still map it: just drop ours */
}

int zap_vma_range(struct mm_struct *mm, uint64_t start, uint64_t end)
{
	struct list_head freed = LIST_HEAD_INIT(freed);
	struct tlb_batch tlb;
	int err;

	mm_tlb_init(&tlb, mm);
	tlb.release = release_anon;
	tlb.release_arg = &freed;
	err = unmap_range(mm->pgd, start, end - start, &tlb);
	tlb_flush_batch(&tlb);
	while (!list_empty(&freed)) {
		struct page *page = list_first_entry(&freed, struct page, lru);

		list_del(&page->lru);
		put_page(page);
	}
	return err;
}

int copy_anon_range(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	bool cow = is_cow_mapping(src->vm_flags);
	struct tlb_batch tlb;
	int err = 0;

	mm_tlb_init(&tlb, src->vm_mm);
	if (cow)	/* the parent loses write access too: its next write copies */
		err = protect_range(src->vm_mm->pgd, src->vm_start, src->vm_end - src->vm_start, 0,
				    _PAGE_RW, &tlb);
	tlb_flush_batch(&tlb);
	mm_tlb_init(&tlb, dst->vm_mm);
	for (uint64_t va = src->vm_start; va < src->vm_end && !err; va += PAGE_SIZE) {
		uint64_t pa;
		pteval_t prot;
		struct page *page;

		pteval_t pte = read_pte(src->vm_mm->pgd, va);

		if (is_swap_pte(pte)) {	/* the child holds the slot too */
			swap_dup(pte_to_swp_slot(pte));
			err = install_swap_pte(dst->vm_mm->pgd, va, pte, &tlb);
			if (err) {
				swap_free(pte_to_swp_slot(pte));
				break;
			}
			inc_mm_counter(dst->vm_mm, MM_SWAPENTS);
			continue;
		}
		if (follow_pte(src->vm_mm->pgd, va, &pa, &prot) != PAGE_SIZE) {
			/* Skip whole missing tables: a fork must not visit every page of a huge,
			 * untouched reservation (this runs under the mmap lock, unpreemptible). */
			uint64_t next = hole_end(src->vm_mm->pgd, va);

			if (next > va + PAGE_SIZE)
				va = next - PAGE_SIZE;
			else if (!next)
				break;
			continue;
		}
		page = pfn_to_page(pa >> PAGE_SHIFT);
		err = map_pages(dst->vm_mm->pgd, va, pa & PTE_ADDR_MASK, PAGE_SIZE,
				prot & ~(_PAGE_ACCESSED | _PAGE_DIRTY), 0, &tlb);
		if (err)
			break;
		get_page(page);
		page_map_inc(page);
		inc_mm_counter(dst->vm_mm, MM_ANONPAGES);
	}
	tlb_flush_batch(&tlb);
	return err;
}

int do_swap_page(struct mm_struct *mm, uint64_t addr, pteval_t entry)
{
	unsigned long slot = pte_to_swp_slot(entry);
	uint64_t va = addr & ~(PAGE_SIZE - 1);
	struct vm_area_struct *vma;
	struct page *page = alloc_page(GFP_KERNEL);
	struct tlb_batch tlb;
	int err;

	if (!page)
		return -ENOMEM;
	err = swap_readpage(page, slot);	/* sleeps; waits for a write of it first */
	if (err) {
		__free_page(page);
		return err;
	}
	mmap_read_lock(mm);
	vma = vma_lookup(mm, va);
	mm_tlb_init(&tlb, mm);
	err = vma ? exchange_pte(mm->pgd, va, entry, page_to_phys(page) |
				 vm_page_prot(vma->vm_flags, true), &tlb) : -EFAULT;
	tlb_flush_batch(&tlb);
	if (!err) {
		page->mapcount = 1;	/* a private copy: the slot's other holders read their own */
		inc_mm_counter(mm, MM_ANONPAGES);
		dec_mm_counter(mm, MM_SWAPENTS);
		mm->maj_flt++;
	}
	mmap_read_unlock(mm);
	if (err) {		/* unmapped (-EFAULT), or brought back by another fault (-EAGAIN) */
		__free_page(page);
		return err;
	}
	swap_free(slot);
	return 0;
}
