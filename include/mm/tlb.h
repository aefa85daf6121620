/*
 * What a page-table change leaves for the TLB to forget: struct tlb_batch.
 *
 * The CPU caches translations (the TLB) and the upper entries it walked through (the
 * paging-structure caches); neither notices when an entry in memory changes. So every
 * call of mm/pgtable.c that changes or removes a present entry records it in a batch, and
 * the caller, when it is done with a group of changes, calls tlb_flush_batch() once. The
 * page-table code itself never flushes: it cannot know whether more changes follow, which
 * CPUs use the tables, or what the CPU offers (PCID, INVPCID).
 *
 * The contract, for every user of map_pages/unmap_range/protect_range:
 *  - tlb_batch_init() before the first call, with the page source of the tables;
 *  - one batch may collect several calls on the same page tables;
 *  - tlb_flush_batch() before the changes may matter: before the lock that serialises the
 *    tables is dropped, before a frame that was unmapped is freed or reused, before code
 *    relies on a protection that was taken away. After it the batch is empty again; what
 *    its owner set (page source, mm, release hook, keep_tables) stays.
 *  - table pages that an unmap left empty are unlinked at once but given back to the page
 *    source only by tlb_flush_batch(), after the flush: until then a CPU may still walk
 *    through them from its paging-structure caches.
 * Adding a mapping where there was none records nothing: x86 caches no "not present".
 *
 * tlb_flush_batch() is the kernel's mm/tlb.c (invlpg per page up to a ceiling, else a whole
 * flush); the host tests and benchmarks supply their own, which record what was asked.
 * docs/paging.md explains the TLB and why the batch exists.
 */
#ifndef MM_TLB_H
#define MM_TLB_H

#include <kernel/compiler.h>

struct pt_ops;
struct mm_struct;

/*
 * Above this many invlpg instructions one whole flush is cheaper (Linux's default
 * tlb_single_page_flush_ceiling, from measurements on Intel CPUs).
 */
#define TLB_SINGLE_PAGE_FLUSH_CEILING	33

struct tlb_batch {
	struct pt_ops *ops;		/* where unlinked table pages go after the flush */
	struct mm_struct *mm;		/* whose tables changed; NULL: the kernel half (init_mm) */
	/*
	 * Optional: called by unmap_range for every leaf it clears (@old: the entry, without
	 * PSE; @size: 4K, 2M or 1G), so the owner of the frames can account for them. The
	 * frames must not be freed before tlb_flush_batch: collect them via release_arg.
	 */
	void (*release)(struct tlb_batch *tlb, uint64_t va, uint64_t old, uint64_t size);
	void *release_arg;
	/*
	 * unmap_range leaves tables that became empty in place instead of unlinking them. For
	 * the vmalloc area (as on Linux): its tables are never freed, so no paging-structure
	 * cache can hold a path through a freed table, which lets its flushes be late.
	 */
	bool keep_tables;
	uint64_t start, end;		/* virtual: every changed translation lies in [start, end);
					   start == end: nothing to flush */
	unsigned int stride_shift;	/* log2 of the smallest page changed (12, 21 or 30): one
					   invlpg per 1 << stride_shift bytes covers the range */
	bool global;			/* a changed entry was global (_PAGE_GLOBAL): a whole flush
					   must drop global entries too, a CR3 reload does not */
	unsigned long nr_pages;		/* 4 KiB pages whose translation changed (statistics) */
	unsigned long nr_tables;	/* unlinked table pages waiting for the flush */
	uint64_t tables;		/* the last one unlinked (physical); each holds the one
					   unlinked before it in its entry 0, a non-present value */
};

static inline void tlb_batch_init(struct tlb_batch *tlb, struct pt_ops *ops)
{
	*tlb = (struct tlb_batch){ .ops = ops, .stride_shift = 12 };
}

/* Nothing to flush and no table page waiting. */
static inline bool tlb_batch_empty(const struct tlb_batch *tlb)
{
	return tlb->start == tlb->end && !tlb->nr_tables;
}

/* invlpg instructions a page-by-page flush of the batch takes. */
static inline uint64_t tlb_batch_nr_invlpg(const struct tlb_batch *tlb)
{
	return (tlb->end - tlb->start) >> tlb->stride_shift;
}

/* Whether the batch is better served by one whole flush than by invlpg per page. */
static inline bool tlb_batch_wants_full_flush(const struct tlb_batch *tlb)
{
	return tlb_batch_nr_invlpg(tlb) > TLB_SINGLE_PAGE_FLUSH_CEILING;
}

/*
 * Flush what @tlb recorded on this CPU, then call tlb_batch_done(). The kernel's is in
 * mm/tlb.c; there is no shootdown of other CPUs yet (one CPU runs).
 */
void tlb_flush_batch(struct tlb_batch *tlb);

/*
 * For implementations of tlb_flush_batch, after the flush: give the unlinked table pages
 * back to tlb->ops and empty the batch (mm/pgtable.c).
 */
void tlb_batch_done(struct tlb_batch *tlb);

/*
 * Flushes for changes made outside a batch (Linux's names). @mm NULL means the kernel half.
 * Counted in vmstat -s: nr_tlb_local_flush_one/range/all/global, nr_tlb_flush_not_loaded.
 */
void flush_tlb_page(struct mm_struct *mm, uint64_t va);
void flush_tlb_range(struct mm_struct *mm, uint64_t start, uint64_t end);
void flush_tlb_all(void);	/* every translation, global ones included */

#endif
