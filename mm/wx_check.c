/*
 * The W^X check: walk every mapping of the kernel half of the page tables (PGD
 * entries 256..511, shared by all address spaces) and count pages that are both
 * writable and executable. Such a page lets a bug that writes memory become a bug
 * that runs code, so none may exist: mm_init maps text RX, rodata R+NX and data, the
 * direct map and everything else RW+NX, and this walk, run at boot, proves it.
 * Rights are effective rights: a page is writable only if every level allows writing,
 * and executable only if no level sets NX (the CPU combines the levels that way).
 * Without NX support (EFER.NXE off) every page is executable, and the check says so
 * instead of counting the whole kernel. docs/paging.md explains W^X.
 */
#define pr_fmt(fmt) "x86/mm: " fmt

#include <kernel/ksyms.h>
#include <kernel/printk.h>
#include <mm/pgtable.h>

#define MAX_REPORTS 8	/* insecure ranges printed; the count covers all */

struct wx_walk {
	unsigned long pages;	/* 4 KiB pages found W+X */
	unsigned int reported;
};

/* Sign-extend a 48-bit virtual address. */
static uint64_t canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16);
}

static void found_wx(struct wx_walk *w, uint64_t va, uint64_t size)
{
	w->pages += size / PAGE_SIZE;
	if (w->reported++ < MAX_REPORTS) {
		char sym[KSYM_NAME_LEN];

		sprint_symbol(sym, sizeof(sym), va);
		pr_warn("Found insecure W+X mapping at address %016llx (%s), %llu KiB\n",
			(unsigned long long)va, sym, (unsigned long long)size / 1024);
	}
}

/* Walk one table at @level (3 = PUD .. 1 = PTE) covering addresses from @base. */
static void walk_table(struct wx_walk *w, const pteval_t *table, int level, uint64_t base,
		       bool writable, bool executable)
{
	uint64_t span = 1ull << (PAGE_SHIFT + 9 * (level - 1));	/* bytes one entry covers */

	for (unsigned int i = 0; i < 512; i++) {
		pteval_t e = table[i];
		uint64_t va = base + i * span;
		bool wr = writable && (e & _PAGE_RW);
		bool ex = executable && !(e & _PAGE_NX);

		if (!(e & _PAGE_PRESENT) || !(wr && ex))
			continue;	/* nothing below can be both */
		if (level == 1 || (e & _PAGE_PSE))
			found_wx(w, va, span);
		else
			walk_table(w, __va(e & PTE_ADDR_MASK), level - 1, va, wr, ex);
	}
}

unsigned long wx_count_pages(bool report)
{
	struct wx_walk w = { 0, report ? 0 : MAX_REPORTS };

	for (unsigned int i = 256; i < 512; i++) {
		pteval_t e = init_pgd[i];

		if (!(e & _PAGE_PRESENT) || !(e & _PAGE_RW) || (e & _PAGE_NX))
			continue;
		walk_table(&w, __va(e & PTE_ADDR_MASK), 3, canonical((uint64_t)i << 39), true, true);
	}
	return w.pages;
}

void check_wx_pages(void)
{
	unsigned long n;

	if (!(supported_pte_mask & _PAGE_NX)) {
		pr_warn("Checked W+X mappings: skipped, this CPU has no NX bit (every page is "
			"executable)\n");
		return;
	}
	n = wx_count_pages(true);
	if (n)
		pr_err("Checked W+X mappings: FAILED, %lu W+X pages found.\n", n);
	else
		pr_info("Checked W+X mappings: passed, no W+X pages found.\n");
}
