/*
 * The kernel's page tables, on top of the page-table core (mm/pgtable.c): init_pgd, which
 * mm_init builds (direct map, kernel image, mem_map) and whose upper half every address
 * space will share; the lock that serialises changes to it after boot; the page source that
 * gives the core buddy pages after boot; and the count of page-table pages (meminfo's
 * PageTables).
 * A table built at boot came from memblock and is marked reserved; if an unmap ever frees
 * one, it joins the buddy allocator as a newly managed page (Linux's free_reserved_page).
 * Invariant: nr_pgtable_pages() counts every table page taken from memblock at boot or from
 * the buddy allocator since and not given back: those reachable from init_pgd (and later
 * from every PGD built with kernel_pt_ops), and those waiting in a TLB batch.
 * docs/paging.md explains it.
 */
#include <asm/cpufeature.h>
#include <kernel/spinlock.h>
#include <mm/gfp.h>
#include <mm/mm.h>
#include <mm/mm_types.h>
#include <mm/mmzone.h>
#include <mm/pgtable.h>

pteval_t *init_pgd;
struct pgtable_stats pgtable_stats;
static DEFINE_SPINLOCK(init_pt_lock);

/*
 * Waited for with interrupts as the caller had them, not off: the holder may be waiting
 * for this CPU to answer a TLB shootdown (mm/tlb.c), which an interrupts-off spin here
 * would never do.
 */
unsigned long kernel_pt_lock(void)
{
	for (;;) {
		unsigned long flags = local_irq_save();

		if (spin_trylock(&init_pt_lock))
			return flags;
		local_irq_restore(flags);
		while (spin_is_locked(&init_pt_lock))
			cpu_relax();
	}
}

void kernel_pt_unlock(unsigned long flags)
{
	spin_unlock_irqrestore(&init_pt_lock, flags);
}

static uint64_t table_page(gfp_t gfp)
{
	struct page *p = alloc_page(gfp | __GFP_ZERO);

	if (!p)
		return 0;
	__atomic_fetch_add(&pgtable_stats.allocated, 1, __ATOMIC_RELAXED);
	return page_to_phys(p);
}

static uint64_t buddy_alloc_table(struct pt_ops *ops)
{
	(void)ops;
	return table_page(GFP_KERNEL);
}

static void buddy_free_table(struct pt_ops *ops, uint64_t pa)
{
	unsigned long pfn = PFN_DOWN(pa);

	(void)ops;
	__atomic_fetch_add(&pgtable_stats.freed, 1, __ATOMIC_RELAXED);
	if (PageFlag(pfn_to_page(pfn), PG_reserved))
		free_pages_core(pfn, pfn + 1);	/* a boot table, from memblock */
	else
		__free_page(pfn_to_page(pfn));
}

struct pt_ops kernel_pt_ops = { .alloc_table = buddy_alloc_table, .free_table = buddy_free_table };

/*
 * An address space's tables: the same pages, also counted in its pgtables_bytes. They are
 * taken under the mmap_lock, a spinlock, where reclaim cannot swap: fail instead (the
 * fault path reclaims and retries unlocked; fork made room before it locked).
 */
static uint64_t mm_alloc_table(struct pt_ops *ops)
{
	uint64_t pa = table_page(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);

	if (pa)
		container_of(ops, struct mm_struct, pt_ops)->pgtables_bytes += PAGE_SIZE;
	return pa;
}

static void mm_free_table(struct pt_ops *ops, uint64_t pa)
{
	container_of(ops, struct mm_struct, pt_ops)->pgtables_bytes -= PAGE_SIZE;
	buddy_free_table(ops, pa);
}

void mm_pt_ops_init(struct mm_struct *mm)
{
	mm->pt_ops = (struct pt_ops){ .alloc_table = mm_alloc_table, .free_table = mm_free_table };
}

unsigned long nr_pgtable_pages(void)
{
	return mem_boot_stats.pgtable_pages + READ_ONCE(pgtable_stats.allocated) -
	       READ_ONCE(pgtable_stats.freed);
}

int kernel_map_range(uint64_t va, uint64_t pa, uint64_t size, pteval_t prot, bool allow_large,
		     struct pt_ops *ops)
{
	unsigned int flags = 0;
	struct tlb_batch tlb;
	unsigned long irq;
	int err;

	if (allow_large)
		flags = MAP_PAGES_2M | (boot_cpu.gbpages ? MAP_PAGES_1G : 0);
	tlb_batch_init(&tlb, ops);
	irq = kernel_pt_lock();
	err = map_pages(init_pgd, va, pa, size, prot, flags, &tlb);
	tlb_flush_batch(&tlb);	/* empty unless the map failed and undid itself */
	kernel_pt_unlock(irq);
	return err;
}
