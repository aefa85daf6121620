/*
 * vmalloc used where or how it must not be (ktest=vmalloc_misuse): vmalloc in atomic
 * context is refused with a warning; vfree from an interrupt handler (a real one: an
 * hrtimer's function) is deferred and done in process context by the worker thread, or
 * by the next vmalloc if that comes first; vfree of
 * kmalloc'd memory, of the middle of an area, of an area twice, and vunmap of a vmalloc
 * area are each reported with the caller, and the kernel goes on.
 */
#include <asm/io.h>
#include <kernel/hrtimer.h>
#include <kernel/ktest.h>
#include <kernel/log.h>
#include <kernel/preempt.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/vmalloc.h>
#include <sched/task.h>

static void test_refused_in_atomic_context(struct ktest *t)
{
	unsigned long refused = vmalloc_stats.refused, flags;
	uint64_t seq = log_next_seq();
	void *p;

	preempt_disable();
	p = vmalloc(PAGE_SIZE);
	preempt_enable();
	KTEST_EXPECT_TRUE(t, p == NULL);
	flags = local_irq_save();
	p = vzalloc(PAGE_SIZE);
	local_irq_restore(flags);
	KTEST_EXPECT_TRUE(t, p == NULL);
	KTEST_EXPECT_EQ(t, vmalloc_stats.refused, refused + 2);
	KTEST_EXPECT_TRUE(t, ktest_logged(seq, "vmalloc from atomic context refused",
					  "test_refused_in_atomic_context+0x"));
	p = vmalloc(PAGE_SIZE);		/* and it works again right after */
	KTEST_EXPECT_TRUE(t, p != NULL);
	vfree(p);
}

static void *irq_victim;
static volatile bool irq_done;
static volatile bool irq_was_interrupt;

static enum hrtimer_restart free_in_irq(struct hrtimer *timer)
{
	(void)timer;
	irq_was_interrupt = in_interrupt();
	vfree(irq_victim);
	irq_done = true;
	return HRTIMER_NORESTART;
}

/* Fire free_in_irq 0.2 ms from now and spin until it ran (the caller may be atomic). */
static void vfree_from_hrtimer(struct hrtimer *timer, void *victim)
{
	irq_victim = victim;
	irq_done = false;
	hrtimer_init(timer, free_in_irq);
	hrtimer_start(timer, sched_clock() + 200000);
	for (uint64_t end = sched_clock() + 100000000; !irq_done && sched_clock() < end;)
		cpu_relax();
}

static bool freed_within_ms(void *victim, int ms)
{
	for (; ms > 0 && find_vm_area(victim); ms--)
		msleep(1);
	return find_vm_area(victim) == NULL && vmalloc_to_page(victim) == NULL;
}

/*
 * Deferred, then done in process context: by the worker thread (kworker/0) once this task
 * lets it run, with no vmalloc or vfree from us; or by the next vmalloc, if that is sooner.
 * Preemption stays off until the check, so the worker cannot have run yet.
 */
static void test_vfree_from_interrupt_is_deferred(struct ktest *t)
{
	unsigned long deferred = vmalloc_stats.deferred;
	struct hrtimer timer;
	void *victim, *other;

	victim = vmalloc(3 * PAGE_SIZE);
	KTEST_ASSERT_TRUE(t, victim != NULL);
	preempt_disable();
	vfree_from_hrtimer(&timer, victim);
	KTEST_EXPECT_TRUE(t, irq_done && irq_was_interrupt);
	KTEST_EXPECT_EQ(t, vmalloc_stats.deferred, deferred + 1);
	/* Claimed, still mapped: the work waits for process context. */
	KTEST_EXPECT_TRUE(t, find_vm_area(victim) != NULL);
	KTEST_EXPECT_TRUE(t, vmalloc_to_page(victim) != NULL);
	preempt_enable();
	KTEST_EXPECT_TRUE(t, freed_within_ms(victim, 100));

	victim = vmalloc(2 * PAGE_SIZE);
	KTEST_ASSERT_TRUE(t, victim != NULL);
	preempt_disable();
	vfree_from_hrtimer(&timer, victim);
	KTEST_EXPECT_TRUE(t, find_vm_area(victim) != NULL);
	/* The worker is woken but not switched to: vmalloc's first step drains the queue. */
	preempt_enable_no_resched();
	other = vmalloc(PAGE_SIZE);
	KTEST_EXPECT_TRUE(t, find_vm_area(victim) == NULL);
	KTEST_EXPECT_EQ(t, vmalloc_stats.deferred, deferred + 2);
	vfree(other);
}

static __noinline void bad_frees(void *kmem, char *v)
{
	vfree(kmem);		/* kmalloc'd */
	vfree(v + PAGE_SIZE);	/* the middle of an area */
	vunmap(v);		/* an area of the wrong kind */
	iounmap(v);
	vfree(v);		/* right */
	vfree(v);		/* twice */
	vfree((void *)(VMALLOC_START + (5ull << 40)));	/* nothing there */
}

static void test_bad_frees_reported(struct ktest *t)
{
	unsigned long bad = vmalloc_stats.bad_frees;
	uint64_t seq = log_next_seq();
	void *kmem = kmalloc(64, GFP_KERNEL);
	char *v = vmalloc(2 * PAGE_SIZE);

	KTEST_ASSERT_TRUE(t, kmem && v);
	vm_unmap_aliases();	/* so v stays lazy after its vfree: no purge in between */
	bad_frees(kmem, v);
	KTEST_EXPECT_EQ(t, vmalloc_stats.bad_frees, bad + 6);
	KTEST_EXPECT_TRUE(t, ktest_logged(seq, "from bad_frees+0x", "not a vmalloc address "
					  "(direct-mapped memory: kmalloc'd? then kfree it)"));
	KTEST_EXPECT_TRUE(t, ktest_logged(seq, "vfree(", "inside the vmalloc area 0x"));
	KTEST_EXPECT_TRUE(t, ktest_logged(seq, "vunmap(", "made by vmalloc: free it with vfree"));
	KTEST_EXPECT_TRUE(t, ktest_logged(seq, "iounmap(", "made by vmalloc: free it with vfree"));
	KTEST_EXPECT_TRUE(t, ktest_logged(seq, "vfree(",
					  "double free: the area was freed already"));
	KTEST_EXPECT_TRUE(t, ktest_logged(seq, "vfree(", "no area there"));
	kfree(kmem);
	vfree(NULL);		/* as kfree(NULL): nothing, no report */
	KTEST_EXPECT_EQ(t, vmalloc_stats.bad_frees, bad + 6);
}

static void test_too_big_fails_cleanly(struct ktest *t)
{
	unsigned long used = vmalloc_nr_pages();
	uint64_t seq = log_next_seq();

	KTEST_EXPECT_TRUE(t, vmalloc((totalram_pages() + 1) * PAGE_SIZE) == NULL);
	KTEST_EXPECT_TRUE(t, vmalloc(0) == NULL);
	KTEST_EXPECT_TRUE(t, ktest_logged(seq, "allocation failure", "more than all RAM"));
	KTEST_EXPECT_EQ(t, vmalloc_nr_pages(), used);
}

static const struct ktest_case misuse_cases[] = {
	KTEST_CASE(test_refused_in_atomic_context),
	KTEST_CASE(test_vfree_from_interrupt_is_deferred),
	KTEST_CASE(test_bad_frees_reported),
	KTEST_CASE(test_too_big_fails_cleanly),
	{},
};
KTEST_SUITE(vmalloc_misuse, misuse_cases);
