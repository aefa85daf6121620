/*
 * mm/tlb.c against a model CPU (a separate Criterion binary, `make test-host` runs it):
 * QEMU's emulator has no PCID, so this is where the PCID decisions run. The model's TLB
 * tags each entry with the PCID in CR3's low bits (or none without CR4.PCIDE) and keeps
 * global entries across CR3 loads, as the SDM (vol. 3, 4.10) describes:
 *   CR3 load: drops the new PCID's non-global entries unless bit 63 is set (with PCIDE;
 *             without it, every non-global entry), then the new PCID is current;
 *   invlpg:   drops the address's entries of the current PCID and its global entries;
 *   CR4.PGE toggled: drops every entry.
 * A random run switches among address spaces, changes mappings of loaded and unloaded
 * spaces and of the global kernel half (each followed by the flush the page-table code
 * would do), destroys and makes spaces (PCIDs are reused), and reads through the model TLB
 * after every step: a read must always see the current mapping, never a stale one. Runs
 * with PCID and without; with PCID, coming back to a space must find its entries cached.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <asm/x86.h>
#include <kernel/percpu.h>
#include <mm/mm_types.h>
#include <mm/mmu_context.h>
#include <kernel/irq.h>
#include <kernel/smp.h>
#include <mm/pgtable.h>
#include <mm/tlb.h>
#include <mm/vmstat.h>

/* ---- what mm/tlb.c links against ---- */

struct cpu cpus[NR_CPUS];
char *host_phys_base;		/* 0: a "physical" address is the host pointer itself */
pteval_t *init_pgd;
static unsigned long events[NR_VM_EVENT_ITEMS];

void count_vm_events(enum vm_event_item item, unsigned long delta) { events[item] += delta; }

/* One CPU online: no shootdown may be sent. */
struct irq_stats irq_stats[NR_CPUS];
cpumask_t cpu_online_mask = 1;

void smp_call_function_many(cpumask_t mask, smp_call_func_t func, void *info, bool wait)
{
	(void)func; (void)info; (void)wait;
	cr_assert_fail("an IPI to CPUs %#lx with one CPU online", mask);
}

void on_each_cpu_mask(cpumask_t mask, smp_call_func_t func, void *info, bool wait)
{
	smp_call_function_many(mask, func, info, wait);
}

void panic(const char *fmt, ...)
{
	cr_assert_fail("panic: %s", fmt);
	abort();
}

/* The batches built here never hold table pages (pgtable.c's version frees those). */
void tlb_batch_done(struct tlb_batch *tlb)
{
	tlb->start = tlb->end = 0;
	tlb->stride_shift = 12;
	tlb->global = false;
	tlb->nr_pages = 0;
}

/* ---- the model CPU ---- */

#define NR_ENTRIES 256
#define PCID_MASK 0xfffull
#define NOFLUSH (1ull << 63)

struct tlb_entry {
	bool valid, global;
	uint16_t pcid;
	uint64_t va, pa;
};

static struct {
	uint64_t cr3, cr4;
	struct tlb_entry tlb[NR_ENTRIES];
	unsigned long walks, hits;
} cpu;

static uint16_t cur_pcid(void) { return cpu.cr4 & X86_CR4_PCIDE ? cpu.cr3 & PCID_MASK : 0; }

uint64_t read_cr3(void) { return cpu.cr3; }
uint64_t read_cr4(void) { return cpu.cr4; }

void write_cr3(uint64_t v)
{
	bool pcide = cpu.cr4 & X86_CR4_PCIDE, keep = pcide && (v & NOFLUSH);

	cr_assert(pcide || !(v & (NOFLUSH | PCID_MASK)), "PCID bits in CR3 without PCIDE");
	cpu.cr3 = v & ~NOFLUSH;
	for (int i = 0; i < NR_ENTRIES && !keep; i++)
		if (!cpu.tlb[i].global && (!pcide || cpu.tlb[i].pcid == cur_pcid()))
			cpu.tlb[i].valid = false;
}

void write_cr4(uint64_t v)
{
	if ((v ^ cpu.cr4) & X86_CR4_PGE)
		memset(cpu.tlb, 0, sizeof(cpu.tlb));
	cpu.cr4 = v;
}

void invlpg(uint64_t va)
{
	for (int i = 0; i < NR_ENTRIES; i++)
		if (cpu.tlb[i].va == va && (cpu.tlb[i].global || cpu.tlb[i].pcid == cur_pcid()))
			cpu.tlb[i].valid = false;
}

/* ---- address spaces and their "page tables": va -> pa, the truth a walk reads ---- */

#define NR_SPACES 6
#define NR_PAGES 8
#define USER_VA(i) (0x400000ull + (uint64_t)(i) * PAGE_SIZE)
#define KERNEL_VA(i) (0xffffc90000000000ull + (uint64_t)(i) * PAGE_SIZE)

static struct mm_struct spaces[NR_SPACES];
static uint64_t user_map[NR_SPACES][NR_PAGES], kernel_map[NR_PAGES], next_pa = 0x100000;

static int loaded(void)
{
	for (int s = 0; s < NR_SPACES; s++)
		if ((uint64_t)__pa(spaces[s].pgd) == (cpu.cr3 & ~PCID_MASK))
			return s;
	return -1;
}

/* A read of @va: the TLB's answer if it has one, else a walk that fills an entry. */
static uint64_t translate(uint64_t va, bool kernel)
{
	int s = loaded(), page = (int)((va >> PAGE_SHIFT) & (NR_PAGES - 1)), free_slot = -1;

	for (int i = 0; i < NR_ENTRIES; i++) {
		struct tlb_entry *e = &cpu.tlb[i];

		if (e->valid && e->va == va && (e->global || e->pcid == cur_pcid())) {
			cpu.hits++;
			return e->pa;
		}
		if (!e->valid && free_slot < 0)
			free_slot = i;
	}
	cr_assert(kernel || s >= 0, "no space loaded");
	cpu.walks++;
	if (free_slot < 0)
		free_slot = rand() % NR_ENTRIES;	/* evict: the TLB may always forget */
	cpu.tlb[free_slot] = (struct tlb_entry){ true, kernel && (cpu.cr4 & X86_CR4_PGE),
						 cur_pcid(), va, kernel ? kernel_map[page] :
						 user_map[s][page] };
	return cpu.tlb[free_slot].pa;
}

static void new_space(int s)
{
	static pteval_t pgds[NR_SPACES][PTRS_PER_TABLE] __attribute__((aligned(4096)));

	memset(&spaces[s], 0, sizeof(spaces[s]));
	spaces[s].pgd = pgds[s];
	for (int p = 0; p < NR_PAGES; p++)
		user_map[s][p] = next_pa += PAGE_SIZE;
	mm_context_init(&spaces[s]);
}

static void check_reads(void)
{
	int s = loaded();

	for (int p = 0; p < NR_PAGES; p++) {
		cr_assert_eq(translate(KERNEL_VA(p), true), kernel_map[p], "stale kernel page %d", p);
		if (s >= 0)
			cr_assert_eq(translate(USER_VA(p), false), user_map[s][p],
				     "space %d page %d: a stale translation was used", s, p);
	}
}

static void boot(bool pcid)
{
	static pteval_t kernel_pgd[PTRS_PER_TABLE] __attribute__((aligned(4096)));

	memset(&cpu, 0, sizeof(cpu));
	memset(events, 0, sizeof(events));
	cpu.cr4 = X86_CR4_PGE | (pcid ? X86_CR4_PCIDE : 0);
	init_pgd = kernel_pgd;
	write_cr3(__pa(init_pgd));
	init_mm_setup();
	for (int p = 0; p < NR_PAGES; p++)
		kernel_map[p] = next_pa += PAGE_SIZE;
	for (int s = 0; s < NR_SPACES; s++)
		new_space(s);
}

static void run_random(bool pcid, unsigned int seed, int steps)
{
	srand(seed);
	boot(pcid);
	for (int i = 0; i < steps; i++) {
		int s = rand() % NR_SPACES, p = rand() % NR_PAGES;

		switch (rand() % 6) {
		case 0: case 1:		/* the scheduler switches spaces */
			switch_mm(&spaces[s]);
			break;
		case 2:			/* a mapping of some space changes, loaded or not */
			user_map[s][p] = next_pa += PAGE_SIZE;
			flush_tlb_page(&spaces[s], USER_VA(p));
			break;
		case 3:			/* a kernel mapping changes (global, in every space) */
			kernel_map[p] = next_pa += PAGE_SIZE;
			flush_tlb_page(NULL, KERNEL_VA(p));
			break;
		case 4:			/* a space ends and another takes its PCID */
			if (loaded() == s)
				switch_mm(&init_mm);
			mm_context_destroy(&spaces[s]);
			new_space(s);
			break;
		default:
			break;
		}
		check_reads();
	}
}

Test(tlb_pcid, random_with_pcid_never_reads_stale)
{
	run_random(true, 1, 20000);
	cr_assert_gt(events[NR_TLB_SWITCH_NOFLUSH], 0, "PCID never kept a TLB");
	cr_assert_gt(events[NR_TLB_FLUSH_NOT_LOADED], 0);
}

Test(tlb_pcid, random_without_pcid_never_reads_stale)
{
	run_random(false, 2, 20000);
	cr_assert_eq(events[NR_TLB_SWITCH_NOFLUSH], 0, "no PCID: every switch flushes");
}

/* A -> B -> A with nothing changed: A's translations are still cached (no walk). */
Test(tlb_pcid, switching_back_keeps_entries)
{
	unsigned long walks;

	boot(true);
	switch_mm(&spaces[0]);
	check_reads();
	switch_mm(&spaces[1]);
	check_reads();
	switch_mm(&spaces[0]);
	walks = cpu.walks;
	check_reads();
	cr_assert_eq(cpu.walks, walks, "coming back to A walked again: its entries were dropped");
	cr_assert_eq(cpu.cr3 & PCID_MASK, spaces[0].context.pcid);
	cr_assert_neq(spaces[0].context.pcid, spaces[1].context.pcid);
}

/* A change to A while B is loaded: A is marked stale, and the switch back flushes its PCID. */
Test(tlb_pcid, change_while_not_loaded_flushes_on_return)
{
	boot(true);
	switch_mm(&spaces[0]);
	check_reads();
	switch_mm(&spaces[1]);
	user_map[0][3] = next_pa += PAGE_SIZE;
	flush_tlb_page(&spaces[0], USER_VA(3));
	cr_assert(spaces[0].context.stale_cpus & 1, "A not marked stale");
	switch_mm(&spaces[0]);
	cr_assert_eq(events[NR_TLB_SWITCH_FLUSH] >= 1, true);
	check_reads();
}

/* A new space that inherits a freed PCID must not see the old owner's entries. */
Test(tlb_pcid, reused_pcid_starts_stale)
{
	uint16_t id;

	boot(true);
	switch_mm(&spaces[2]);
	check_reads();
	id = spaces[2].context.pcid;
	switch_mm(&init_mm);
	mm_context_destroy(&spaces[2]);
	new_space(2);
	cr_assert_eq(spaces[2].context.pcid, id, "the lowest free id is reused");
	switch_mm(&spaces[2]);
	check_reads();
}
