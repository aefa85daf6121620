/*
 * Where tasks come from and where they go: the task_struct slab cache, pids, the list
 * of all tasks, references, and pid 0 (init_task, the boot CPU's idle task, the one task
 * not made here: the boot flow becomes it in sched_init). create_task() makes a kernel
 * task that starts in a given function (kthread_create, kernel/kthread.c); fork, vfork
 * and clone make a user process a copy of its parent: the address space copy-on-write
 * (dup_mm), signals, FPU registers, files, scheduling policy, and registers with rax = 0.
 * Invariant: a task is on task_list, with a pid no other listed task has, from
 * create_task() until do_exit(); its memory lives until its last reference is put (the
 * task's own, dropped after its final switch, plus any get_task_struct()).
 */
#include <asm/fpu.h>
#include <asm/layout.h>
#include <kernel/kstack.h>
#include <kernel/oops.h>
#include <kernel/printk.h>
#include <kernel/process.h>
#include <kernel/signal.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/mmu_context.h>
#include <mm/slab.h>
#include <mm/vma.h>
#include <sched/completion.h>
#include <sched/task.h>

#define PID_MAX	32768	/* pids run 1..PID_MAX-1, then wrap, as Linux's default pid_max */

extern char boot_stack[];

struct task_struct init_task = {
	.state = TASK_RUNNING,
	.flags = PF_KTHREAD | PF_IDLE,
	.pid = 0,
	.comm = "swapper/0",
	.policy = SCHED_NORMAL,
	.prio = MAX_PRIO - 20,
	.static_prio = MAX_PRIO - 20,
	.stack = boot_stack,
	.stack_size = BOOT_STACK_SIZE,
	.cpus_mask = 1,		/* CPU 0's idle task */
	.usage = 1,
	.tasks = LIST_HEAD_INIT(init_task.tasks),
	.children = LIST_HEAD_INIT(init_task.children),
	.sibling = LIST_HEAD_INIT(init_task.sibling),
};

struct list_head task_list = LIST_HEAD_INIT(task_list);
DEFINE_SPINLOCK(tasklist_lock);
static int last_pid;
static struct kmem_cache *task_struct_cachep;

void fork_init(void)
{
	task_struct_cachep = kmem_cache_create("task_struct", sizeof(struct task_struct),
					       __alignof__(struct task_struct), SLAB_HWCACHE_ALIGN,
					       NULL);
	if (!task_struct_cachep)
		panic("fork: no memory for the task_struct cache");
	list_add_tail(&init_task.tasks, &task_list);
}

struct task_struct *find_task_by_pid(int pid)
{
	struct task_struct *p;

	for_each_process(p)
		if (p->pid == pid)
			return p;
	return NULL;
}

struct task_struct *find_get_task_by_pid(int pid)
{
	unsigned long flags = spin_lock_irqsave(&tasklist_lock);
	struct task_struct *p = find_task_by_pid(pid);

	if (p)
		get_task_struct(p);
	spin_unlock_irqrestore(&tasklist_lock, flags);
	return p;
}

/* The next pid after the last one handed out that no task has; tasklist_lock held. */
static int alloc_pid(void)
{
	for (int tries = 0; tries < PID_MAX; tries++) {
		last_pid = last_pid + 1 < PID_MAX ? last_pid + 1 : 1;
		if (!find_task_by_pid(last_pid))
			return last_pid;
	}
	return -1;
}

/* What a new task starts as: SCHED_NORMAL at nice 0, in TASK_NEW, on CPU 0. */
static void sched_fork(struct task_struct *p)
{
	p->state = TASK_NEW;
	p->policy = SCHED_NORMAL;
	p->static_prio = p->prio = DEFAULT_PRIO;
	p->sched_class = &fair_sched_class;
	set_load_weight(p);
	INIT_LIST_HEAD(&p->rt.run_list);
	p->rt.time_slice = sysctl_sched_rr_timeslice;
	p->start_time = sched_clock();
}

struct task_struct *create_task(int (*fn)(void *), void *arg, const char *name)
{
	struct task_struct *p = kmem_cache_zalloc(task_struct_cachep, GFP_KERNEL);
	unsigned long flags;

	if (!p)
		return NULL;
	p->stack = kstack_alloc(p);
	if (!p->stack) {
		kmem_cache_free(task_struct_cachep, p);
		return NULL;
	}
	p->stack_size = THREAD_SIZE;
	p->usage = 1;	/* the task's own, dropped after its final switch */
	p->flags = PF_KTHREAD;
	p->cpus_mask = CPU_MASK_ALL;	/* a fork copies its parent's (do_fork) */
	INIT_LIST_HEAD(&p->children);
	INIT_LIST_HEAD(&p->sibling);
	strscpy(p->comm, name, sizeof(p->comm));
	sched_fork(p);
	copy_thread(p, fn, arg);

	flags = spin_lock_irqsave(&tasklist_lock);
	p->pid = alloc_pid();
	if (p->pid > 0)
		list_add_tail(&p->tasks, &task_list);
	spin_unlock_irqrestore(&tasklist_lock, flags);
	if (p->pid < 0) {
		pr_err("fork: no free pid for '%s'\n", name);
		kstack_free(p->stack);
		kmem_cache_free(task_struct_cachep, p);
		return NULL;
	}
	return p;
}

/*
 * The idle task of an AP, pid 0 like swapper/0 and, like it, on no list: it runs on @stack,
 * the stack the AP came up on. free_idle_task undoes it for a CPU that did not come up.
 */
struct task_struct *fork_idle(unsigned int cpu, void *stack)
{
	struct task_struct *p = kmem_cache_zalloc(task_struct_cachep, GFP_KERNEL);

	if (!p)
		return NULL;
	p->stack = stack;
	p->stack_size = THREAD_SIZE;
	p->usage = 1;
	INIT_LIST_HEAD(&p->tasks);
	INIT_LIST_HEAD(&p->children);
	INIT_LIST_HEAD(&p->sibling);
	snprintf(p->comm, sizeof(p->comm), "swapper/%u", cpu);
	p->policy = SCHED_NORMAL;
	p->static_prio = p->prio = DEFAULT_PRIO;
	p->cpus_mask = cpumask_of(cpu);
	p->start_time = sched_clock();
	return p;
}

void free_idle_task(struct task_struct *p)
{
	kstack_free(p->stack);
	kmem_cache_free(task_struct_cachep, p);
}

/* Off the task list: do_exit() calls this before the task's final switch. */
void unhash_task(struct task_struct *p)
{
	unsigned long flags = spin_lock_irqsave(&tasklist_lock);

	list_del(&p->tasks);
	spin_unlock_irqrestore(&tasklist_lock, flags);
}

static void free_task(struct task_struct *p)
{
	if (p == &init_task || (p->flags & PF_IDLE))
		panic("fork: freeing the idle task");
	kstack_free(p->stack);
	kfree(p->kthread);
	fpu_free(p);
	signal_free(p->signal);
	kmem_cache_free(task_struct_cachep, p);
}

void put_task_struct(struct task_struct *p)
{
	int left = __atomic_sub_fetch(&p->usage, 1, __ATOMIC_ACQ_REL);

	if (left == 0)
		free_task(p);
	else if (left < 0)
		pr_err("fork: task %s/%d put more often than got\n", p->comm, p->pid);
}

char task_state_char(const struct task_struct *p)
{
	long s = READ_ONCE(p->state);

	if (p->exit_state == EXIT_ZOMBIE)
		return 'Z';
	if (s == TASK_RUNNING)
		return (p->flags & PF_IDLE) ? 'I' : 'R';
	if (s & TASK_INTERRUPTIBLE)
		return 'S';
	if (s & TASK_UNINTERRUPTIBLE)
		return 'D';
	if (s & __TASK_STOPPED)
		return 'T';
	if (s & TASK_DEAD)
		return 'X';
	if (s & TASK_NEW)
		return 'N';
	return '?';
}

/* ---- fork ------------------------------------------------------------------------------ */

#define CLONE_VM	0x00000100
#define CLONE_VFORK	0x00004000
#define CSIGNAL		0x000000ff	/* the low byte: the signal sent to the parent at exit */

/*
 * Take one of the process limit's slots, or -EAGAIN (the limit a fork bomb meets). The
 * test and the count are one step under tasklist_lock: two forks that both saw one slot
 * left, then slept in the allocations below, would otherwise both take it.
 */
static int reserve_process_slot(void)
{
	unsigned long flags = spin_lock_irqsave(&tasklist_lock);
	int ret = 0;

	if ((int64_t)nr_user_processes >= max_user_processes)
		ret = -EAGAIN;
	else
		nr_user_processes++;
	spin_unlock_irqrestore(&tasklist_lock, flags);
	return ret;
}

static void release_process_slot(void)
{
	unsigned long flags = spin_lock_irqsave(&tasklist_lock);

	nr_user_processes--;
	spin_unlock_irqrestore(&tasklist_lock, flags);
}

/* Undo a fork that failed after create_task: the child never ran. */
static void abort_fork(struct task_struct *p)
{
	release_process_slot();
	process_exit_files(p);
	if (p->mm)
		mmput(p->mm);
	p->mm = NULL;
	unhash_task(p);
	put_task_struct(p);	/* frees the stack, FPU area and signals */
}

void vfork_release(struct task_struct *tsk)
{
	struct completion *done = tsk->vfork_done;

	if (done) {
		tsk->vfork_done = NULL;
		complete(done);
	}
}

/*
 * The child of a fork: a new task whose every per-process part is a copy of the caller's.
 * It inherits the scheduling policy and priority (as POSIX says), starts runnable, and
 * its first run returns from the same system call with 0, on @stack if not 0.
 * CLONE_VM | CLONE_VFORK (vfork, and posix_spawn's clone): the child runs in the parent's
 * own address space (mm_users counts both), and the parent sleeps until the child has
 * exec'd or exited (vfork_release), so the two never run at once on the same memory.
 */
static long do_fork(unsigned long clone_flags, unsigned long stack)
{
	struct task_struct *parent = current, *p;
	unsigned long flags;
	struct sched_param param = { .sched_priority = (int)parent->rt_priority };
	struct completion vfork;
	int pid;

	if (!parent->mm || !parent->signal)
		return -EINVAL;
	if (reserve_process_slot())
		return -EAGAIN;
	p = create_task(NULL, NULL, parent->comm);
	if (!p) {
		release_process_slot();
		return -ENOMEM;
	}
	p->flags &= ~PF_KTHREAD;
	if (clone_flags & CLONE_VM) {
		p->mm = parent->mm;
		mmget(p->mm);
	} else {
		p->mm = dup_mm(parent->mm);
	}
	p->signal = signal_alloc(parent->signal);
	fpu_save_current();	/* the parent's live registers are what the child gets */
	if (!p->mm || !p->signal || fpu_alloc(p, parent) || process_fork_files(p, parent)) {
		abort_fork(p);
		return -ENOMEM;
	}
	p->active_mm = p->mm;
	p->cpus_mask = parent->cpus_mask;	/* taskset's children stay where it put them */
	p->fsbase = parent->fsbase;
	p->gsbase = parent->gsbase;
	p->exit_signal = (int)(clone_flags & CSIGNAL);
	if (parent->policy != SCHED_NORMAL)
		sched_setscheduler(p, parent->policy, &param);
	else
		set_user_nice(p, PRIO_TO_NICE(parent->static_prio));
	copy_thread_user(p, current_pt_regs());
	if (stack)
		task_pt_regs(p)->rsp = stack;
	if (clone_flags & CLONE_VFORK) {
		init_completion(&vfork);
		p->vfork_done = &vfork;
	}

	flags = spin_lock_irqsave(&tasklist_lock);
	p->parent = parent;
	list_add_tail(&p->sibling, &parent->children);
	spin_unlock_irqrestore(&tasklist_lock, flags);
	pid = p->pid;	/* @p may be reaped by the time the wait below ends */
	wake_up_process(p);
	if (clone_flags & CLONE_VFORK)
		wait_for_completion(&vfork);
	return pid;
}

long __x64_sys_fork(const struct pt_regs *regs)
{
	(void)regs;
	return do_fork(SIGCHLD, 0);
}

/*
 * vfork: the child borrows the parent's address space (and stack: libc's vfork keeps its
 * return address in a register), and the parent waits until the child execs or exits. No
 * page table is copied, which is what vfork is for; the child may only exec or _exit.
 */
long __x64_sys_vfork(const struct pt_regs *regs)
{
	(void)regs;
	return do_fork(CLONE_VM | CLONE_VFORK | SIGCHLD, 0);
}

/*
 * clone(flags, stack, parent_tid, child_tid, tls): a fork (flags = an exit signal), or a
 * vfork on a stack of the caller's (CLONE_VM | CLONE_VFORK: musl's posix_spawn, which
 * runs its child on a buffer of its own stack). Threads (CLONE_VM without CLONE_VFORK,
 * CLONE_THREAD, CLONE_FILES ...) are refused with -EINVAL.
 */
long __x64_sys_clone(const struct pt_regs *regs)
{
	unsigned long flags = regs->rdi, stack = regs->rsi;
	unsigned long shared = flags & ~CSIGNAL;

	if (shared && shared != (CLONE_VM | CLONE_VFORK))
		return -EINVAL;
	if (stack >= TASK_SIZE)
		return -EINVAL;
	return do_fork(flags, stack);
}
