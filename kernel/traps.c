/*
 * CPU exceptions (vectors 0..31). Each is either handled and resumed (int3, an NMI
 * with no reason, an exception a test armed a trap_catcher for) or is a kernel bug:
 * die() prints an oops (kernel/oops.c) with the exception's name, its error code
 * decoded, CR2, the registers and a backtrace, then panics. A double fault whose
 * stack pointer or fault address lies in a stack guard (below the boot stack, or below
 * a task's stack: kernel/kstack.c) is reported as "kernel stack overflow", naming the
 * task: the handler runs on its own IST stack (kernel/gdt.c), which is why it can
 * report at all. A kernel thread (not init) that overflowed while preemptible is then
 * killed and the kernel goes on; any other overflow panics. A #PF goes to the page-fault
 * handler (mm/fault.c: demand paging, copy-on-write, stale TLB entries) first; only what
 * it cannot handle reaches a test's catcher or the oops, with the handler's reason in the
 * report.
 */
#include <asm/layout.h>
#include <asm/uaccess.h>
#include <asm/x86.h>
#include <kernel/ksyms.h>
#include <kernel/kstack.h>
#include <kernel/oops.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/traps.h>
#include <lib/errno.h>
#include <mm/fault.h>
#include <mm/vmstat.h>
#include <sched/task.h>

static const char *const exception_names[NR_EXCEPTIONS] = {
	[X86_TRAP_DE] = "divide error",
	[X86_TRAP_DB] = "debug",
	[X86_TRAP_NMI] = "non-maskable interrupt",
	[X86_TRAP_BP] = "int3",
	[X86_TRAP_OF] = "overflow",
	[X86_TRAP_BR] = "bounds",
	[X86_TRAP_UD] = "invalid opcode",
	[X86_TRAP_NM] = "device not available",
	[X86_TRAP_DF] = "double fault",
	[X86_TRAP_OLD_MF] = "coprocessor segment overrun",
	[X86_TRAP_TS] = "invalid TSS",
	[X86_TRAP_NP] = "segment not present",
	[X86_TRAP_SS] = "stack segment",
	[X86_TRAP_GP] = "general protection fault",
	[X86_TRAP_PF] = "page fault",
	[X86_TRAP_SPURIOUS] = "reserved (15)",
	[X86_TRAP_MF] = "coprocessor error",
	[X86_TRAP_AC] = "alignment check",
	[X86_TRAP_MC] = "machine check",
	[X86_TRAP_XF] = "SIMD exception",
	[X86_TRAP_VE] = "virtualization exception",
	[X86_TRAP_CP] = "control protection fault",
	[22] = "reserved (22)", [23] = "reserved (23)", [24] = "reserved (24)",
	[25] = "reserved (25)", [26] = "reserved (26)", [27] = "reserved (27)",
	[28] = "hypervisor injection",
	[X86_TRAP_VC] = "VMM communication",
	[X86_TRAP_SX] = "security exception",
	[31] = "reserved (31)",
};

const char *exception_name(unsigned int vector)
{
	return vector < NR_EXCEPTIONS ? exception_names[vector] : "interrupt";
}

extern const char boot_stack_guard[];
extern void trap_catch_resume(struct trap_catcher *tc);

static bool in_boot_stack_guard(uint64_t addr)
{
	uint64_t g = (uint64_t)boot_stack_guard;

	return addr >= g && addr < g + PAGE_SIZE;
}

bool addr_in_stack_guard(uint64_t addr)
{
	return in_boot_stack_guard(addr) || kstack_guard_owner(addr);
}

/* Say whose stack ran over: the boot stack (the idle task's) or a task's (kernel/kstack.c). */
static void report_stack_overflow(uint64_t rsp, uint64_t cr2)
{
	uint64_t addr = addr_in_stack_guard(rsp) ? rsp : cr2;
	struct task_struct *owner = kstack_guard_owner(addr);
	uint64_t lo, hi;

	if (owner && kstack_bounds((uint64_t)owner->stack, &lo, &hi)) {
		pr_emerg("kernel stack overflow: RSP %016llx is in the guard below the stack of "
			 "%s (pid %d) [%016llx-%016llx)\n", (unsigned long long)rsp, owner->comm,
			 owner->pid, (unsigned long long)lo, (unsigned long long)hi);
		return;
	}
	pr_emerg("kernel stack overflow: RSP %016llx is in the guard page below the boot stack "
		 "[%016llx-%016llx)\n", (unsigned long long)rsp,
		 (unsigned long long)boot_stack_guard,
		 (unsigned long long)boot_stack_guard + PAGE_SIZE);
}

/*
 * Can the kernel go on without the task whose stack overflowed? Only if it is a kernel
 * thread other than init (pid 1 must never exit) and it was preemptible at the fault: no
 * spinlock held, not in an interrupt handler, interrupts on. Ending it there is what a
 * preemption at that instruction followed by do_exit would do. What it cannot undo: a
 * mutex the thread held stays locked, and an object on its stack that it had linked into a
 * shared list is left dangling (Linux's oops kill has the same limits).
 */
static bool overflow_survivable(const struct pt_regs *regs, uint64_t cr2)
{
	uint64_t addr = addr_in_stack_guard(regs->rsp) ? regs->rsp : cr2;
	struct task_struct *p = kstack_guard_owner(addr);

	return p && p == current && p->pid != 1 && (p->flags & PF_KTHREAD) &&
	       !user_mode(regs) && (regs->rflags & X86_EFLAGS_IF) && preempt_count() == 0;
}

/* kernel/entry.S: continue at @stack_top with no frames and call overflow_exit(@code). */
extern void rewind_stack_and_exit(uint64_t stack_top, int code) __noreturn;

/*
 * Report the overflow as an oops, then end the task. Its frames are lost for good, so it
 * starts over at the top of its own stack to exit: the double-fault handler never returns
 * (nothing waits for an iretq after an exception, unlike after an NMI) and leaves its IST
 * stack free for the next one.
 */
static void __noreturn kill_overflowing_task(struct pt_regs *regs, uint64_t cr2)
{
	struct task_struct *p = current;

	if (!oops_report("kernel stack overflow (double-fault)", regs, cr2))
		die("kernel stack overflow (double-fault)", regs, cr2);
	pr_emerg("kernel stack overflow: killed %s (pid %d) with exit code %d; the kernel goes "
		 "on\n", p->comm, p->pid, -EFAULT);
	rewind_stack_and_exit((uint64_t)p->stack + THREAD_SIZE, -EFAULT);
}

/* On the rewound stack: the task was preemptible, so interrupts go back on, then it ends. */
void __noreturn overflow_exit(int code);
void overflow_exit(int code)
{
	local_irq_enable();
	do_exit(code);
}

/*
 * A test armed a catcher for this CPU: record the exception and make iretq land
 * in trap_catch_resume(tc) on the stack the catcher saved, instead of dying.
 */
static bool try_catch(struct pt_regs *regs, uint64_t cr2)
{
	struct trap_catcher *tc = this_cpu()->catcher;

	if (!tc || !tc->armed || user_mode(regs))
		return false;
	tc->armed = false;
	tc->caught = true;
	tc->vector = regs->vector;
	tc->error_code = regs->error_code;
	tc->cr2 = cr2;
	tc->rip = regs->rip;
	regs->rip = (uint64_t)trap_catch_resume;
	regs->rdi = (uint64_t)tc;
	regs->rsp = tc->jmp[6] - 8;	/* any valid stack; trap_catch_resume reloads rsp */
	return true;
}

void trap_catch_end(struct trap_catcher *tc)
{
	tc->armed = false;
	this_cpu()->catcher = NULL;
}

bool trap_catch_call(struct trap_catcher *tc, void (*fn)(void))
{
	this_cpu()->catcher = tc;
	if (trap_catch_begin(tc) == 0)
		fn();
	trap_catch_end(tc);
	return tc->caught;
}

void do_exception(struct pt_regs *regs)
{
	/* Read CR2 first: a fault while reporting would overwrite it. */
	uint64_t cr2 = read_cr2();
	unsigned int v = regs->vector;

	if (v == X86_TRAP_PF) {
		enum fault_result r = do_page_fault(regs, cr2);

		if (r == FAULT_HANDLED)
			return;
		if (!user_mode(regs) && fixup_exception(regs))
			return;		/* a user copy met a bad address: it returns -EFAULT */
		count_vm_event(PGFAULT_BAD);
		current->bad_flt++;
		if (user_mode(regs))
			return do_user_exception(regs, cr2, r);
		if (try_catch(regs, cr2))
			return;
		pf_cause = fault_result_name(r);
		if (r == FAULT_STACK_GUARD)
			die("kernel stack overflow (guard page)", regs, cr2);
		die(exception_name(v), regs, cr2);
	}
	if (v != X86_TRAP_NMI && v != X86_TRAP_DF && v != X86_TRAP_MC) {
		if (user_mode(regs))
			return do_user_exception(regs, cr2, FAULT_HANDLED);
		if (v == X86_TRAP_GP && fixup_exception(regs))
			return;
	}
	if (v != X86_TRAP_NMI && v != X86_TRAP_DF && try_catch(regs, cr2))
		return;

	switch (v) {
	case X86_TRAP_BP: {
		char sym[KSYM_NAME_LEN];

		sprint_symbol(sym, sizeof(sym), regs->rip - 1);
		pr_warn("int3 at %s: resuming\n", sym);
		return;
	}
	case X86_TRAP_NMI:
		/* An NMI can arrive while printk holds its lock: in_nmi makes printk only try it. */
		this_cpu()->in_nmi++;
		pr_emerg("NMI received for unknown reason on CPU %u: resuming\n", this_cpu()->id);
		this_cpu()->in_nmi--;
		return;
	case X86_TRAP_DF:
		if (addr_in_stack_guard(regs->rsp) || addr_in_stack_guard(cr2)) {
			report_stack_overflow(regs->rsp, cr2);
			if (overflow_survivable(regs, cr2))
				kill_overflowing_task(regs, cr2);
			die("kernel stack overflow (double-fault)", regs, cr2);
		}
		break;
	}
	die(exception_name(v), regs, cr2);
}
