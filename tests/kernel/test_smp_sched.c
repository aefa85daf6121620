/*
 * The APs at work: call-function IPIs run where they are sent, in order; kernel threads
 * given an affinity run, sleep and wake on their CPU (moving tasks by affinity is ktest
 * affinity's); a remote wakeup of an idle CPU sends it a reschedule IPI; TLB shootdowns reach
 * the CPUs that may hold the translation (a stale entry would be read otherwise: QEMU's
 * TLB keeps them too) and only those. Every case skips with one CPU online.
 */
#include <kernel/hrtimer.h>
#include <kernel/irq.h>
#include <kernel/ktest.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/gfp.h>
#include <mm/mmu_context.h>
#include <mm/pgtable.h>
#include <mm/tlb.h>
#include <mm/vmalloc.h>
#include <mm/vmstat.h>
#include <sched/completion.h>
#include <sched/task.h>
#include <sched/workers.h>

#define NEED_TWO_CPUS(t) do { if (num_online_cpus() < 2) KTEST_SKIP(t, "one CPU online"); } while (0)

/* The highest online CPU: an AP whenever there is one. */
static unsigned int last_cpu(void)
{
	return 8 * sizeof(cpumask_t) - 1 - (unsigned int)__builtin_clzl(online_cpus());
}

/* A worker (sched/workers.h) that may run on @cpu only, started. */
static struct task_struct *start_on(int (*fn)(void *), void *arg, unsigned int cpu)
{
	struct task_struct *p = worker_create(fn, arg, "smptest", SCHED_NORMAL, 0);

	if (p) {
		set_cpus_allowed(p, cpumask_of(cpu));
		wake_up_process(p);
	}
	return p;
}

/* ---- call-function IPIs ---- */

static int ran_on[NR_CPUS];
static bool ran_in_irq[NR_CPUS];

static void record_cpu(void *info)
{
	unsigned int cpu = smp_processor_id();

	(void)info;
	ran_on[cpu] = (int)cpu;
	ran_in_irq[cpu] = irqs_disabled();
}

static void test_call_function_runs_on_every_cpu(struct ktest *t)
{
	uint64_t calls[NR_CPUS];
	unsigned int cpu;

	NEED_TWO_CPUS(t);
	memset(ran_on, -1, sizeof(ran_on));
	for_each_cpu(cpu, online_cpus())
		calls[cpu] = irq_stats[cpu].call_function;
	on_each_cpu(record_cpu, NULL, true);
	for_each_cpu(cpu, online_cpus()) {
		KTEST_EXPECT_EQ(t, ran_on[cpu], (int)cpu);
		KTEST_EXPECT_TRUE(t, ran_in_irq[cpu]);
		if (cpu != smp_processor_id())
			KTEST_EXPECT_TRUE(t, irq_stats[cpu].call_function > calls[cpu]);
	}
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (!cpu_online(cpu)) {
			KTEST_EXPECT_EQ(t, ran_on[cpu], -1);
			KTEST_EXPECT_EQ(t, smp_call_function_single(cpu, record_cpu, NULL, true),
					-ENXIO);
		}
}

static unsigned int seq_next, seq_bad;

static void take_seq(void *info)
{
	unsigned int want = (unsigned int)(uintptr_t)info;

	if (seq_next != want)
		seq_bad++;
	seq_next = want + 1;
}

/* Calls without waiting are queued and run in the order sent; the last one waits for all. */
static void test_calls_without_wait_run_in_order(struct ktest *t)
{
	unsigned int cpu = last_cpu();

	NEED_TWO_CPUS(t);
	seq_next = seq_bad = 0;
	for (unsigned int i = 0; i < 200; i++)
		KTEST_ASSERT_EQ(t, smp_call_function_single(cpu, take_seq, (void *)(uintptr_t)i,
							    i == 199), 0);
	KTEST_EXPECT_EQ(t, seq_next, 200u);
	KTEST_EXPECT_EQ(t, seq_bad, 0u);
}

/* Two CPUs that call each other and wait, interrupts off, both finish (each serves the other). */
static volatile bool cross_go;
static unsigned int cross_done[NR_CPUS];

static void nop_call(void *info) { (void)info; }

static int cross_caller(void *arg)
{
	unsigned int peer = (unsigned int)(uintptr_t)arg;

	while (!READ_ONCE(cross_go))
		cpu_relax();
	for (unsigned int i = 0; i < 500; i++) {
		unsigned long flags = local_irq_save();

		smp_call_function_single(peer, nop_call, NULL, true);
		local_irq_restore(flags);
	}
	cross_done[smp_processor_id()]++;
	return 0;
}

static void test_cpus_calling_each_other_do_not_deadlock(struct ktest *t)
{
	unsigned int a = 0, b = last_cpu();
	struct task_struct *pa, *pb;

	NEED_TWO_CPUS(t);
	if (num_online_cpus() >= 3)
		a = 1;		/* two APs: the test's own CPU stays out of it */
	cross_go = false;
	cross_done[a] = cross_done[b] = 0;
	pa = start_on(cross_caller, (void *)(uintptr_t)b, a);
	pb = start_on(cross_caller, (void *)(uintptr_t)a, b);
	KTEST_ASSERT_TRUE(t, pa && pb);
	cross_go = true;
	KTEST_EXPECT_EQ(t, worker_wait(pa), 0);
	KTEST_EXPECT_EQ(t, worker_wait(pb), 0);
	KTEST_EXPECT_EQ(t, cross_done[a], 1u);
	KTEST_EXPECT_EQ(t, cross_done[b], 1u);
}

/* ---- tasks on the APs ---- */

struct where {
	int before, after;	/* the CPU before and after a sleep */
	uint64_t slept_ns;
};

static int sleep_where(void *arg)
{
	struct where *w = arg;
	uint64_t t0;

	w->before = (int)smp_processor_id();
	t0 = sched_clock();
	msleep(5);		/* a timer on this CPU's own list, its own tick */
	w->slept_ns = sched_clock() - t0;
	w->after = (int)smp_processor_id();
	return 0;
}

static void test_pinned_threads_run_and_sleep_on_their_cpu(struct ktest *t)
{
	static struct where w[NR_CPUS];
	struct task_struct *p[NR_CPUS] = { 0 };
	unsigned int cpu;

	NEED_TWO_CPUS(t);
	memset(w, -1, sizeof(w));
	for_each_cpu(cpu, online_cpus())
		p[cpu] = start_on(sleep_where, &w[cpu], cpu);
	for_each_cpu(cpu, online_cpus()) {
		KTEST_ASSERT_TRUE(t, p[cpu] != NULL);
		KTEST_EXPECT_EQ(t, worker_wait(p[cpu]), 0);
		KTEST_EXPECT_EQ(t, w[cpu].before, (int)cpu);
		KTEST_EXPECT_EQ(t, w[cpu].after, (int)cpu);
		KTEST_EXPECT_TRUE(t, w[cpu].slept_ns >= 5 * NSEC_PER_MSEC);
	}
}

/* ---- wakeups across CPUs ---- */

static struct completion wake_me, woke;
static volatile int woke_on;

static int wait_to_be_woken(void *arg)
{
	(void)arg;
	wait_for_completion(&wake_me);
	woke_on = (int)smp_processor_id();
	complete(&woke);
	return 0;
}

static void test_remote_wakeup_sends_reschedule_ipi(struct ktest *t)
{
	unsigned int cpu = last_cpu();
	struct task_struct *p;
	uint64_t res;

	NEED_TWO_CPUS(t);
	init_completion(&wake_me);
	init_completion(&woke);
	woke_on = -1;
	p = start_on(wait_to_be_woken, NULL, cpu);
	KTEST_ASSERT_TRUE(t, p != NULL);
	msleep(20);		/* it sleeps, its CPU idles halted */
	res = irq_stats[cpu].reschedule;
	complete(&wake_me);
	KTEST_EXPECT_TRUE(t, wait_for_completion_timeout(&woke, msecs_to_jiffies(1000)) > 0);
	KTEST_EXPECT_EQ(t, woke_on, (int)cpu);
	KTEST_EXPECT_TRUE(t, irq_stats[cpu].reschedule > res);
	KTEST_EXPECT_EQ(t, worker_wait(p), 0);
}

/* ---- TLB shootdowns ---- */

struct reader {
	volatile uint64_t *va;
	volatile int phase;		/* 0: keep reading, 1: read once more, 2: done */
	volatile uint64_t first, last;
};

static int read_mapping(void *arg)
{
	struct reader *r = arg;

	r->first = *r->va;		/* the AP's TLB now holds va's translation */
	while (r->phase == 0)
		r->last = *r->va;
	r->last = *r->va;
	r->phase = 2;
	return 0;
}

/*
 * A kernel address an AP has read is pointed at another page: after the flush, the AP
 * reads the new page. Without the shootdown it would go on reading the old one.
 */
static void test_shootdown_of_kernel_mapping(struct ktest *t)
{
	static struct reader r;
	struct page *pg[2] = { alloc_page(GFP_KERNEL), alloc_page(GFP_KERNEL) };
	unsigned int cpu = last_cpu();
	uint64_t shoot, remote, *va;
	struct task_struct *p;
	struct tlb_batch tlb;
	pteval_t old, new;
	unsigned long irq;

	NEED_TWO_CPUS(t);
	KTEST_ASSERT_TRUE(t, pg[0] && pg[1]);
	*(uint64_t *)page_address(pg[0]) = 0xaaaa;
	*(uint64_t *)page_address(pg[1]) = 0xbbbb;
	va = vmap(pg, 1, 0, PAGE_KERNEL);
	KTEST_ASSERT_TRUE(t, va != NULL);
	r = (struct reader){ .va = va };
	p = start_on(read_mapping, &r, cpu);
	KTEST_ASSERT_TRUE(t, p != NULL);
	while (r.first != 0xaaaa)
		msleep(1);
	shoot = irq_stats[cpu].tlb_shootdown;
	remote = vm_event_sum(NR_TLB_REMOTE_FLUSH);

	old = read_pte(init_pgd, (uint64_t)va);
	new = (old & ~PTE_ADDR_MASK) | PFN_PHYS(page_to_pfn(pg[1]));
	tlb_batch_init(&tlb, &kernel_pt_ops);
	irq = kernel_pt_lock();
	KTEST_EXPECT_EQ(t, exchange_pte(init_pgd, (uint64_t)va, old, new, &tlb), 0);
	tlb_flush_batch(&tlb);
	kernel_pt_unlock(irq);
	r.phase = 1;
	while (r.phase != 2)
		msleep(1);
	KTEST_EXPECT_EQ(t, r.last, 0xbbbbull);
	KTEST_EXPECT_TRUE(t, irq_stats[cpu].tlb_shootdown > shoot);
	KTEST_EXPECT_TRUE(t, vm_event_sum(NR_TLB_REMOTE_FLUSH) > remote);
	KTEST_EXPECT_EQ(t, worker_wait(p), 0);

	/* Back as vmap made it, so vunmap takes away what it mapped. */
	tlb_batch_init(&tlb, &kernel_pt_ops);
	irq = kernel_pt_lock();
	exchange_pte(init_pgd, (uint64_t)va, new, old, &tlb);
	tlb_flush_batch(&tlb);
	kernel_pt_unlock(irq);
	vunmap(va);
	__free_page(pg[0]);
	__free_page(pg[1]);
}

struct mm_user {
	struct mm_struct *mm;
	struct completion loaded, go;
};

static int use_mm_until_told(void *arg)
{
	struct mm_user *u = arg;

	kthread_use_mm(u->mm);
	complete(&u->loaded);
	wait_for_completion(&u->go);	/* asleep, but still loaded: idle borrows it */
	kthread_unuse_mm(u->mm);
	return 0;
}

/* A user space is flushed on the CPUs that have it loaded, and on no other. */
static void test_user_shootdown_asks_only_cpus_with_it_loaded(struct ktest *t)
{
	static struct mm_user u;
	unsigned int cpu = last_cpu(), c;
	uint64_t shoot[NR_CPUS], remote;
	struct task_struct *p;

	NEED_TWO_CPUS(t);
	u.mm = mm_alloc();
	KTEST_ASSERT_TRUE(t, u.mm != NULL);
	init_completion(&u.loaded);
	init_completion(&u.go);

	remote = vm_event_sum(NR_TLB_REMOTE_FLUSH);
	flush_tlb_range(u.mm, 0x400000, 0x401000);	/* loaded nowhere: no IPI */
	KTEST_EXPECT_EQ(t, vm_event_sum(NR_TLB_REMOTE_FLUSH), remote);

	p = start_on(use_mm_until_told, &u, cpu);
	KTEST_ASSERT_TRUE(t, p != NULL);
	wait_for_completion(&u.loaded);
	msleep(2);		/* the thread sleeps; its CPU idles with the space still loaded */
	for_each_cpu(c, online_cpus())
		shoot[c] = irq_stats[c].tlb_shootdown;
	remote = vm_event_sum(NR_TLB_REMOTE_FLUSH);
	flush_tlb_range(u.mm, 0x400000, 0x401000);
	KTEST_EXPECT_EQ(t, vm_event_sum(NR_TLB_REMOTE_FLUSH), remote + 1);
	for_each_cpu(c, online_cpus())
		KTEST_EXPECT_EQ(t, irq_stats[c].tlb_shootdown, shoot[c] + (c == cpu));
	complete(&u.go);
	KTEST_EXPECT_EQ(t, worker_wait(p), 0);
	mmput(u.mm);
}

static const struct ktest_case smp_sched_cases[] = {
	KTEST_CASE(test_call_function_runs_on_every_cpu),
	KTEST_CASE(test_calls_without_wait_run_in_order),
	KTEST_CASE(test_cpus_calling_each_other_do_not_deadlock),
	KTEST_CASE(test_pinned_threads_run_and_sleep_on_their_cpu),
	KTEST_CASE(test_remote_wakeup_sends_reschedule_ipi),
	KTEST_CASE(test_shootdown_of_kernel_mapping),
	KTEST_CASE(test_user_shootdown_asks_only_cpus_with_it_loaded),
	{}
};
KTEST_SUITE(smp_sched, smp_sched_cases);
