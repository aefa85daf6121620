/*
 * x86_64 4-level page tables: PGD (PML4) -> PUD (PDPT) -> PMD (PD) -> PTE (PT),
 * 512 entries of 8 bytes at each level, indexed by 9 bits of the virtual address
 * (47..39, 38..30, 29..21, 20..12). An entry holds a physical address and flags;
 * a PUD or PMD entry with _PAGE_PSE maps a 1 GiB or 2 MiB page directly (a "leaf"),
 * as every PTE does for 4 KiB.
 *
 * mm/pgtable.c is the only code that writes entries (map_pages, unmap_range, protect_range);
 * it gets table pages from a page source (struct pt_ops) and records what the TLB must
 * forget in a struct tlb_batch (include/mm/tlb.h). mm/paging.c holds the kernel's tables
 * (init_pgd) and its page source. docs/paging.md explains it all.
 */
#ifndef MM_PGTABLE_H
#define MM_PGTABLE_H

#include <asm/layout.h>
#include <kernel/compiler.h>
#include <mm/tlb.h>

typedef uint64_t pteval_t;

#define _PAGE_PRESENT	(1ull << 0)
#define _PAGE_RW	(1ull << 1)
#define _PAGE_USER	(1ull << 2)
#define _PAGE_PWT	(1ull << 3)	/* write-through */
#define _PAGE_PCD	(1ull << 4)	/* cache disable */
#define _PAGE_ACCESSED	(1ull << 5)	/* set by the CPU */
#define _PAGE_DIRTY	(1ull << 6)	/* set by the CPU, in leaf entries */
#define _PAGE_PSE	(1ull << 7)	/* large page, in a PUD or PMD entry (a PTE's PAT bit) */
#define _PAGE_GLOBAL	(1ull << 8)	/* kept in the TLB across CR3 switches */
/*
 * Bits 9, 10 and 11 are ignored by the CPU: software bits, free for the users of this API
 * (copy-on-write, soft-dirty ...). The page-table code carries them like any other flag
 * (map, protect, split) and gives them no meaning.
 */
#define _PAGE_SOFTW1	(1ull << 9)
#define _PAGE_SOFTW2	(1ull << 10)
#define _PAGE_SOFTW3	(1ull << 11)
#define _PAGE_NX	(1ull << 63)	/* no execute (only with EFER.NXE) */

/* Bits 12..51: the physical address (the PAT bit of large pages, bit 12, is never used). */
#define PTE_ADDR_MASK	0x000ffffffffff000ull
#define PTE_FLAGS_MASK	(~PTE_ADDR_MASK)

#define PTRS_PER_TABLE	512
#define PMD_SIZE	(1ull << 21)	/* 2 MiB */
#define PUD_SIZE	(1ull << 30)	/* 1 GiB */
#define PGD_SIZE	(1ull << 39)	/* 512 GiB: what one PGD entry covers */

/* Index of @va at each level. */
static inline unsigned int pgd_index(uint64_t va) { return (va >> 39) & 511; }
static inline unsigned int pud_index(uint64_t va) { return (va >> 30) & 511; }
static inline unsigned int pmd_index(uint64_t va) { return (va >> 21) & 511; }
static inline unsigned int pte_index(uint64_t va) { return (va >> 12) & 511; }

/*
 * The upper half of the address space (bit 63 set: PGD entries 256..511) is the kernel's,
 * the same in every address space: its PGD entries are copied into each new PGD, so the PUD
 * tables they point to are shared and never freed.
 */
static inline bool va_is_kernel(uint64_t va) { return (int64_t)va < 0; }

/* Kernel protections; map and protect drop _PAGE_NX and _PAGE_GLOBAL if the CPU lacks them. */
#define PAGE_KERNEL		(_PAGE_PRESENT | _PAGE_RW | _PAGE_GLOBAL | _PAGE_NX)
#define PAGE_KERNEL_RO		(_PAGE_PRESENT | _PAGE_GLOBAL | _PAGE_NX)
#define PAGE_KERNEL_EXEC	(_PAGE_PRESENT | _PAGE_GLOBAL)
/* Device registers (ioremap, the fixmap): uncached (PCD|PWT: UC- with the default PAT). */
#define PAGE_KERNEL_NOCACHE	(PAGE_KERNEL | _PAGE_PCD | _PAGE_PWT)
/* Framebuffers (ioremap_wc): PWT alone, which mm/ioremap.c makes write-combining in the PAT. */
#define PAGE_KERNEL_WC		(PAGE_KERNEL | _PAGE_PWT)

/*
 * A page source: where table pages come from and go back to. The kernel's takes them from
 * the buddy allocator (mm/paging.c), the boot's from memblock (mm/init.c), host tests' from
 * a fake machine. alloc_table returns the physical address of a zeroed 4 KiB page, 0 when
 * there is none; free_table takes back a page alloc_table gave, all 512 entries zero again.
 */
struct pt_ops {
	uint64_t (*alloc_table)(struct pt_ops *ops);
	void (*free_table)(struct pt_ops *ops, uint64_t pa);
};

extern pteval_t supported_pte_mask;	/* bits the CPU understands: map and protect apply it */
extern uint64_t kernel_map_bytes[3];	/* bytes map_pages mapped since boot: 4K, 2M, 1G leaves */

/* map_pages flags: which large pages it may use (1 GiB only on a CPU with pdpe1gb). */
#define MAP_PAGES_2M		0x1u
#define MAP_PAGES_1G		0x2u
#define MAP_PAGES_LARGE		(MAP_PAGES_2M | MAP_PAGES_1G)

/*
 * Map [va, va + size) to [pa, pa + size) in the tables under @pgd, leaf flags @prot
 * (_PAGE_PRESENT required, no _PAGE_PSE: the size is this code's choice). At each step the
 * largest page @flags allow whose span va and pa are aligned to and the range covers;
 * 4 KiB otherwise. Missing tables come from tlb->ops.
 * All or nothing: -EEXIST if a page of the range is mapped already, -ENOMEM if a table page
 * could not be had, and then nothing stays mapped (what was written meanwhile is undone and
 * recorded in @tlb, as are tables that came and went). A success records nothing in @tlb.
 * -EINVAL for addresses or size not page aligned, an empty range, one that leaves its
 * canonical half of the address space or reaches its last page (never mapped), or a @pa
 * range beyond 2^52.
 */
int map_pages(pteval_t *pgd, uint64_t va, uint64_t pa, uint64_t size, pteval_t prot,
	      unsigned int flags, struct tlb_batch *tlb);

/*
 * Remove every mapping in [va, va + size); holes are fine. A large page the range covers
 * only in part is split first (1 GiB into 2 MiB pages, 2 MiB into 4 KiB), its other pages
 * stay mapped. Tables left empty are unlinked and handed to @tlb (freed after its flush),
 * except the PGD and the kernel half's PUD tables.
 * -ENOMEM if a split found no table page: then the range is unmapped up to the large page
 * that could not be split, and untouched from there on. -EINVAL as map_pages.
 */
int unmap_range(pteval_t *pgd, uint64_t va, uint64_t size, struct tlb_batch *tlb);

/*
 * For every page mapped in [va, va + size): flags = (flags & ~clear) | set. Holes are
 * skipped; a large page the range covers in part is split only if its flags change.
 * @set and @clear may not hold _PAGE_PRESENT, _PAGE_PSE or address bits (-EINVAL).
 * -ENOMEM as unmap_range: done up to the large page that could not be split.
 */
int protect_range(pteval_t *pgd, uint64_t va, uint64_t size, pteval_t set, pteval_t clear,
		  struct tlb_batch *tlb);

/*
 * Give @pgd's entry for @va a (zeroed) next-level table from @ops if it has none, mapping
 * nothing yet: for the kernel half's PUD tables, which every new PGD copies. 0 or -ENOMEM.
 */
int pgd_populate_table(pteval_t *pgd, uint64_t va, struct pt_ops *ops);

/* The leaf entry that maps @va in @pgd and the size it maps (4K/2M/1G), or NULL. */
pteval_t *lookup_address(pteval_t *pgd, uint64_t va, uint64_t *page_size);

/*
 * Where @va goes: its physical address (the offset in the page included) in *@pa and the
 * leaf's flags (no _PAGE_PSE, accessed and dirty as the CPU left them) in *@prot. Returns
 * the size of the page that maps it (4K, 2M or 1G), 0 when @va is not mapped.
 */
uint64_t follow_pte(pteval_t *pgd, uint64_t va, uint64_t *pa, pteval_t *prot);

/*
 * For walks over a range that may be mostly holes (a 1 TiB MAP_NORESERVE mapping): @va
 * itself when it is mapped, else the end of the span the first missing entry of its walk
 * would cover (the next 4 KiB, 2 MiB, 1 GiB or 512 GiB boundary), below which nothing is
 * mapped. 0 when that span ends at the top of the address space.
 */
uint64_t hole_end(pteval_t *pgd, uint64_t va);

/*
 * Swap entries (mm/swapfile.c): a 4 KiB PTE that is not present but not 0 says where the
 * page went: its swap slot in the frame-number bits, _PAGE_SWP_MARK so that slot 0 would
 * not read as an empty entry. The CPU ignores every other bit of a non-present entry.
 * The other walkers leave such entries alone: protect_range skips them, unmap_range
 * clears them through tlb->release (which frees the slot), follow_pte sees nothing.
 */
#define _PAGE_SWP_MARK	_PAGE_RW
static inline bool is_swap_pte(pteval_t e) { return e && !(e & _PAGE_PRESENT); }
static inline pteval_t swp_slot_to_pte(unsigned long slot)
{
	return ((pteval_t)slot << PAGE_SHIFT) | _PAGE_SWP_MARK;
}
static inline unsigned long pte_to_swp_slot(pteval_t e) { return (e & PTE_ADDR_MASK) >> PAGE_SHIFT; }

/* The 4 KiB entry for @va as it is (present or not), 0 if no table covers it. */
pteval_t read_pte(pteval_t *pgd, uint64_t va);
/*
 * Replace the 4 KiB entry at @va, which must be @old, by @new (present or a swap entry),
 * recording in @tlb the flush a present @old needs. -EAGAIN if it is not @old any more.
 * The swap code's way to take a page away and to give it back.
 */
int exchange_pte(pteval_t *pgd, uint64_t va, pteval_t old, pteval_t new, struct tlb_batch *tlb);
/* fork: put swap entry @swp at @va (empty so far), making the tables on the way. */
int install_swap_pte(pteval_t *pgd, uint64_t va, pteval_t swp, struct tlb_batch *tlb);

/* ---- the kernel's tables (mm/paging.c) ---- */

extern pteval_t *init_pgd;	/* the kernel's top-level table (virtual address) */
extern struct pt_ops kernel_pt_ops;	/* table pages from the buddy allocator */
struct mm_struct;
void mm_pt_ops_init(struct mm_struct *mm);	/* the same, counted in mm->pgtables_bytes */

/*
 * The lock that serialises changes to init_pgd's tables after boot (the caller-serialises
 * rule of map_pages and friends): kernel_map_range, vmalloc/vmap/ioremap and the tests
 * that map kernel addresses by hand take it around their calls and their flush. A
 * spinlock with interrupts off, since vfree may run where sleeping is not allowed.
 */
unsigned long kernel_pt_lock(void);
void kernel_pt_unlock(unsigned long flags);

/* Table pages taken from and given back to the buddy allocator since boot. */
struct pgtable_stats {
	unsigned long allocated, freed;
};
extern struct pgtable_stats pgtable_stats;

/* Page-table pages in use now: the boot's, plus those allocated since, minus those freed. */
unsigned long nr_pgtable_pages(void);

/*
 * Map [va, va + size) to [pa, pa + size) in init_pgd with @prot, using 1 GiB (if the CPU
 * has them) and 2 MiB pages wherever alignment and @allow_large permit, 4 KiB pages at
 * the edges. Table pages come from @ops. Returns 0 or map_pages' error.
 */
int kernel_map_range(uint64_t va, uint64_t pa, uint64_t size, pteval_t prot, bool allow_large,
		     struct pt_ops *ops);

#endif
