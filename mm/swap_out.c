/*
 * Swap-out: reclaim's last resort before the OOM killer, for anonymous memory. There is
 * no reverse map from a page to the PTEs that map it, so this walks the other way, as
 * Linux 2.4's swap_out did: a clock hand goes round the processes and their private
 * anonymous VMAs, page by page. A page whose PTE has the accessed bit set was used since
 * the hand last passed: the bit is cleared (its second chance). One found unused, and
 * mapped by this PTE alone (not shared copy-on-write after a fork), is taken: its PTE
 * becomes a swap entry for a newly allocated slot, the TLB forgets it, and once the
 * mmap_lock is dropped the page is written to the slot and freed. A fault on it meanwhile
 * waits for that write (swap_readpage); after a write error the swap area keeps the page
 * (mm/swapfile.c), so the PTE stays a swap entry either way.
 * The accessed bit is cleared without a TLB flush, as Linux does on x86: a CPU holding the
 * translation does not set the bit again until the entry leaves its TLB, so a busy page
 * may look unused to the next pass; the cost is an early swap-out, never a wrong one.
 */
#include <kernel/process.h>
#include <kernel/signal.h>
#include <mm/gfp.h>
#include <mm/mmu_context.h>
#include <mm/page.h>
#include <mm/pgtable.h>
#include <mm/swap.h>
#include <mm/vma.h>
#include <sched/mutex.h>
#include <sched/task.h>

#define SWAP_BATCH	32	/* pages unmapped per hold of a process's mmap_lock */
#define SCAN_BUDGET	2048	/* entries looked at per hold: bounds the time preemption is off */

struct victim {
	struct page *page;
	unsigned long slot;
};

/* The clock hand: the process and the address it reached. */
static int hand_pid = 1;
static uint64_t hand_va;

/* The address space of the first process from pid @*pid on (wrapping once), referenced. */
static struct mm_struct *next_mm(int *pid)
{
	unsigned long flags = spin_lock_irqsave(&tasklist_lock);
	struct task_struct *p, *best = NULL, *lowest = NULL;
	struct mm_struct *mm = NULL;

	for_each_user_process(p) {
		if (!p->mm || (p->flags & PF_KTHREAD) || p->vfork_done)
			continue;	/* a vfork child's memory is its parent's, seen there */
		if (p->pid >= *pid && (!best || p->pid < best->pid))
			best = p;
		if (!lowest || p->pid < lowest->pid)
			lowest = p;
	}
	if (!best)
		best = lowest;
	if (best) {
		mm = best->mm;
		mmget(mm);
		if (best->pid != *pid)
			hand_va = 0;	/* a new process: from its first page */
		*pid = best->pid;
	}
	spin_unlock_irqrestore(&tasklist_lock, flags);
	return mm;
}

static bool swappable_vma(const struct vm_area_struct *vma)
{
	return !vma->vm_file && !(vma->vm_flags & VM_SHARED);	/* private anonymous */
}

/* Unmap up to SWAP_BATCH pages of @mm from hand_va on into @out; false when it is done. */
static bool scan_mm(struct mm_struct *mm, struct victim *out, unsigned int *n,
		    unsigned long *scanned)
{
	struct vm_area_struct *vma;
	struct tlb_batch tlb, young;
	unsigned int budget = SCAN_BUDGET;
	uint64_t va = hand_va;
	bool more = true;

	tlb_batch_init(&tlb, &mm->pt_ops);
	tlb.mm = mm;
	tlb_batch_init(&young, &mm->pt_ops);	/* never flushed: see the comment above */
	young.mm = mm;
	mmap_write_lock(mm);
	for (vma = find_vma(mm, va); vma && *n < SWAP_BATCH && budget; vma = vma_next(vma)) {
		if (!swappable_vma(vma))
			continue;
		for (va = MAX(va, vma->vm_start); va < vma->vm_end && *n < SWAP_BATCH && budget;
		     va += PAGE_SIZE) {
			pteval_t pte = read_pte(mm->pgd, va);
			struct page *page;
			unsigned long slot;

			budget--;	/* empty and swap entries cost a look too */
			if (!(pte & _PAGE_PRESENT)) {
				uint64_t next = pte ? 0 : hole_end(mm->pgd, va);

				if (next > va + PAGE_SIZE)	/* no table: skip what it covers */
					va = MIN(next, vma->vm_end) - PAGE_SIZE;
				continue;
			}
			(*scanned)++;
			page = pfn_to_page((pte & PTE_ADDR_MASK) >> PAGE_SHIFT);
			if (page->mapcount != 1 || page->refcount != 1)
				continue;	/* shared after fork, or held by someone */
			if (pte & _PAGE_ACCESSED) {
				exchange_pte(mm->pgd, va, pte, pte & ~_PAGE_ACCESSED, &young);
				continue;
			}
			slot = swap_alloc_slot();
			if (!slot)
				goto out;	/* the area is full */
			exchange_pte(mm->pgd, va, pte, swp_slot_to_pte(slot), &tlb);
			page->mapcount = 0;
			dec_mm_counter(mm, MM_ANONPAGES);
			inc_mm_counter(mm, MM_SWAPENTS);
			out[(*n)++] = (struct victim){ page, slot };
		}
		if (va < vma->vm_end)
			break;	/* the batch or the budget ran out inside this VMA */
	}
	more = vma != NULL;
out:
	hand_va = va;
	tlb_flush_batch(&tlb);	/* before the write: no CPU may change the page after it */
	mmap_write_unlock(mm);
	return more;
}

unsigned long shrink_anon(unsigned long nr, unsigned long *scanned)
{
	static struct victim batch[SWAP_BATCH];	/* kswapd and direct reclaim take turns */
	static DEFINE_MUTEX(swap_out_mutex);
	unsigned long freed = 0;
	int rounds = 0;

	*scanned = 0;
	if (!swap_active())
		return 0;
	mutex_lock(&swap_out_mutex);
	while (freed < nr && nr_free_swap_pages() && rounds++ < 64) {
		struct mm_struct *mm = next_mm(&hand_pid);
		unsigned int n = 0;

		if (!mm)
			break;
		if (!scan_mm(mm, batch, &n, scanned)) {
			hand_pid++;		/* this one is done: the next process */
			hand_va = 0;
		}
		for (unsigned int i = 0; i < n; i++) {
			if (!swap_writepage(batch[i].page, batch[i].slot))
				freed++;
			put_page(batch[i].page);	/* the batch's reference (a kept page has its own) */
		}
		mmput(mm);
	}
	mutex_unlock(&swap_out_mutex);
	return freed;
}
