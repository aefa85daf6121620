/*
 * Kernel stacks for tasks, each with an unmapped guard below it. The stacks live in a
 * virtual range of their own (KSTACK_START.., include/asm/layout.h), cut into slots of
 * 2 * THREAD_SIZE: the top half of a slot is the stack, mapped to four pages of RAM, the
 * bottom half is never mapped. A task that runs off the bottom of its stack touches the
 * guard, the page fault cannot push its frame there either, and the CPU raises a double
 * fault on its own IST stack, which kernel/traps.c reports as a stack overflow, naming the
 * task (kstack_guard_owner). Without the guard the overflow would silently overwrite
 * whatever memory lies below.
 * Limits: mm/paging.c cannot unmap yet, so a freed stack keeps its pages mapped in its
 * slot and the next task reuses both (the memory is held for the peak number of tasks);
 * the vmalloc issue moves stacks into vmalloc and frees them for real.
 */
#include <asm/layout.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <lib/string.h>
#include <mm/gfp.h>
#include <mm/pgtable.h>
#include <sched/task.h>

#define STACK_ORDER	2	/* THREAD_SIZE in pages, as an order: 4 pages */
_Static_assert((PAGE_SIZE << STACK_ORDER) == THREAD_SIZE, "STACK_ORDER must match THREAD_SIZE");

/*
 * A slot whose mapping failed half way is retired (SLOT_LOST): remapping it later would
 * change present entries, which needs a TLB flush mm/paging.c cannot do yet.
 */
enum slot_state { SLOT_UNUSED, SLOT_FREE_MAPPED, SLOT_IN_USE, SLOT_LOST };

static uint8_t slot_state[KSTACK_SLOTS];
static struct task_struct *slot_owner[KSTACK_SLOTS];
static DEFINE_SPINLOCK(kstack_lock);

static uint64_t slot_stack(unsigned int slot)
{
	return KSTACK_START + (uint64_t)slot * KSTACK_SLOT + (KSTACK_SLOT - THREAD_SIZE);
}

static int map_slot(unsigned int slot)
{
	unsigned long pages = __get_free_pages(GFP_KERNEL, STACK_ORDER);

	if (!pages)
		return -1;
	if (kernel_map_range(slot_stack(slot), __pa((void *)pages), THREAD_SIZE, PAGE_KERNEL, false,
			     &kernel_pt_ops)) {
		free_pages(pages, STACK_ORDER);
		return -1;
	}
	return 0;
}

/* A slot to use: a freed one (still mapped) first, else a fresh one. */
static int claim_slot(void)
{
	int fresh = -1;

	for (unsigned int i = 0; i < KSTACK_SLOTS; i++) {
		if (slot_state[i] == SLOT_FREE_MAPPED)
			return i;
		if (slot_state[i] == SLOT_UNUSED && fresh < 0)
			fresh = i;
	}
	return fresh;
}

void *kstack_alloc(struct task_struct *owner)
{
	unsigned long flags = spin_lock_irqsave(&kstack_lock);
	int slot = claim_slot();
	bool mapped = slot >= 0 && slot_state[slot] == SLOT_FREE_MAPPED;

	if (slot >= 0) {
		slot_state[slot] = SLOT_IN_USE;	/* reserve it; map outside the lock */
		slot_owner[slot] = owner;
	}
	spin_unlock_irqrestore(&kstack_lock, flags);
	if (slot < 0) {
		pr_err("kstack: all %u stack slots in use\n", KSTACK_SLOTS);
		return NULL;
	}
	if (!mapped && map_slot(slot)) {
		flags = spin_lock_irqsave(&kstack_lock);
		slot_state[slot] = SLOT_LOST;
		slot_owner[slot] = NULL;
		spin_unlock_irqrestore(&kstack_lock, flags);
		pr_err("kstack: out of memory mapping a stack\n");
		return NULL;
	}
	return (void *)slot_stack(slot);
}

static int slot_of(uint64_t addr)
{
	if (addr < KSTACK_START || addr >= KSTACK_END)
		return -1;
	return (addr - KSTACK_START) / KSTACK_SLOT;
}

void kstack_free(void *stack)
{
	int slot = slot_of((uint64_t)stack);
	unsigned long flags;

	if (slot < 0 || slot_state[slot] != SLOT_IN_USE) {
		pr_err("kstack: freeing %p, which is no stack in use\n", stack);
		return;
	}
	flags = spin_lock_irqsave(&kstack_lock);
	slot_state[slot] = SLOT_FREE_MAPPED;
	slot_owner[slot] = NULL;
	spin_unlock_irqrestore(&kstack_lock, flags);
}

/* Lock-free readers: these run in oops reports, where waiting for a lock could hang. */
bool kstack_bounds(uint64_t addr, uint64_t *lo, uint64_t *hi)
{
	int slot = slot_of(addr);

	if (slot < 0 || slot_state[slot] != SLOT_IN_USE || addr < slot_stack(slot))
		return false;
	*lo = slot_stack(slot);
	*hi = *lo + THREAD_SIZE;
	return true;
}

struct task_struct *kstack_guard_owner(uint64_t addr)
{
	int slot = slot_of(addr);

	if (slot < 0 || slot_state[slot] != SLOT_IN_USE || addr >= slot_stack(slot))
		return NULL;
	return slot_owner[slot];
}
