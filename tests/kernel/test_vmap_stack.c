/*
 * Kernel stacks from vmalloc (ktest=vmap_stack): every task's stack is a vmalloc area of
 * THREAD_SIZE with its guard page, and a kernel thread that recurses until its stack runs
 * out is reported ("kernel stack overflow", the task, an oops with the backtrace) and
 * killed, while the kernel, and this test, go on. Its stack is freed for real afterwards,
 * and new threads start, sleep and exit as before.
 */
#include <kernel/ktest.h>
#include <kernel/log.h>
#include <kernel/kstack.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/vmalloc.h>
#include <mm/vmstat.h>
#include <sched/task.h>

uint64_t crash_recurse(uint64_t depth);	/* kernel/crash.c: 512 bytes a frame, forever */

static void test_task_stacks_are_vmalloc_areas(struct ktest *t)
{
	struct vm_struct *vm = find_vm_area(current->stack);
	uint64_t lo, hi;

	KTEST_EXPECT_TRUE(t, is_vmalloc_addr(current->stack));
	KTEST_ASSERT_TRUE(t, vm != NULL);
	KTEST_EXPECT_TRUE(t, vm->flags & VM_ALLOC);
	KTEST_EXPECT_EQ(t, vm->size, THREAD_SIZE + PAGE_SIZE);
	KTEST_EXPECT_EQ(t, vm->nr_pages, THREAD_SIZE / PAGE_SIZE);
	KTEST_EXPECT_TRUE(t, vmalloc_to_page((char *)current->stack - 1) == NULL);	/* below */
	KTEST_EXPECT_TRUE(t, vmalloc_to_page((char *)current->stack + THREAD_SIZE) == NULL);
	KTEST_EXPECT_TRUE(t, kstack_bounds((uint64_t)&vm, &lo, &hi));
	KTEST_EXPECT_EQ(t, lo, (uint64_t)current->stack);
	KTEST_EXPECT_TRUE(t, kstack_guard_owner((uint64_t)current->stack - 8) == current);
}

static volatile bool started;

static int overflow(void *arg)
{
	(void)arg;
	started = true;
	crash_recurse(0);
	return 0;	/* never reached */
}

static void test_kthread_stack_overflow_is_killed(struct ktest *t)
{
	uint64_t seq = log_next_seq(), at, oopses = vm_event_sum(OOPS_COUNT);
	struct task_struct *k = kthread_create(overflow, NULL, "ktest-overflow");
	char who[48];
	void *stack;
	int pid, ret;

	KTEST_ASSERT_TRUE(t, k != NULL);
	get_task_struct(k);	/* it exits on its own: keep it for kthread_stop */
	pid = k->pid;
	stack = k->stack;
	started = false;
	wake_up_process(k);
	for (int ms = 0; ms < 1000 && !started; ms++)
		msleep(1);
	ret = kthread_stop(k);	/* it ran: this waits for its exit */
	/* Until its final switch, after which only our reference is left. */
	for (int ms = 0; ms < 1000 && READ_ONCE(k->usage) > 1; ms++)
		msleep(1);
	KTEST_EXPECT_EQ(t, READ_ONCE(k->usage), 1);
	KTEST_EXPECT_EQ(t, k->oopses, 1);	/* counted for the task and in all */
	KTEST_EXPECT_EQ(t, vm_event_sum(OOPS_COUNT), oopses + 1);
	put_task_struct(k);	/* the last reference: its stack is vfree'd */
	KTEST_EXPECT_EQ(t, ret, -EFAULT);
	snprintf(who, sizeof(who), "ktest-overflow (pid %d)", pid);
	at = ktest_find_logged(seq, "kernel stack overflow: RSP ", who);
	KTEST_EXPECT_TRUE(t, at != 0);
	at = ktest_find_logged(at, "Oops: kernel stack overflow (double-fault)", "");
	KTEST_EXPECT_TRUE(t, at != 0);
	KTEST_EXPECT_TRUE(t, ktest_find_logged(at, "Comm: ktest-overflow", ""));
	KTEST_EXPECT_TRUE(t, ktest_find_logged(at, " crash_recurse+0x", ""));
	KTEST_EXPECT_TRUE(t, ktest_find_logged(at, "repeated", "more times"));
	KTEST_EXPECT_TRUE(t, ktest_find_logged(at, " overflow+0x", ""));
	KTEST_EXPECT_TRUE(t, ktest_find_logged(at, "killed ktest-overflow", "the kernel goes on"));
	vm_unmap_aliases();
	KTEST_EXPECT_TRUE(t, find_vm_area(stack) == NULL);	/* freed for real */
	KTEST_EXPECT_TRUE(t, vmalloc_to_page(stack) == NULL);
}

static volatile int finished;

static int sleep_and_return(void *arg)
{
	msleep(2);
	__atomic_fetch_add(&finished, 1, __ATOMIC_RELAXED);
	return (int)(uintptr_t)arg;
}

/* After the kill, the kernel goes on: new threads get fresh stacks, sleep, run and exit. */
static void test_threads_run_after_the_overflow(struct ktest *t)
{
	struct task_struct *k[4];

	finished = 0;
	for (int i = 0; i < 4; i++) {
		k[i] = kthread_create(sleep_and_return, (void *)(uintptr_t)(100 + i),
				      "ktest-after-%d", i);
		KTEST_ASSERT_TRUE(t, k[i] != NULL);
		get_task_struct(k[i]);	/* they exit on their own: keep them for kthread_stop */
		KTEST_EXPECT_TRUE(t, find_vm_area(k[i]->stack) != NULL);
		wake_up_process(k[i]);
	}
	/* Let each run to its end (kthread_stop before its first run would skip it). */
	for (int ms = 0; ms < 1000 && finished < 4; ms++)
		msleep(1);
	KTEST_EXPECT_EQ(t, finished, 4);
	for (int i = 0; i < 4; i++) {
		KTEST_EXPECT_EQ(t, kthread_stop(k[i]), 100 + i);
		put_task_struct(k[i]);
	}
}

static const struct ktest_case vmap_stack_cases[] = {
	KTEST_CASE(test_task_stacks_are_vmalloc_areas),
	KTEST_CASE(test_kthread_stack_overflow_is_killed),
	KTEST_CASE(test_threads_run_after_the_overflow),
	{},
};
KTEST_SUITE(vmap_stack, vmap_stack_cases);
