/*
 * Signals (kernel/signal.c), Linux's x86_64 numbers and ABI. A process has one set of
 * pending and blocked signals and a disposition per signal (default, ignore or a handler);
 * there are no threads, so process and task are the same. Signals are acted on when the
 * task is about to return to user mode (exit_to_user_mode): the default action
 * terminates (with the core flag in the wait status for the "core" signals) or ignores
 * (SIGCHLD, SIGURG, SIGWINCH, SIGCONT; and the stop signals, until job control exists).
 * A handler is called with an rt_sigframe on the user stack and returns through
 * rt_sigreturn (kernel/signal_frame.c). SIGKILL and SIGSTOP cannot be caught or blocked.
 */
#ifndef KERNEL_SIGNAL_H
#define KERNEL_SIGNAL_H

#include <kernel/compiler.h>

#define SIGHUP		1
#define SIGINT		2
#define SIGQUIT		3
#define SIGILL		4
#define SIGTRAP		5
#define SIGABRT		6
#define SIGBUS		7
#define SIGFPE		8
#define SIGKILL		9
#define SIGUSR1		10
#define SIGSEGV		11
#define SIGUSR2		12
#define SIGPIPE		13
#define SIGALRM		14
#define SIGTERM		15
#define SIGCHLD		17
#define SIGCONT		18
#define SIGSTOP		19
#define SIGTSTP		20
#define SIGURG		23
#define SIGWINCH	28
#define SIGSYS		31
#define _NSIG		64

#define SIG_DFL		0ul
#define SIG_IGN		1ul

#define SA_SIGINFO	0x00000004ul
#define SA_RESTORER	0x04000000ul
#define SA_ONSTACK	0x08000000ul
#define SA_RESTART	0x10000000ul
#define SA_NODEFER	0x40000000ul
#define SA_RESETHAND	0x80000000ul

#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2

#define sigmask(sig)	(1ull << ((sig) - 1))

/* The kernel's struct sigaction on x86_64, as rt_sigaction passes it. */
struct k_sigaction {
	uint64_t handler;	/* SIG_DFL, SIG_IGN or a user function */
	uint64_t flags;		/* SA_* */
	uint64_t restorer;	/* libc's trampoline that calls rt_sigreturn */
	uint64_t mask;		/* blocked while the handler runs */
};

struct signal_struct {
	uint64_t pending;	/* bit sig-1: sent and not yet acted on */
	uint64_t blocked;
	struct k_sigaction action[_NSIG];
	/* What the last synchronous fault was, for the handler's siginfo and the report. */
	int fault_code;
	uint64_t fault_addr;
	/*
	 * Process group and session (ids of their leaders), inherited on fork: kill(0, ...)
	 * and kill(-pgrp, ...) reach a group; setpgid/setsid change them (kernel/process.c).
	 */
	int pgrp, session;
	/*
	 * The OOM killer's bias for this process, -1000 (never) .. 1000 (first), inherited on
	 * fork and kept across exec: /proc/PID/oom_score_adj (mm/oom_kill.c).
	 */
	int oom_score_adj;
};

struct task_struct;
struct pt_regs;

struct signal_struct *signal_alloc(const struct signal_struct *copy_of);	/* NULL: fresh */
void signal_free(struct signal_struct *sig);
void signal_exec_reset(struct signal_struct *sig);	/* handlers -> SIG_DFL, SIG_IGN stays */

/* Send @sig to @p (0 is only a check). 0, -EINVAL, or -ESRCH for a task without signals. */
int send_signal(struct task_struct *p, int sig);
const char *signal_name(int sig);
/*
 * @sig to process @pid (unless @spare_root) and every descendant of it: the console's
 * ^C. A terminal sends it to its foreground process group; the console has none to
 * follow (no tcsetpgrp), so it takes the tree of the program it waits for (interrupt
 * context is fine).
 */
int kill_process_tree(int pid, int sig, bool spare_root);	/* "SEGV" for 11 (kernel/kill.c's table) */
/* A fault in user mode: queue @sig with the address, even if blocked or ignored (as Linux's
 * force_sig_fault: a fault that cannot be handled cannot be ignored). */
void force_sig_fault(int sig, int code, uint64_t addr);
bool signal_pending(const struct task_struct *p);
bool fatal_signal_pending(const struct task_struct *p);

/* Before returning to user mode, with interrupts off: reschedule and act on signals until
 * neither is due. Returns with interrupts off. */
void exit_to_user_mode(struct pt_regs *regs);

/* kernel/signal_frame.c: make the return to user mode call @ka's handler; 0 or -EFAULT. */
struct k_sigaction;
int setup_rt_frame(struct pt_regs *regs, int sig, const struct k_sigaction *ka, uint64_t oldmask);


#endif
