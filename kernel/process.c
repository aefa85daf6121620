/*
 * The user-process core that is not fork, exit or a file: switching the per-process CPU
 * state, the second half of exec (the new address space and registers, once the loader
 * has built them), starting a process from the kernel, and the system calls that only
 * report who the caller is (getpid, uname ...).
 * The per-process CPU state the kernel keeps: the FPU registers (kernel/fpu.c) and the FS
 * and GS bases libc sets with arch_prctl. CR4.FSGSBASE stays off, so user code cannot
 * change the bases behind the kernel's back: the saved values are always the truth.
 */
#define pr_fmt(fmt) "process: " fmt

#include <asm/cpufeature.h>
#include <asm/fpu.h>
#include <asm/segment.h>
#include <asm/uaccess.h>
#include <asm/x86.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/process.h>
#include <kernel/signal.h>
#include <kernel/syscalls.h>
#include <kernel/sysctl.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/mmu_context.h>
#include <mm/slab.h>

#define ARCH_SET_GS	0x1001
#define ARCH_SET_FS	0x1002
#define ARCH_GET_FS	0x1003
#define ARCH_GET_GS	0x1004

/* The limit fork meets (-EAGAIN): Linux's kernel.threads-max counts every thread, this
 * one user processes only, so a fork bomb is contained without starving the kernel. */
int64_t max_user_processes = 64;
unsigned int nr_user_processes;
/* The oom_score_adj a process started by the kernel begins with (`choom -n N COMMAND`). */
int kernel_oom_score_adj;
SYSCTL(threads_max, "kernel.threads-max", &max_user_processes, 1, 1, 4096, NULL);

void switch_user_context(struct task_struct *prev, struct task_struct *next)
{
	fpu_switch(prev, next);
	if (next->signal) {
		wrmsr(MSR_FS_BASE, next->fsbase);
		wrmsr(MSR_KERNEL_GS_BASE, next->gsbase);	/* swapgs makes it the live one */
	}
}

/*
 * The point of no return of exec: @mm (filled by the loader) becomes the caller's address
 * space and the old one is destroyed; handlers reset, FPU in its initial state, FS/GS
 * bases 0, and @regs set to start at @ip with stack @sp in ring 3, interrupts enabled.
 */
void begin_new_exec(struct mm_struct *mm, const char *path, struct pt_regs *regs,
		    uint64_t ip, uint64_t sp)
{
	struct task_struct *tsk = current;
	struct mm_struct *old = tsk->mm;
	const char *base = strrchr(path, '/');
	unsigned long flags;

	flags = local_irq_save();
	tsk->mm = mm;
	switch_mm(mm);
	tsk->active_mm = mm;
	tsk->flags &= ~PF_KTHREAD;
	tsk->did_exec = true;
	tsk->fsbase = tsk->gsbase = 0;
	wrmsr(MSR_FS_BASE, 0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	local_irq_restore(flags);
	vfork_release(tsk);	/* exec done: a vfork parent gets its address space back */
	if (old && old != mm)	/* a kernel thread may have borrowed @mm to fill it */
		mmput(old);
	strscpy(tsk->comm, base ? base + 1 : path, sizeof(tsk->comm));
	signal_exec_reset(tsk->signal);
	fpu_reset_current();
	*regs = (struct pt_regs){
		.rip = ip, .rsp = sp, .rflags = X86_EFLAGS_IF | 0x2,	/* bit 1 is always 1 */
		.cs = GDT_USER_CS | 3, .ss = GDT_USER_DS | 3,
	};
}

/* What a kernel thread needs before it can exec: the per-process parts. */
int process_init_kthread(struct task_struct *tsk)
{
	if (!tsk->fpu && fpu_alloc(tsk, NULL))
		return -ENOMEM;
	if (!tsk->signal) {
		tsk->signal = signal_alloc(NULL);
		if (!tsk->signal)
			return -ENOMEM;
		/* Started by the kernel: the leader of a new session and group, as after setsid. */
		tsk->signal->pgrp = tsk->signal->session = tsk->pid;
		tsk->signal->oom_score_adj = kernel_oom_score_adj;
		nr_user_processes++;	/* it is a process from now on, even if exec fails */
	}
	if (!tsk->files)
		return process_files_init(tsk);	/* stdin, stdout, stderr on /dev/console */
	return 0;
}

/* ---- start a process from the kernel (the shell's `run`, init=, tests) ------------------ */

const char *const default_envp[] = { "HOME=/", "PATH=/bin:/sbin", "TERM=linux", NULL };

int kernel_spawn_fn(int (*fn)(void *), void *arg, const char *name)
{
	struct task_struct *p = kthread_create(fn, arg, "%s", name);
	unsigned long flags;

	if (!p)
		return -ENOMEM;
	/*
	 * Where it may run, as a fork gives it, so `taskset -c 1 run PROGRAM` runs it on CPU 1.
	 * It has not run: this only records the mask, and its first wakeup places it.
	 */
	set_cpus_allowed(p, current->cpus_mask);
	/* The caller is its parent: it reaps it with kernel_wait4. */
	flags = spin_lock_irqsave(&tasklist_lock);
	p->parent = current;
	p->exit_signal = SIGCHLD;
	list_add_tail(&p->sibling, &current->children);
	spin_unlock_irqrestore(&tasklist_lock, flags);
	wake_up_process(p);
	return p->pid;
}

/* ---- who am I -------------------------------------------------------------------------- */

long __x64_sys_getpid(const struct pt_regs *regs)
{
	(void)regs;
	return current->pid;
}

long __x64_sys_gettid(const struct pt_regs *regs)
{
	(void)regs;
	return current->pid;	/* one thread per process: the tid is the pid */
}

long __x64_sys_getppid(const struct pt_regs *regs)
{
	(void)regs;
	return current->parent ? current->parent->pid : 0;
}

/* ---- process groups and sessions ------------------------------------------------------ */

/* The process @pid names (0: the caller), with tasklist_lock held; NULL if none. */
static struct task_struct *process_by_pid(int pid)
{
	struct task_struct *p = pid ? find_task_by_pid(pid) : current;

	return p && p->signal && !p->exit_state ? p : NULL;
}

/* Is some live process in session @sid the member of group @pgrp? tasklist_lock held. */
static bool group_in_session(int pgrp, int sid)
{
	struct task_struct *p;

	for_each_user_process(p)
		if (!p->exit_state && p->signal->pgrp == pgrp && p->signal->session == sid)
			return true;
	return false;
}

/* setpgid(pid, pgid): move the caller or a child of its into a group of its session. */
long __x64_sys_setpgid(const struct pt_regs *regs)
{
	int pid = (int)regs->rdi, pgid = (int)regs->rsi, err = 0;
	unsigned long flags;
	struct task_struct *p;

	if (pid < 0 || pgid < 0)
		return -EINVAL;
	flags = spin_lock_irqsave(&tasklist_lock);
	p = process_by_pid(pid);
	if (!p || (p != current && p->parent != current))
		err = -ESRCH;		/* only oneself and one's children */
	else if (p != current && p->did_exec)
		err = -EACCES;		/* a child that has exec'd is left alone */
	else if (p->signal->session != current->signal->session ||
		 p->signal->session == p->pid)
		err = -EPERM;		/* another session's, or a session leader */
	else {
		if (!pgid)
			pgid = p->pid;
		if (pgid != p->pid && !group_in_session(pgid, current->signal->session))
			err = -EPERM;	/* only a group of one's own session can be joined */
		else
			p->signal->pgrp = pgid;
	}
	spin_unlock_irqrestore(&tasklist_lock, flags);
	return err;
}

/* getpgid(pid) and getsid(pid): 0 is the caller. */
static long get_id(int pid, bool session)
{
	unsigned long flags = spin_lock_irqsave(&tasklist_lock);
	struct task_struct *p = process_by_pid(pid);
	long ret = !p ? -ESRCH : session ? p->signal->session : p->signal->pgrp;

	spin_unlock_irqrestore(&tasklist_lock, flags);
	return ret;
}

long __x64_sys_getpgid(const struct pt_regs *regs) { return get_id((int)regs->rdi, false); }
long __x64_sys_getsid(const struct pt_regs *regs) { return get_id((int)regs->rdi, true); }
long __x64_sys_getpgrp(const struct pt_regs *regs) { (void)regs; return get_id(0, false); }

/* setsid(): a new session and group led by the caller, unless it already leads a group. */
long __x64_sys_setsid(const struct pt_regs *regs)
{
	unsigned long flags = spin_lock_irqsave(&tasklist_lock);
	struct task_struct *p;
	long ret = current->pid;

	(void)regs;
	for_each_user_process(p)
		if (!p->exit_state && p->signal->pgrp == current->pid)
			ret = -EPERM;	/* a group by our id exists: we would leave it */
	if (ret > 0)
		current->signal->pgrp = current->signal->session = current->pid;
	spin_unlock_irqrestore(&tasklist_lock, flags);
	return ret;
}

/* Everyone is root: there are no users yet. */
long __x64_sys_getuid(const struct pt_regs *regs) { (void)regs; return 0; }
long __x64_sys_geteuid(const struct pt_regs *regs) { (void)regs; return 0; }
long __x64_sys_getgid(const struct pt_regs *regs) { (void)regs; return 0; }
long __x64_sys_getegid(const struct pt_regs *regs) { (void)regs; return 0; }

/* set_tid_address(int *tidptr): recorded (a thread library's exit futex), returns the tid. */
long __x64_sys_set_tid_address(const struct pt_regs *regs)
{
	current->clear_child_tid = regs->rdi;
	return current->pid;
}

long __x64_sys_arch_prctl(const struct pt_regs *regs)
{
	unsigned long code = regs->rdi, addr = regs->rsi;

	switch (code) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (addr >= TASK_SIZE)	/* a kernel GS base would fool the entry code */
			return -EPERM;
		if (code == ARCH_SET_FS) {
			current->fsbase = addr;
			wrmsr(MSR_FS_BASE, addr);
		} else {
			current->gsbase = addr;
			wrmsr(MSR_KERNEL_GS_BASE, addr);
		}
		return 0;
	case ARCH_GET_FS:
		return put_user(current->fsbase, (uint64_t __user *)addr);
	case ARCH_GET_GS:
		return put_user(current->gsbase, (uint64_t __user *)addr);
	}
	return -EINVAL;
}

struct new_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

long __x64_sys_uname(const struct pt_regs *regs)
{
	struct new_utsname u = { 0 };

	strscpy(u.sysname, "Linux", sizeof(u.sysname));	/* what libc and programs expect */
	strscpy(u.nodename, "teachos", sizeof(u.nodename));
	strscpy(u.release, "6.1.0-teachos", sizeof(u.release));
	strscpy(u.version, kernel_version, sizeof(u.version));
	strscpy(u.machine, "x86_64", sizeof(u.machine));
	strscpy(u.domainname, "(none)", sizeof(u.domainname));
	return copy_to_user((void __user *)regs->rdi, &u, sizeof(u)) ? -EFAULT : 0;
}

/* Random bytes: RDRAND where the CPU has it, else a xorshift stirred by the TSC. */
void get_random_bytes(void *buf, size_t n)
{
	static uint64_t state = 0x9e3779b97f4a7c15ull;
	uint8_t *p = buf;

	while (n) {
		uint64_t v = 0;
		unsigned char ok = 0;

		if (boot_cpu.rdrand)
			__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
		if (!ok) {
			state ^= rdtsc();
			state ^= state << 13;
			state ^= state >> 7;
			state ^= state << 17;
			v = state;
		}
		for (int i = 0; i < 8 && n; i++, n--, v >>= 8)
			*p++ = (uint8_t)v;
	}
}

/* getrandom(buf, count, flags): never blocks here (there is no entropy accounting). */
long __x64_sys_getrandom(const struct pt_regs *regs)
{
	uint8_t chunk[256];
	unsigned long done = 0, count = regs->rsi;

	if (regs->rdx & ~7ul)			/* GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE */
		return -EINVAL;
	if (count > (1ul << 25))
		count = 1ul << 25;		/* Linux's cap per call: 32 MiB */
	while (done < count) {
		unsigned long n = count - done < sizeof(chunk) ? count - done : sizeof(chunk);

		get_random_bytes(chunk, n);
		if (copy_to_user((uint8_t __user *)regs->rdi + done, chunk, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}

/*
 * @p's usage (@children: of its reaped children). No user/system split is sampled yet:
 * all CPU time is reported as user time. ru_maxrss is the RSS high-water mark, in kB.
 */
void fill_rusage(struct task_struct *p, bool children, struct rusage *ru)
{
	uint64_t ns = children ? p->cruntime_ns : task_sched_runtime(p);
	uint64_t rss = children ? p->cmaxrss_pages : p->mm ? p->mm->hiwater_rss : p->maxrss_pages;

	*ru = (struct rusage){ 0 };
	ru->ru_utime[0] = (int64_t)(ns / NSEC_PER_SEC);
	ru->ru_utime[1] = (int64_t)(ns % NSEC_PER_SEC / 1000);
	ru->ru_maxrss = (int64_t)(rss * (PAGE_SIZE / 1024));
	ru->ru_minflt = (int64_t)(children ? p->cmin_flt : p->min_flt);
	ru->ru_majflt = (int64_t)(children ? p->cmaj_flt : p->maj_flt);
	if (!children) {
		ru->ru_nvcsw = (int64_t)p->nvcsw;
		ru->ru_nivcsw = (int64_t)p->nivcsw;
	}
}

#define RUSAGE_SELF	0
#define RUSAGE_CHILDREN	(-1)

long __x64_sys_getrusage(const struct pt_regs *regs)
{
	struct rusage ru;

	if ((int)regs->rdi != RUSAGE_SELF && (int)regs->rdi != RUSAGE_CHILDREN)
		return -EINVAL;
	fill_rusage(current, (int)regs->rdi == RUSAGE_CHILDREN, &ru);
	return copy_to_user((void __user *)regs->rsi, &ru, sizeof(ru)) ? -EFAULT : 0;
}
