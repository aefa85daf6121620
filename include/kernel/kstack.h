/*
 * Kernel stacks of tasks (kernel/kstack.c): THREAD_SIZE bytes each, vmalloc areas with an
 * unmapped guard page on either side (VMAP_STACK), so an overflow faults and is reported
 * with the task's name instead of corrupting memory.
 */
#ifndef KERNEL_KSTACK_H
#define KERNEL_KSTACK_H

#include <kernel/compiler.h>

struct task_struct;

void *kstack_alloc(struct task_struct *owner);	/* the lowest address; NULL without memory */
void kstack_free(void *stack);

/* The running task's stack [lo, hi), if @addr is on it. */
bool kstack_bounds(uint64_t addr, uint64_t *lo, uint64_t *hi);
/* The running task, if @addr is in the guard page below its stack; else NULL. */
struct task_struct *kstack_guard_owner(uint64_t addr);

#endif
