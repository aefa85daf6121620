/*
 * Calling a user's signal handler, and coming back (rt_sigreturn), in Linux's x86_64 ABI.
 * To call handler(sig, &info, &uc) the kernel builds an rt_sigframe on the user stack,
 * below the 128-byte red zone the interrupted code may be using:
 *
 *   higher   [ interrupted code's stack ... red zone          ]
 *            [ FPU state (FXSAVE/XSAVE image), 64-byte aligned ]  <- uc.uc_mcontext.fpstate
 *            [ siginfo: signo, errno, code, address or sender  ]
 *            [ ucontext: flags, link, stack, sigcontext (every ]
 *            [ register as it was), the blocked mask to restore]
 *   rsp ->   [ return address: sa_restorer (libc's __restore_rt) ]
 *
 * and points the saved registers at the handler, so the return to user mode "calls" it.
 * When it returns, the restorer calls rt_sigreturn, which reads the ucontext back and
 * resumes the interrupted code exactly: registers, blocked mask and FPU state. Everything
 * read back is the user's to forge, so it is checked: CS and SS are forced to the user
 * selectors, RFLAGS keeps only the bits user code may set (IF stays on), the mask cannot
 * block SIGKILL/SIGSTOP, and the FPU image is sanitized so restoring it cannot fault.
 * Limits: no sigaltstack (SA_ONSTACK is ignored), and an interrupted system call returns
 * -EINTR even with SA_RESTART.
 */
#include <asm/fpu.h>
#include <asm/segment.h>
#include <asm/uaccess.h>
#include <asm/x86.h>
#include <kernel/printk.h>
#include <kernel/process.h>
#include <kernel/signal.h>
#include <lib/errno.h>
#include <lib/string.h>

#define RED_ZONE	128
#define SS_DISABLE	2
#define X86_EFLAGS_USER	0x40dd5ul	/* CF PF AF ZF SF TF DF OF AC ID: what user code may set */

struct sigcontext64 {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t di, si, bp, bx, dx, ax, cx, sp, ip, flags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;		/* user address of the FPU image */
	uint64_t reserved1[8];
};

struct ucontext64 {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct { uint64_t ss_sp; int32_t ss_flags; int32_t pad; uint64_t ss_size; } uc_stack;
	struct sigcontext64 uc_mcontext;
	uint64_t uc_sigmask;
};

struct siginfo64 {
	int32_t si_signo, si_errno, si_code, pad;
	union {
		uint64_t addr;				/* SIGSEGV, SIGBUS, SIGILL, SIGFPE */
		struct { int32_t pid; uint32_t uid; } kill;	/* sent by kill() */
		uint8_t bytes[112];
	};
};

struct rt_sigframe {
	uint64_t pretcode;
	struct ucontext64 uc;
	struct siginfo64 info;
};

_Static_assert(sizeof(struct sigcontext64) == 256, "the ABI's struct sigcontext");
_Static_assert(sizeof(struct siginfo64) == 128, "the ABI's siginfo_t");
_Static_assert(offsetof(struct ucontext64, uc_mcontext) == 40, "the ABI's ucontext");

int setup_rt_frame(struct pt_regs *regs, int sig, const struct k_sigaction *ka, uint64_t oldmask)
{
	struct signal_struct *s = current->signal;
	unsigned int fpsize = fpu_state_size();
	uint64_t fp = ALIGN_DOWN(regs->rsp - RED_ZONE - fpsize, 64);
	uint64_t at = ALIGN_DOWN(fp - sizeof(struct rt_sigframe), 16) - 8;	/* as after a call */
	struct rt_sigframe f = { 0 };

	if (!(ka->flags & SA_RESTORER))
		return -EFAULT;		/* no way back from the handler: x86_64 needs a restorer */
	f.pretcode = ka->restorer;
	f.uc.uc_stack.ss_flags = SS_DISABLE;
	f.uc.uc_mcontext = (struct sigcontext64){
		.r8 = regs->r8, .r9 = regs->r9, .r10 = regs->r10, .r11 = regs->r11,
		.r12 = regs->r12, .r13 = regs->r13, .r14 = regs->r14, .r15 = regs->r15,
		.di = regs->rdi, .si = regs->rsi, .bp = regs->rbp, .bx = regs->rbx,
		.dx = regs->rdx, .ax = regs->rax, .cx = regs->rcx, .sp = regs->rsp,
		.ip = regs->rip, .flags = regs->rflags, .cs = (uint16_t)regs->cs,
		.ss = (uint16_t)regs->ss, .err = regs->error_code,
		.trapno = regs->vector < 32 ? regs->vector : 0, .oldmask = oldmask,
		.cr2 = s->fault_addr, .fpstate = fp,
	};
	f.uc.uc_sigmask = oldmask;
	f.info.si_signo = sig;
	f.info.si_code = s->fault_code;
	f.info.addr = s->fault_code > 0 ? s->fault_addr : 0;	/* si_code 0: SI_USER, pid 0 */
	fpu_save_current();
	if (copy_to_user((void __user *)fp, current->fpu, fpsize) ||
	    copy_to_user((void __user *)at, &f, sizeof(f)))
		return -EFAULT;
	/* The handler starts with a clean FPU, as on Linux. */
	fpu_reset_current();
	regs->rip = ka->handler;
	regs->rsp = at;
	regs->rdi = (uint64_t)sig;
	regs->rsi = at + offsetof(struct rt_sigframe, info);
	regs->rdx = at + offsetof(struct rt_sigframe, uc);
	regs->rax = 0;
	regs->rflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_DF | X86_EFLAGS_RF);
	regs->cs = GDT_USER_CS | 3;
	regs->ss = GDT_USER_DS | 3;
	s->fault_code = 0;
	return 0;
}

long __x64_sys_rt_sigreturn(const struct pt_regs *cregs)
{
	struct pt_regs *regs = (struct pt_regs *)cregs;	/* the entry's frame: ours to change */
	struct ucontext64 uc;
	const struct sigcontext64 *sc = &uc.uc_mcontext;
	uint64_t at = regs->rsp - 8 + offsetof(struct rt_sigframe, uc);	/* the ret popped 8 */

	if (copy_from_user(&uc, (void __user *)at, sizeof(uc)) ||
	    fpu_restore_from_user((const void __user *)sc->fpstate)) {
		force_sig_fault(SIGSEGV, 0, at);
		return 0;
	}
	*regs = (struct pt_regs){
		.r8 = sc->r8, .r9 = sc->r9, .r10 = sc->r10, .r11 = sc->r11, .r12 = sc->r12,
		.r13 = sc->r13, .r14 = sc->r14, .r15 = sc->r15, .rdi = sc->di, .rsi = sc->si,
		.rbp = sc->bp, .rbx = sc->bx, .rdx = sc->dx, .rax = sc->ax, .rcx = sc->cx,
		.rsp = sc->sp, .rip = sc->ip, .vector = regs->vector, .error_code = regs->error_code,
		.rflags = (regs->rflags & ~X86_EFLAGS_USER) | (sc->flags & X86_EFLAGS_USER) |
			  X86_EFLAGS_IF,
		.cs = GDT_USER_CS | 3, .ss = GDT_USER_DS | 3,
	};
	current->signal->blocked = uc.uc_sigmask & ~(sigmask(SIGKILL) | sigmask(SIGSTOP));
	return (long)regs->rax;	/* do_syscall_64 stores it into rax: the value it had */
}
