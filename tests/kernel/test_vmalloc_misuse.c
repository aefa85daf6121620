/*
 * vmalloc used where or how it must not be (ktest=vmalloc_misuse): vmalloc in atomic
 * context is refused with a warning; vfree from an interrupt handler (a real one: an
 * hrtimer's function) is deferred and done by the next vfree in process context; vfree of
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

static void test_vfree_from_interrupt_is_deferred(struct ktest *t)
{
	unsigned long deferred = vmalloc_stats.deferred;
	struct hrtimer timer;
	void *other;

	irq_victim = vmalloc(3 * PAGE_SIZE);
	KTEST_ASSERT_TRUE(t, irq_victim != NULL);
	irq_done = false;
	hrtimer_init(&timer, free_in_irq);
	hrtimer_start(&timer, sched_clock() + 200000);	/* 0.2 ms from now */
	for (int ms = 0; ms < 100 && !irq_done; ms++)
		msleep(1);
	KTEST_ASSERT_TRUE(t, irq_done);
	KTEST_EXPECT_TRUE(t, irq_was_interrupt);
	KTEST_EXPECT_EQ(t, vmalloc_stats.deferred, deferred + 1);
	/* Claimed, still mapped: the work waits for process context. */
	KTEST_EXPECT_TRUE(t, find_vm_area(irq_victim) != NULL);
	KTEST_EXPECT_TRUE(t, vmalloc_to_page(irq_victim) != NULL);
	other = vmalloc(PAGE_SIZE);	/* the next vmalloc does it */
	KTEST_EXPECT_TRUE(t, find_vm_area(irq_victim) == NULL);
	KTEST_EXPECT_TRUE(t, vmalloc_to_page(irq_victim) == NULL);
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
