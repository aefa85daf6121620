/*
 * Address spaces and the page-fault handler, in the running kernel. Each test builds a
 * space with mm_alloc, loads it with kthread_use_mm (the kernel half is shared, so the test
 * keeps running), touches its user half inside user_access_begin/end (SMAP), and checks
 * the numbers: faults counted exactly, frames shared until a write copies them, unmapped
 * pages faulting again, the W^X walk, NX/SMEP/SMAP enforced. Tests that need a CPU
 * feature skip with the reason when it is missing (QEMU's TCG has no PCID, for one).
 */
#include <asm/cpufeature.h>
#include <asm/segment.h>
#include <asm/x86.h>
#include <kernel/ktest.h>
#include <kernel/traps.h>
#include <lib/string.h>
#include <mm/fault.h>
#include <mm/gfp.h>
#include <mm/mm.h>
#include <mm/mmu_context.h>
#include <mm/mmzone.h>
#include <mm/pgtable.h>
#include <mm/shmem.h>
#include <mm/vma.h>
#include <mm/vmalloc.h>
#include <mm/vmstat.h>
#include <sched/task.h>

#define NPAGES 64

static volatile uint64_t target;	/* the address a helper touches */
static volatile uint64_t value;

static __noinline void read_user(void)
{
	user_access_begin();
	value = *(volatile uint64_t *)target;
	user_access_end();
}

static __noinline void write_user(void)
{
	user_access_begin();
	*(volatile uint64_t *)target = value;
	user_access_end();
}

static __noinline void read_no_stac(void) { value = *(volatile uint64_t *)target; }
static __noinline void write_plain(void) { *(volatile uint8_t *)target = 0xcc; }
static __noinline void read_plain(void) { value = *(volatile uint8_t *)target; }
static __noinline void call_target(void) { ((void (*)(void))target)(); }

static uint64_t peek(uint64_t addr)
{
	target = addr;
	read_user();
	return value;
}

static void poke(uint64_t addr, uint64_t v)
{
	target = addr;
	value = v;
	write_user();
}

static bool faults(void (*fn)(void), uint64_t addr, struct trap_catcher *tc)
{
	target = addr;
	return trap_catch_call(tc, fn);
}

static void use_space(struct mm_struct *mm);

/* A loaded address space with one anonymous VMA of NPAGES pages at *@addr. */
static struct mm_struct *new_space(struct ktest *t, unsigned long flags, uint64_t *addr)
{
	struct mm_struct *mm = mm_alloc();

	if (!mm)
		return NULL;
	*addr = vm_mmap_anon(mm, 0, NPAGES * PAGE_SIZE, flags, "[anon:test]");
	if (IS_ERR_VALUE(*addr)) {
		ktest_fail(t, __FILE__, __LINE__, "vm_mmap_anon: %ld", (long)*addr);
		mm_destroy(mm);
		return NULL;
	}
	use_space(mm);
	return mm;
}

/* Make @mm the thread's own space, so a preemption in the middle of a test keeps it loaded. */
static void use_space(struct mm_struct *mm)
{
	if (current->mm)
		kthread_unuse_mm(current->mm);
	kthread_use_mm(mm);
}

static void drop_space(struct mm_struct *mm)
{
	if (current->mm == mm)
		kthread_unuse_mm(mm);
	mm_destroy(mm);
}

static unsigned long free_pages_now(void)
{
	drain_all_pages();
	return nr_free_pages();
}

static void test_demand_paging_counts(struct ktest *t)
{
	unsigned long before, faults0, task_faults0;
	struct mm_struct *mm;
	uint64_t a;

	/* Once first, so the slabs of the mm_struct and VMA caches exist before counting. */
	mm = new_space(t, VM_READ | VM_WRITE, &a);
	KTEST_ASSERT_TRUE(t, mm != NULL);
	drop_space(mm);
	before = free_pages_now();

	mm = new_space(t, VM_READ | VM_WRITE, &a);
	KTEST_ASSERT_TRUE(t, mm != NULL);
	KTEST_EXPECT_EQ(t, mm->total_vm, NPAGES);	/* VSZ: reserved at once */
	KTEST_EXPECT_EQ(t, get_mm_rss(mm), 0);		/* RSS: nothing touched yet */
	faults0 = vm_event_sum(PGFAULT);
	task_faults0 = current->min_flt;
	/* Ten pages, some touched twice, reads and writes: one fault per page. */
	for (int i = 0; i < 10; i++)
		poke(a + i * 3 * PAGE_SIZE + 8 * i, 0x1000 + i);
	for (int i = 0; i < 10; i++)
		KTEST_EXPECT_EQ(t, peek(a + i * 3 * PAGE_SIZE + 8 * i), 0x1000 + i);
	KTEST_EXPECT_EQ(t, peek(a + PAGE_SIZE), 0);	/* an untouched page reads as zero */
	KTEST_EXPECT_EQ(t, mm->min_flt, 11);
	KTEST_EXPECT_EQ(t, vm_event_sum(PGFAULT) - faults0, 11);
	KTEST_EXPECT_EQ(t, current->min_flt - task_faults0, 11);	/* the task's count too */
	KTEST_EXPECT_EQ(t, get_mm_rss(mm), 11);
	KTEST_EXPECT_EQ(t, mm->hiwater_rss, 11);
	drop_space(mm);
	KTEST_EXPECT_EQ(t, free_pages_now(), before);	/* frames and tables all back */
}

static void test_cow_after_dup(struct ktest *t)
{
	unsigned long before = free_pages_now(), cow0, task_cow0;
	struct mm_struct *a_mm, *b_mm;
	uint64_t a, pa_a, pa_b;
	pteval_t prot;

	a_mm = new_space(t, VM_READ | VM_WRITE, &a);
	KTEST_ASSERT_TRUE(t, a_mm != NULL);
	poke(a, 1);
	poke(a + PAGE_SIZE, 10);
	b_mm = dup_mm(a_mm);
	KTEST_ASSERT_TRUE(t, b_mm != NULL);
	/* Shared: the same frame in both, read-only in both. */
	KTEST_EXPECT_EQ(t, follow_pte(a_mm->pgd, a, &pa_a, &prot), PAGE_SIZE);
	KTEST_EXPECT_TRUE(t, !(prot & _PAGE_RW));
	KTEST_EXPECT_EQ(t, follow_pte(b_mm->pgd, a, &pa_b, &prot), PAGE_SIZE);
	KTEST_EXPECT_EQ(t, pa_a, pa_b);
	KTEST_EXPECT_EQ(t, pfn_to_page(pa_a >> PAGE_SHIFT)->mapcount, 2);
	KTEST_EXPECT_EQ(t, get_mm_rss(b_mm), 2);

	cow0 = vm_event_sum(PGCOWFAULT);
	task_cow0 = current->cow_flt;
	use_space(b_mm);
	KTEST_EXPECT_EQ(t, peek(a), 1);
	KTEST_EXPECT_EQ(t, b_mm->min_flt, 0);	/* reading a shared page is no fault */
	poke(a, 2);				/* B writes: B gets its own copy */
	KTEST_EXPECT_EQ(t, b_mm->cow_flt, 1);
	KTEST_EXPECT_EQ(t, current->cow_flt - task_cow0, 1);	/* the task's and the */
	KTEST_EXPECT_EQ(t, vm_event_sum(PGCOWFAULT) - cow0, 1);	/* global count: one copy */
	KTEST_EXPECT_EQ(t, follow_pte(b_mm->pgd, a, &pa_b, &prot), PAGE_SIZE);
	KTEST_EXPECT_TRUE(t, pa_a != pa_b && (prot & _PAGE_RW));

	use_space(a_mm);
	KTEST_EXPECT_EQ(t, peek(a), 1);		/* A still sees its value */
	poke(a, 3);				/* A is the only user now: reuse, no copy */
	KTEST_EXPECT_EQ(t, a_mm->min_flt, 3);	/* two first touches, then this write fault */
	KTEST_EXPECT_EQ(t, a_mm->cow_flt, 0);	/* ... which copied nothing */
	KTEST_EXPECT_EQ(t, vm_event_sum(PGCOWFAULT) - cow0, 1);	/* a reuse is not counted */
	KTEST_EXPECT_EQ(t, current->cow_flt - task_cow0, 1);
	KTEST_EXPECT_EQ(t, follow_pte(a_mm->pgd, a, &pa_b, &prot), PAGE_SIZE);
	KTEST_EXPECT_EQ(t, pa_b, pa_a);
	use_space(b_mm);
	KTEST_EXPECT_EQ(t, peek(a), 2);
	KTEST_EXPECT_EQ(t, peek(a + PAGE_SIZE), 10);	/* the other page: still shared */
	use_space(a_mm);
	KTEST_EXPECT_EQ(t, peek(a), 3);
	drop_space(b_mm);
	use_space(a_mm);
	/* B's end leaves A's second page mapped once: A's write takes it over. */
	poke(a + PAGE_SIZE, 11);
	KTEST_EXPECT_EQ(t, peek(a + PAGE_SIZE), 11);
	drop_space(a_mm);
	KTEST_EXPECT_EQ(t, free_pages_now(), before);
}

/*
 * MAP_SHARED|MAP_ANONYMOUS: a page first touched after the "fork" (dup_mm) is still one
 * frame for both spaces, writes show on both sides and nothing is copied; munmap in one
 * leaves the data to the other; the pages go back with the last mapping.
 */
static void shared_anon_round(struct ktest *t)
{
	unsigned long cow0 = vm_event_sum(PGCOWFAULT);
	struct mm_struct *a_mm, *b_mm;
	uint64_t a, pa_a, pa_b;
	pteval_t prot;

	a_mm = new_space(t, VM_READ | VM_WRITE | VM_SHARED | VM_MAYSHARE, &a);
	KTEST_ASSERT_TRUE(t, a_mm != NULL);
	poke(a, 1);				/* present at the fork */
	b_mm = dup_mm(a_mm);
	KTEST_ASSERT_TRUE(t, b_mm != NULL);
	use_space(b_mm);
	poke(a + PAGE_SIZE, 20);		/* first touched after it, by the child */
	poke(a, 2);				/* a write to the page both map: no copy */
	use_space(a_mm);
	KTEST_EXPECT_EQ(t, peek(a + PAGE_SIZE), 20);
	KTEST_EXPECT_EQ(t, peek(a), 2);
	poke(a + 2 * PAGE_SIZE, 30);		/* first touched by the parent */
	KTEST_EXPECT_EQ(t, follow_pte(a_mm->pgd, a + PAGE_SIZE, &pa_a, &prot), PAGE_SIZE);
	KTEST_EXPECT_EQ(t, follow_pte(b_mm->pgd, a + PAGE_SIZE, &pa_b, &prot), PAGE_SIZE);
	KTEST_EXPECT_EQ(t, pa_a, pa_b);
	KTEST_EXPECT_TRUE(t, prot & _PAGE_RW);
	KTEST_EXPECT_EQ(t, vm_event_sum(PGCOWFAULT) - cow0, 0);
	KTEST_EXPECT_EQ(t, shmem_nr_present(vma_lookup(a_mm, a)->vm_file), 3);
	KTEST_EXPECT_EQ(t, vm_munmap(a_mm, a, NPAGES * PAGE_SIZE), 0);
	use_space(b_mm);
	KTEST_EXPECT_EQ(t, peek(a + 2 * PAGE_SIZE), 30);	/* the parent's page, kept */
	drop_space(b_mm);
	drop_space(a_mm);
}

static void test_shared_anon_after_dup(struct ktest *t)
{
	unsigned long before;

	shared_anon_round(t);	/* once first: the slabs it uses exist before counting */
	before = free_pages_now();
	shared_anon_round(t);
	KTEST_EXPECT_EQ(t, free_pages_now(), before);
}

static void test_unmap_faults_again(struct ktest *t)
{
	struct trap_catcher tc;
	struct mm_struct *mm;
	uint64_t a;

	mm = new_space(t, VM_READ | VM_WRITE, &a);
	KTEST_ASSERT_TRUE(t, mm != NULL);
	poke(a + 5 * PAGE_SIZE, 42);
	KTEST_EXPECT_EQ(t, peek(a + 5 * PAGE_SIZE), 42);	/* now in the TLB */
	KTEST_EXPECT_EQ(t, vm_munmap(mm, a + 4 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
	KTEST_EXPECT_EQ(t, mm->map_count, 2);	/* the VMA split around the hole */
	KTEST_EXPECT_TRUE(t, faults(read_user, a + 5 * PAGE_SIZE, &tc));
	KTEST_EXPECT_EQ(t, tc.error_code, 0);	/* not present: the stale entry was flushed */
	KTEST_EXPECT_EQ(t, tc.cr2, a + 5 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, get_mm_rss(mm), 0);
	drop_space(mm);
}

static void test_unmap_in_other_space(struct ktest *t)
{
	struct mm_struct *a_mm, *b_mm;
	struct trap_catcher tc;
	uint64_t a, b, not_loaded;

	a_mm = new_space(t, VM_READ | VM_WRITE, &a);
	KTEST_ASSERT_TRUE(t, a_mm != NULL);
	poke(a, 7);
	b_mm = new_space(t, VM_READ | VM_WRITE, &b);	/* now B is loaded */
	KTEST_ASSERT_TRUE(t, b_mm != NULL);
	not_loaded = vm_event_sum(NR_TLB_FLUSH_NOT_LOADED);
	KTEST_EXPECT_EQ(t, vm_munmap(a_mm, a, PAGE_SIZE), 0);
	KTEST_EXPECT_EQ(t, vm_event_sum(NR_TLB_FLUSH_NOT_LOADED), not_loaded + 1);
	use_space(a_mm);	/* a stale entry for A must not survive the switch back */
	KTEST_EXPECT_TRUE(t, faults(read_user, a, &tc));
	KTEST_EXPECT_EQ(t, tc.cr2, a);
	drop_space(b_mm);
	drop_space(a_mm);
}

static void test_pcid_keeps_entries(struct ktest *t)
{
	struct mm_struct *a_mm, *b_mm;
	unsigned long noflush;
	uint64_t a, b;

	if (!(read_cr4() & X86_CR4_PCIDE))
		KTEST_SKIP(t, "no PCID on this CPU (QEMU's TCG never has it)");
	a_mm = new_space(t, VM_READ | VM_WRITE, &a);
	KTEST_ASSERT_TRUE(t, a_mm != NULL);
	b_mm = new_space(t, VM_READ | VM_WRITE, &b);
	KTEST_ASSERT_TRUE(t, b_mm != NULL);
	KTEST_EXPECT_TRUE(t, a_mm->context.pcid && b_mm->context.pcid &&
			  a_mm->context.pcid != b_mm->context.pcid);
	noflush = vm_event_sum(NR_TLB_SWITCH_NOFLUSH);
	use_space(a_mm);	/* both were loaded once: no flush either way now */
	use_space(b_mm);
	KTEST_EXPECT_EQ(t, vm_event_sum(NR_TLB_SWITCH_NOFLUSH), noflush + 2);
	drop_space(b_mm);
	drop_space(a_mm);
}

static void test_access_rights_enforced(struct ktest *t)
{
	struct trap_catcher tc;
	struct mm_struct *mm;
	uint64_t a;

	mm = new_space(t, VM_READ, &a);
	KTEST_ASSERT_TRUE(t, mm != NULL);
	KTEST_EXPECT_EQ(t, peek(a), 0);		/* a read maps a zero page */
	KTEST_EXPECT_TRUE(t, faults(write_user, a, &tc));	/* no VM_WRITE */
	KTEST_EXPECT_EQ(t, tc.error_code, X86_PF_PROT | X86_PF_WRITE);
	KTEST_EXPECT_EQ(t, vm_mprotect(mm, a, PAGE_SIZE, VM_READ | VM_WRITE), 0);
	poke(a, 5);				/* now allowed: the fault takes the page over */
	KTEST_EXPECT_EQ(t, peek(a), 5);
	KTEST_EXPECT_EQ(t, vm_mprotect(mm, a, PAGE_SIZE, VM_READ), 0);
	KTEST_EXPECT_TRUE(t, faults(write_user, a, &tc));	/* taken away at once */
	KTEST_EXPECT_TRUE(t, faults(read_user, a + NPAGES * PAGE_SIZE, &tc));	/* outside */
	drop_space(mm);
}

static void test_smap_smep(struct ktest *t)
{
	struct trap_catcher tc;
	struct mm_struct *mm;
	uint64_t a;

	if (!boot_cpu.smap || !boot_cpu.smep)
		KTEST_SKIP(t, "no SMAP/SMEP on this CPU (boot with -cpu max)");
	mm = new_space(t, VM_READ | VM_WRITE | VM_EXEC, &a);
	KTEST_ASSERT_TRUE(t, mm != NULL);
	poke(a, 0xc3);		/* a "ret" instruction, mapped in the user half */
	KTEST_EXPECT_TRUE(t, faults(read_no_stac, a, &tc));	/* SMAP */
	KTEST_EXPECT_EQ(t, tc.error_code, X86_PF_PROT);
	KTEST_EXPECT_TRUE(t, faults(call_target, a, &tc));	/* SMEP */
	KTEST_EXPECT_EQ(t, tc.error_code, X86_PF_PROT | X86_PF_INSTR);
	KTEST_EXPECT_EQ(t, tc.rip, a);
	drop_space(mm);
}


extern const char _text[];
static const uint64_t some_rodata = 0x1234;
static uint8_t ret_insn_data[16] = { 0xc3 };

static void test_kernel_wx(struct ktest *t)
{
	struct trap_catcher tc;
	uint8_t ret_on_stack[16] = { 0xc3 };

	KTEST_EXPECT_TRUE(t, faults(write_plain, (uint64_t)_text + 64, &tc));	/* .text RX */
	KTEST_EXPECT_EQ(t, tc.error_code, X86_PF_PROT | X86_PF_WRITE);
	KTEST_EXPECT_TRUE(t, faults(write_plain, (uint64_t)&some_rodata, &tc));	/* .rodata R */
	KTEST_EXPECT_EQ(t, tc.error_code, X86_PF_PROT | X86_PF_WRITE);
	KTEST_EXPECT_EQ(t, wx_count_pages(false), 0);
	if (!boot_cpu.nx)
		KTEST_SKIP(t, "no NX bit on this CPU: data cannot be made non-executable");
	KTEST_EXPECT_TRUE(t, faults(call_target, (uint64_t)ret_on_stack, &tc));	/* stack NX */
	KTEST_EXPECT_EQ(t, tc.error_code, X86_PF_PROT | X86_PF_INSTR);
	KTEST_EXPECT_TRUE(t, faults(call_target, (uint64_t)ret_insn_data, &tc));	/* .data NX */
	/* The same bytes through the direct map: NX there too. */
	KTEST_EXPECT_TRUE(t, faults(call_target, (uint64_t)__va(__pa(ret_insn_data)), &tc));
	KTEST_EXPECT_EQ(t, tc.error_code, X86_PF_PROT | X86_PF_INSTR);
}

/*
 * A GiB of the vmalloc area for these tests, reserved at first use and kept: 1 GiB aligned,
 * so the tables below its PUD entry are theirs alone and need no lock.
 */
static uint64_t wx_test_va(void)
{
	static uint64_t va;
	struct vm_struct *area;

	if (!va) {
		area = __get_vm_area_caller(PUD_SIZE - PAGE_SIZE, PUD_SIZE, 0,
					    __builtin_return_address(0));
		va = area ? (uint64_t)area->addr : 0;
	}
	return va;
}
#define WX_TEST_VA wx_test_va()

static void test_wx_walk_finds_one(struct ktest *t)
{
	struct page *page = alloc_page(GFP_KERNEL);
	struct tlb_batch tlb;

	if (!boot_cpu.nx)
		KTEST_SKIP(t, "no NX bit: every page is executable, the walk is off");
	KTEST_ASSERT_TRUE(t, page && WX_TEST_VA);
	tlb_batch_init(&tlb, &kernel_pt_ops);
	KTEST_ASSERT_EQ(t, map_pages(init_pgd, WX_TEST_VA, page_to_phys(page), PAGE_SIZE,
				     _PAGE_PRESENT | _PAGE_RW, 0, &tlb), 0);
	KTEST_EXPECT_EQ(t, wx_count_pages(false), 1);	/* the walk can fail: it finds ours */
	unmap_range(init_pgd, WX_TEST_VA, PAGE_SIZE, &tlb);
	tlb_flush_batch(&tlb);
	KTEST_EXPECT_EQ(t, wx_count_pages(false), 0);
	__free_page(page);
}

static void test_spurious_fault_recognised(struct ktest *t)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	unsigned long spurious = vm_event_sum(PGSPURIOUS);
	uint64_t va = WX_TEST_VA;
	struct trap_catcher tc;
	struct tlb_batch tlb;
	struct pt_regs regs;

	KTEST_ASSERT_TRUE(t, page && va);
	tlb_batch_init(&tlb, &kernel_pt_ops);
	KTEST_ASSERT_EQ(t, map_pages(init_pgd, va, page_to_phys(page), PAGE_SIZE,
				     PAGE_KERNEL_RO, 0, &tlb), 0);
	KTEST_EXPECT_TRUE(t, !spurious_fault(va, X86_PF_PROT | X86_PF_WRITE));	/* really RO */
	KTEST_EXPECT_TRUE(t, faults(write_plain, va, &tc));	/* refused ... */
	KTEST_EXPECT_TRUE(t, !faults(read_plain, va, &tc));	/* ... a read caches a RO entry */
	/* Widen to RW without a flush (allowed: a fault rechecks the tables) ... */
	protect_range(init_pgd, va, PAGE_SIZE, _PAGE_RW, 0, &tlb);
	tlb_batch_done(&tlb);
	/*
	 * ... so a write either works at once (QEMU's TLB rewalks on a permission miss, as some
	 * CPUs do) or faults once on the stale entry, spuriously, and is retried.
	 */
	KTEST_EXPECT_TRUE(t, !faults(write_plain, va, &tc));
	KTEST_EXPECT_EQ(t, *(uint8_t *)page_address(page), 0xcc);
	KTEST_EXPECT_TRUE(t, vm_event_sum(PGSPURIOUS) - spurious <= 1);
	KTEST_EXPECT_TRUE(t, spurious_fault(va, X86_PF_PROT | X86_PF_WRITE));	/* direct check */
	/*
	 * The whole handler, as the #PF entry calls it, for the fault a CPU that kept the stale
	 * read-only entry raises: recognised as spurious, counted, retried (not an oops).
	 */
	regs = (struct pt_regs){ .error_code = X86_PF_PROT | X86_PF_WRITE, .cs = GDT_KERNEL_CS };
	spurious = vm_event_sum(PGSPURIOUS);
	KTEST_EXPECT_EQ(t, do_page_fault(&regs, va), FAULT_HANDLED);
	KTEST_EXPECT_EQ(t, vm_event_sum(PGSPURIOUS), spurious + 1);
	unmap_range(init_pgd, va, PAGE_SIZE, &tlb);
	tlb_flush_batch(&tlb);
	__free_page(page);
}

static void test_guard_page_classified(struct ktest *t)
{
	extern const char boot_stack_guard[];
	struct pt_regs regs = { .error_code = X86_PF_WRITE };

	KTEST_EXPECT_EQ(t, do_page_fault(&regs, (uint64_t)boot_stack_guard + 8),
			FAULT_STACK_GUARD);
	regs.error_code = 0;
	KTEST_ASSERT_TRUE(t, WX_TEST_VA != 0);
	KTEST_EXPECT_EQ(t, do_page_fault(&regs, WX_TEST_VA), FAULT_KERNEL);
}

static const struct ktest_case fault_cases[] = {
	KTEST_CASE(test_demand_paging_counts),
	KTEST_CASE(test_cow_after_dup),
	KTEST_CASE(test_shared_anon_after_dup),
	KTEST_CASE(test_unmap_faults_again),
	KTEST_CASE(test_unmap_in_other_space),
	KTEST_CASE(test_pcid_keeps_entries),
	KTEST_CASE(test_access_rights_enforced),
	KTEST_CASE(test_smap_smep),
	KTEST_CASE(test_kernel_wx),
	KTEST_CASE(test_wx_walk_finds_one),
	KTEST_CASE(test_spurious_fault_recognised),
	KTEST_CASE(test_guard_page_classified),
	{}
};
KTEST_SUITE(fault, fault_cases);
