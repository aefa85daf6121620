/*
 * An exception raised by user code is the process's problem, not the kernel's: it becomes
 * a signal (SIGSEGV for a bad access, SIGFPE for a divide error, SIGILL for an invalid
 * opcode ...), reported in one line in Linux's format, and the kernel carries on. The
 * process dies of the signal's default action on its way back to user mode (signal.c),
 * or its handler runs. Only a signal without a handler is logged (as Linux's
 * show_unhandled_signals), one line:
 *   segv[7]: segfault at 0 ip 0000000000401016 sp 00007ffffffde9c8 error 6 in segv[401000+1000]
 * "error" is the page-fault error code: bit 0 the page was present, bit 1 a write, bit 2
 * from user mode, bit 4 an instruction fetch. The lines are rate limited (10 per 5 s, as
 * Linux's printk_ratelimit), so a fuzzer or a crash loop cannot flood the log.
 */
#include <kernel/printk.h>
#include <kernel/process.h>
#include <kernel/ratelimit.h>
#include <kernel/signal.h>
#include <kernel/traps.h>
#include <mm/fault.h>
#include <mm/oom.h>
#include <mm/vma.h>

#define SEGV_MAPERR	1	/* si_code: no mapping at the address */
#define SEGV_ACCERR	2	/* a mapping, without the right */

/* " in NAME[start+size]": where @ip is, the way Linux names the mapping. */
static void print_vma_of(uint64_t ip)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma = mm ? vma_lookup(mm, ip) : NULL;

	if (vma)
		pr_cont(" in %s[%lx+%lx]", current->comm, vma->vm_start, vma->vm_end - vma->vm_start);
	pr_cont("\n");
}

static int trap_signal(unsigned int v)
{
	switch (v) {
	case X86_TRAP_DE:
	case X86_TRAP_MF:
	case X86_TRAP_XF:
		return SIGFPE;
	case X86_TRAP_DB:
	case X86_TRAP_BP:
		return SIGTRAP;
	case X86_TRAP_UD:
		return SIGILL;
	case X86_TRAP_AC:
		return SIGBUS;
	}
	return SIGSEGV;
}

static DEFINE_RATELIMIT_STATE(report_rs, RATELIMIT_INTERVAL_NS, RATELIMIT_BURST);

/* After force_sig_fault: will the signal kill (no handler will run), and may we say so? */
static bool report_unhandled(int sig)
{
	unsigned long missed;

	if (current->signal->action[sig - 1].handler != SIG_DFL ||
	    !__ratelimit(&report_rs, &missed))
		return false;
	if (missed)
		pr_info("%lu unhandled-signal reports not logged\n", missed);
	return true;
}

void do_user_exception(struct pt_regs *regs, uint64_t cr2, enum fault_result r)
{
	unsigned int v = regs->vector;

	if (v == X86_TRAP_PF && r == FAULT_OOM) {
		/* Chosen by the OOM killer already (it said so), or no one could be: we die. */
		if (!fatal_signal_pending(current))
			oom_report("page fault", cr2);
		send_signal(current, SIGKILL);
		return;
	}
	/* Queued first: a blocked or ignored fault signal becomes SIG_DFL there, and kills. */
	if (v == X86_TRAP_PF) {
		force_sig_fault(SIGSEGV, (regs->error_code & 1) ? SEGV_ACCERR : SEGV_MAPERR, cr2);
		if (report_unhandled(SIGSEGV)) {
			printk(KERN_INFO "%s[%d]: segfault at %llx ip %016llx sp %016llx error %llx",
			       current->comm, current->pid, (unsigned long long)cr2,
			       (unsigned long long)regs->rip, (unsigned long long)regs->rsp,
			       (unsigned long long)regs->error_code);
			print_vma_of(regs->rip);
		}
		return;
	}
	force_sig_fault(trap_signal(v), 0, regs->rip);
	if (report_unhandled(trap_signal(v))) {
		printk(KERN_INFO "traps: %s[%d] trap %s ip:%llx sp:%llx error:%llx",
		       current->comm, current->pid, exception_name(v),
		       (unsigned long long)regs->rip, (unsigned long long)regs->rsp,
		       (unsigned long long)regs->error_code);
		print_vma_of(regs->rip);
	}
}
