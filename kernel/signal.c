/*
 * Signals: sending, blocking, dispositions, and acting on them on the way back to user
 * mode. include/kernel/signal.h states the model and its limits; docs/process.md
 * ("Signals") tells the story of a SIGSEGV from the fault to the parent's wait4.
 * Locking: one CPU, and every change of pending/blocked happens with interrupts off, so
 * the interrupt-time sender (a fault) and a system call never race.
 */
#define pr_fmt(fmt) "signal: " fmt

#include <limits.h>

#include <asm/ptrace.h>
#include <asm/uaccess.h>
#include <asm/x86.h>
#include <kernel/printk.h>
#include <kernel/process.h>
#include <kernel/signal.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/slab.h>
#include <sched/task.h>

#define UNBLOCKABLE	(sigmask(SIGKILL) | sigmask(SIGSTOP))
/* Default action "ignore"; the stop signals too, as there is no job control yet. */
#define DEFAULT_IGNORE	(sigmask(SIGCHLD) | sigmask(SIGURG) | sigmask(SIGWINCH) | \
			 sigmask(SIGCONT) | sigmask(SIGSTOP) | sigmask(SIGTSTP) | \
			 sigmask(21) | sigmask(22))
/* Default action "terminate and dump core" (no core file: the flag in the wait status). */
#define DEFAULT_CORE	(sigmask(SIGQUIT) | sigmask(SIGILL) | sigmask(SIGTRAP) | \
			 sigmask(SIGABRT) | sigmask(SIGBUS) | sigmask(SIGFPE) | \
			 sigmask(SIGSEGV) | sigmask(SIGSYS) | sigmask(24) | sigmask(25))

struct signal_struct *signal_alloc(const struct signal_struct *copy_of)
{
	struct signal_struct *sig = kzalloc(sizeof(*sig), GFP_KERNEL);

	if (sig && copy_of) {
		*sig = *copy_of;
		sig->pending = 0;	/* fork: the child starts with nothing pending */
	}
	return sig;
}

void signal_free(struct signal_struct *sig)
{
	kfree(sig);
}

void signal_exec_reset(struct signal_struct *sig)
{
	for (int i = 0; i < _NSIG; i++)
		if (sig->action[i].handler != SIG_IGN)
			sig->action[i] = (struct k_sigaction){ 0 };
}

static bool valid_signal(int sig)
{
	return sig >= 1 && sig <= _NSIG;
}

/*
 * A signal that would be ignored on delivery is dropped when sent, as Linux's
 * sig_ignored(): left pending, an unhandled SIGCHLD would cut short the parent's wait4
 * for another child with -EINTR. A blocked one is kept: the handler may change before
 * it is unblocked.
 */
static bool sig_ignored(const struct signal_struct *s, int sig)
{
	uint64_t handler = s->action[sig - 1].handler;

	if (s->blocked & sigmask(sig))
		return false;
	if (handler == SIG_IGN)
		return !(UNBLOCKABLE & sigmask(sig));
	return handler == SIG_DFL && (DEFAULT_IGNORE & sigmask(sig));
}

int send_signal(struct task_struct *p, int sig)
{
	unsigned long flags;

	if (sig && !valid_signal(sig))
		return -EINVAL;
	if (!p->signal || p->exit_state)
		return p->exit_state ? 0 : -ESRCH;	/* a zombie takes signals silently */
	if (!sig || sig_ignored(p->signal, sig))
		return 0;
	flags = local_irq_save();
	p->signal->pending |= sigmask(sig);
	local_irq_restore(flags);
	/* Wake it from an interruptible sleep (wait4, nanosleep, a console read) to see it. */
	if (signal_pending(p))
		wake_up_state(p, TASK_INTERRUPTIBLE);
	return 0;
}

/* @p (unless @spare) and its descendants; tasklist_lock held. Depth: the process limit. */
static void signal_tree(struct task_struct *p, int sig, bool spare)
{
	struct task_struct *c;

	if (!spare)
		send_signal(p, sig);
	list_for_each_entry(c, &p->children, sibling)
		signal_tree(c, sig, false);
}

int kill_process_tree(int pid, int sig, bool spare_root)
{
	unsigned long flags = spin_lock_irqsave(&tasklist_lock);
	struct task_struct *p = find_task_by_pid(pid);

	if (p)
		signal_tree(p, sig, spare_root);
	spin_unlock_irqrestore(&tasklist_lock, flags);
	return p ? 0 : -ESRCH;
}

void force_sig_fault(int sig, int code, uint64_t addr)
{
	struct signal_struct *s = current->signal;

	/* A fault cannot be ignored or held back: blocked or ignored, it kills (as Linux). */
	if ((s->blocked & sigmask(sig)) || s->action[sig - 1].handler == SIG_IGN)
		s->action[sig - 1].handler = SIG_DFL;
	s->blocked &= ~sigmask(sig);
	s->fault_code = code;
	s->fault_addr = addr;
	s->pending |= sigmask(sig);
}

bool signal_pending(const struct task_struct *p)
{
	const struct signal_struct *s = p->signal;

	return s && (s->pending & (~s->blocked | UNBLOCKABLE));
}

bool fatal_signal_pending(const struct task_struct *p)
{
	return p->signal && (p->signal->pending & sigmask(SIGKILL));
}

/* Act on the lowest-numbered deliverable signal; does not return if it terminates. */
static void do_signal(struct pt_regs *regs)
{
	struct signal_struct *s = current->signal;
	uint64_t deliverable = s->pending & (~s->blocked | UNBLOCKABLE);
	int sig = __builtin_ctzll(deliverable) + 1;
	const struct k_sigaction *ka = &s->action[sig - 1];

	s->pending &= ~sigmask(sig);
	if (!(UNBLOCKABLE & sigmask(sig)) && ka->handler == SIG_IGN)
		return;
	if (!(UNBLOCKABLE & sigmask(sig)) && ka->handler != SIG_DFL) {
		uint64_t old = s->blocked;

		if (setup_rt_frame(regs, sig, ka, old)) {
			/* The frame does not fit (a bad stack, no restorer): Linux's answer. */
			pr_info("%s[%d]: cannot deliver signal %d (bad stack or no restorer): SIGSEGV\n",
				current->comm, current->pid, sig);
			sig = SIGSEGV;
			goto dfl;
		}
		s->blocked |= ka->mask | ((ka->flags & SA_NODEFER) ? 0 : sigmask(sig));
		s->blocked &= ~UNBLOCKABLE;
		if (ka->flags & SA_RESETHAND)
			s->action[sig - 1].handler = SIG_DFL;
		return;
	}
dfl:
	if (DEFAULT_IGNORE & sigmask(sig))
		return;
	do_group_exit(sig | ((DEFAULT_CORE & sigmask(sig)) ? 0x80 : 0));
}

void exit_to_user_mode(struct pt_regs *regs)
{
	for (;;) {
		if (need_resched()) {
			local_irq_enable();
			schedule();
			local_irq_disable();
			continue;
		}
		if (signal_pending(current)) {
			local_irq_enable();
			do_signal(regs);
			local_irq_disable();
			continue;
		}
		return;
	}
}

/* ---- the system calls ------------------------------------------------------------------ */

/* rt_sigaction(sig, const struct sigaction *act, struct sigaction *oact, sigsetsize) */
long __x64_sys_rt_sigaction(const struct pt_regs *regs)
{
	int sig = (int)regs->rdi;
	const void __user *act = (const void __user *)regs->rsi;
	void __user *oact = (void __user *)regs->rdx;
	struct k_sigaction new, *ka;

	if (regs->r10 != sizeof(uint64_t))
		return -EINVAL;
	if (!valid_signal(sig))
		return -EINVAL;
	ka = &current->signal->action[sig - 1];
	if (act && copy_from_user(&new, act, sizeof(new)))
		return -EFAULT;
	if (act && (UNBLOCKABLE & sigmask(sig)))
		return -EINVAL;
	if (oact && copy_to_user(oact, ka, sizeof(*ka)))
		return -EFAULT;
	if (act) {
		new.mask &= ~UNBLOCKABLE;
		*ka = new;
		if (new.handler == SIG_IGN)	/* setting SIG_IGN discards a pending one */
			current->signal->pending &= ~sigmask(sig);
	}
	return 0;
}

/* rt_sigprocmask(how, const sigset_t *set, sigset_t *oset, sigsetsize) */
long __x64_sys_rt_sigprocmask(const struct pt_regs *regs)
{
	struct signal_struct *s = current->signal;
	const void __user *uset = (const void __user *)regs->rsi;
	void __user *uoset = (void __user *)regs->rdx;
	uint64_t set, old = s->blocked;

	if (regs->r10 != sizeof(uint64_t))
		return -EINVAL;
	if (uset) {
		if (copy_from_user(&set, uset, sizeof(set)))
			return -EFAULT;
		switch (regs->rdi) {
		case SIG_BLOCK:
			s->blocked |= set;
			break;
		case SIG_UNBLOCK:
			s->blocked &= ~set;
			break;
		case SIG_SETMASK:
			s->blocked = set;
			break;
		default:
			return -EINVAL;
		}
		s->blocked &= ~UNBLOCKABLE;
	}
	if (uoset && copy_to_user(uoset, &old, sizeof(old))) {
		s->blocked = old;
		return -EFAULT;
	}
	return 0;
}

/*
 * kill(pid, sig): pid > 0 that process; 0 or -1 every user process but init and the
 * caller's own... kept simple: -1 means every user process except init and the caller,
 * 0 and < -1 (process groups) are the caller's group, which is every user process here.
 */
long __x64_sys_kill(const struct pt_regs *regs)
{
	int pid = (int)regs->rdi, sig = (int)regs->rsi;
	struct task_struct *p;
	unsigned long flags;
	int err, pgrp, sent = 0;

	if (sig && !valid_signal(sig))
		return -EINVAL;
	if (pid > 0) {
		p = find_get_task_by_pid(pid);
		if (!p)
			return -ESRCH;
		err = send_signal(p, sig);
		put_task_struct(p);
		return err;
	}
	if (pid == INT_MIN)
		return -ESRCH;		/* -pid would overflow: no such group (as Linux) */
	/* 0: the caller's process group; -1: every process but init and the caller; -N: group N. */
	pgrp = pid == 0 ? current->signal->pgrp : -pid;
	flags = spin_lock_irqsave(&tasklist_lock);
	for_each_user_process(p) {
		if (pid == -1 ? p->pid == 1 || p == current : p->signal->pgrp != pgrp)
			continue;
		if (!send_signal(p, sig))
			sent++;
	}
	spin_unlock_irqrestore(&tasklist_lock, flags);
	return sent ? 0 : -ESRCH;
}

/* tgkill(tgid, tid, sig): one thread per process, so tid names the process. */
long __x64_sys_tgkill(const struct pt_regs *regs)
{
	struct task_struct *p;
	int err;

	if ((int)regs->rdi <= 0 || (int)regs->rsi <= 0)
		return -EINVAL;
	if (regs->rdi != regs->rsi)
		return -ESRCH;
	p = find_get_task_by_pid((int)regs->rsi);
	if (!p)
		return -ESRCH;
	err = send_signal(p, (int)regs->rdx);
	put_task_struct(p);
	return err;
}
