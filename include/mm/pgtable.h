/*
 * x86_64 4-level page tables: PGD (PML4) -> PUD (PDPT) -> PMD (PD) -> PTE (PT),
 * 512 entries of 8 bytes at each level, indexed by 9 bits of the virtual address
 * (47..39, 38..30, 29..21, 20..12). An entry holds a physical address and flags;
 * a PUD or PMD entry with _PAGE_PSE maps a 1 GiB or 2 MiB page directly.
 * mm/paging.c is the only code that writes entries.
 */
#ifndef MM_PGTABLE_H
#define MM_PGTABLE_H

#include <asm/layout.h>
#include <kernel/compiler.h>

typedef uint64_t pteval_t;

#define _PAGE_PRESENT	(1ull << 0)
#define _PAGE_RW	(1ull << 1)
#define _PAGE_USER	(1ull << 2)
#define _PAGE_PWT	(1ull << 3)
#define _PAGE_PCD	(1ull << 4)	/* cache disable */
#define _PAGE_ACCESSED	(1ull << 5)
#define _PAGE_DIRTY	(1ull << 6)
#define _PAGE_PSE	(1ull << 7)	/* a large page, in a PUD or PMD entry */
#define _PAGE_GLOBAL	(1ull << 8)	/* kept in the TLB across CR3 switches */
#define _PAGE_NX	(1ull << 63)	/* no execute (only with EFER.NXE) */

#define PTE_ADDR_MASK	0x000ffffffffff000ull

#define PMD_SIZE	(1ull << 21)	/* 2 MiB */
#define PUD_SIZE	(1ull << 30)	/* 1 GiB */

/* Index of @va at each level. */
static inline unsigned int pgd_index(uint64_t va) { return (va >> 39) & 511; }
static inline unsigned int pud_index(uint64_t va) { return (va >> 30) & 511; }
static inline unsigned int pmd_index(uint64_t va) { return (va >> 21) & 511; }
static inline unsigned int pte_index(uint64_t va) { return (va >> 12) & 511; }

/* Protections for kernel mappings; _PAGE_NX and _PAGE_GLOBAL are dropped when the CPU lacks them. */
#define PAGE_KERNEL		(_PAGE_PRESENT | _PAGE_RW | _PAGE_GLOBAL | _PAGE_NX)
#define PAGE_KERNEL_RO		(_PAGE_PRESENT | _PAGE_GLOBAL | _PAGE_NX)
#define PAGE_KERNEL_EXEC	(_PAGE_PRESENT | _PAGE_GLOBAL)

extern pteval_t *init_pgd;	/* the kernel's top-level table (virtual address) */
extern pteval_t supported_pte_mask;	/* bits the CPU understands */
extern uint64_t kernel_map_bytes[3];	/* bytes mapped so far with 4 KiB, 2 MiB, 1 GiB pages */

/*
 * Map [va, va + size) to [pa, pa + size) in init_pgd with @prot, using 1 GiB and
 * 2 MiB pages wherever alignment and @allow_large permit, 4 KiB pages at the edges.
 * Page-table pages come from @alloc_table (a zeroed page's physical address, 0 when
 * out of memory). Returns 0 or -ENOMEM.
 */
int kernel_map_range(uint64_t va, uint64_t pa, uint64_t size, pteval_t prot, bool allow_large,
		     uint64_t (*alloc_table)(void));

/* The entry that maps @va in @pgd and the size it maps (4K/2M/1G), or NULL. */
pteval_t *lookup_address(pteval_t *pgd, uint64_t va, uint64_t *page_size);

#endif
