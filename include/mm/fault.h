/*
 * The page-fault handler (mm/fault.c): kernel/traps.c calls do_page_fault for every #PF
 * and reports an oops (or lets a test's trap catcher have it) unless it says FAULT_HANDLED.
 */
#ifndef MM_FAULT_H
#define MM_FAULT_H

#include <asm/cpufeature.h>
#include <asm/ptrace.h>

enum fault_result {
	FAULT_HANDLED,		/* mapped, copied or flushed: retry the instruction */
	FAULT_RSVD,		/* reserved bit in an entry */
	FAULT_KERNEL,		/* a kernel address nothing maps (or maps without this right) */
	FAULT_STACK_GUARD,	/* a stack guard page */
	FAULT_SMAP,		/* kernel data access to user memory without stac */
	FAULT_SMEP,		/* kernel instruction fetch from user memory */
	FAULT_USER_ADDR,	/* kernel access, outside stac/clac, to an unmapped user address */
	FAULT_BAD_AREA,		/* a user address no VMA allows this access to */
	FAULT_OOM,		/* no memory for the page or its tables */
};

enum fault_result do_page_fault(struct pt_regs *regs, uint64_t addr);
const char *fault_result_name(enum fault_result r);

/* Is the fault at @addr a stale TLB entry (the tables allow it)? Then it was flushed. */
bool spurious_fault(uint64_t addr, unsigned long error_code);

/*
 * Open and close a window where the kernel may touch user memory under SMAP (stac sets
 * EFLAGS.AC, clac clears it). Without SMAP there is nothing to open: the instructions
 * themselves would be invalid opcodes on such a CPU, so they are skipped.
 */
static inline void user_access_begin(void)
{
	if (boot_cpu.smap)
		__asm__ volatile("stac" ::: "memory", "cc");
}

static inline void user_access_end(void)
{
	if (boot_cpu.smap)
		__asm__ volatile("clac" ::: "memory", "cc");
}

#endif
