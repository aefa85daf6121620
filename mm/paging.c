/*
 * Page tables (the first part of mm/paging; the paging issue grows it into the full
 * map/unmap/protect API with TLB handling and per-process address spaces).
 * Here: building kernel mappings into init_pgd. kernel_map_range() walks down from
 * the PGD, creating missing tables, and at each step uses the largest page the
 * alignment of both addresses and the remaining size allow: a 1 GiB page needs
 * va, pa and size to cover a whole aligned GiB (and a CPU with pdpe1gb), a 2 MiB
 * page a whole aligned 2 MiB; everything else gets 4 KiB pages.
 * Invariant: after boot/entry32.S built the early tables, this file is the only writer
 * of page-table entries; mm_init switches CR3 away from the early tables for good.
 */
#include <asm/cpufeature.h>
#include <kernel/oops.h>
#include <mm/pgtable.h>
#include <lib/errno.h>

pteval_t *init_pgd;
pteval_t supported_pte_mask = ~0ull;
uint64_t kernel_map_bytes[3];

/* The table an entry points to, creating it if the entry is empty. */
static pteval_t *next_table(pteval_t *entry, uint64_t (*alloc_table)(void))
{
	BUG_ON(*entry & _PAGE_PSE);	/* a large page is already there: no table to descend */
	if (!(*entry & _PAGE_PRESENT)) {
		uint64_t pa = alloc_table();

		if (!pa)
			return NULL;
		/* Intermediate entries are permissive; the leaf entry decides. */
		*entry = pa | _PAGE_PRESENT | _PAGE_RW;
	}
	return __va(*entry & PTE_ADDR_MASK);
}

static bool fits(uint64_t va, uint64_t pa, uint64_t left, uint64_t size)
{
	return !(va & (size - 1)) && !(pa & (size - 1)) && left >= size;
}

int kernel_map_range(uint64_t va, uint64_t pa, uint64_t size, pteval_t prot, bool allow_large,
		     uint64_t (*alloc_table)(void))
{
	prot &= supported_pte_mask;
	while (size) {
		pteval_t *pud, *pmd, *pte;
		uint64_t step;

		pud = next_table(&init_pgd[pgd_index(va)], alloc_table);
		if (!pud)
			return -ENOMEM;
		if (allow_large && boot_cpu.gbpages && fits(va, pa, size, PUD_SIZE)) {
			pud[pud_index(va)] = pa | prot | _PAGE_PSE;
			step = PUD_SIZE;
			kernel_map_bytes[2] += step;
		} else {
			pmd = next_table(&pud[pud_index(va)], alloc_table);
			if (!pmd)
				return -ENOMEM;
			if (allow_large && fits(va, pa, size, PMD_SIZE)) {
				pmd[pmd_index(va)] = pa | prot | _PAGE_PSE;
				step = PMD_SIZE;
				kernel_map_bytes[1] += step;
			} else {
				pte = next_table(&pmd[pmd_index(va)], alloc_table);
				if (!pte)
					return -ENOMEM;
				pte[pte_index(va)] = pa | prot;
				step = PAGE_SIZE;
				kernel_map_bytes[0] += step;
			}
		}
		va += step;
		pa += step;
		size -= step;
	}
	return 0;
}

pteval_t *lookup_address(pteval_t *pgd, uint64_t va, uint64_t *page_size)
{
	pteval_t *e = &pgd[pgd_index(va)];

	if (!(*e & _PAGE_PRESENT))
		return NULL;
	e = (pteval_t *)__va(*e & PTE_ADDR_MASK) + pud_index(va);
	if (!(*e & _PAGE_PRESENT))
		return NULL;
	if (*e & _PAGE_PSE) {
		*page_size = PUD_SIZE;
		return e;
	}
	e = (pteval_t *)__va(*e & PTE_ADDR_MASK) + pmd_index(va);
	if (!(*e & _PAGE_PRESENT))
		return NULL;
	if (*e & _PAGE_PSE) {
		*page_size = PMD_SIZE;
		return e;
	}
	e = (pteval_t *)__va(*e & PTE_ADDR_MASK) + pte_index(va);
	if (!(*e & _PAGE_PRESENT))
		return NULL;
	*page_size = PAGE_SIZE;
	return e;
}
