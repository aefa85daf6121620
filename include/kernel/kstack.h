/*
 * Kernel stacks of tasks (kernel/kstack.c): THREAD_SIZE bytes each, in their own virtual
 * range with an unmapped guard below every stack (include/asm/layout.h), so an overflow
 * faults and is reported with the task's name instead of corrupting memory.
 */
#ifndef KERNEL_KSTACK_H
#define KERNEL_KSTACK_H

#include <kernel/compiler.h>

struct task_struct;

void *kstack_alloc(struct task_struct *owner);	/* the lowest address; NULL without memory */
void kstack_free(void *stack);

/* The stack [lo, hi) that holds @addr, if @addr is on a task stack in use. */
bool kstack_bounds(uint64_t addr, uint64_t *lo, uint64_t *hi);
/* The task whose guard @addr is in, or NULL. */
struct task_struct *kstack_guard_owner(uint64_t addr);

#endif
