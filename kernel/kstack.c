/*
 * Kernel stacks for tasks, from vmalloc (Linux's VMAP_STACK): each stack is a vmalloc area
 * of THREAD_SIZE, four pages of any frames, and like every area it is followed by an
 * unmapped guard page; the page below it is the guard of the area before it, or free
 * space, and so never mapped either (mm/vmap_area.c). A task that runs off the bottom of
 * its stack touches that page, the page fault cannot push its frame there either, and the
 * CPU raises a double fault on its own IST stack, which kernel/traps.c reports as "kernel
 * stack overflow" naming the task, with a backtrace; a kernel thread other than init is
 * then killed and the kernel goes on. Without the guard the overflow would silently
 * overwrite whatever lies below.
 * A stack is vfree'd when its task is freed, which happens in the next task's
 * finish_task_switch (preemption off, interrupts on: vfree is fine there), so its frames go
 * back at the next lazy purge. The lookups below read only the current task: they run in
 * fault and oops reports, where the vmalloc lock may be held by the code that failed.
 */
#include <asm/layout.h>
#include <kernel/percpu.h>
#include <mm/vmalloc.h>
#include <sched/task.h>

void *kstack_alloc(struct task_struct *owner)
{
	(void)owner;
	/* Zeroed, as Linux's: no old data on a new stack. vmallocinfo names our caller. */
	return __vmalloc_caller(THREAD_SIZE, GFP_KERNEL | __GFP_ZERO, __builtin_return_address(0));
}

void kstack_free(void *stack)
{
	vfree(stack);
}

/* The running task, if it has a stack from kstack_alloc (not the boot stack of pid 0). */
static struct task_struct *stack_task(void)
{
	struct task_struct *p = this_cpu()->current_task;

	return p && !(p->flags & PF_IDLE) && is_vmalloc_addr(p->stack) ? p : NULL;
}

bool kstack_bounds(uint64_t addr, uint64_t *lo, uint64_t *hi)
{
	struct task_struct *p = stack_task();

	if (!p || addr < (uint64_t)p->stack || addr >= (uint64_t)p->stack + THREAD_SIZE)
		return false;
	*lo = (uint64_t)p->stack;
	*hi = *lo + THREAD_SIZE;
	return true;
}

struct task_struct *kstack_guard_owner(uint64_t addr)
{
	struct task_struct *p = stack_task();

	if (!p || addr >= (uint64_t)p->stack || addr < (uint64_t)p->stack - PAGE_SIZE)
		return NULL;
	return p;
}
