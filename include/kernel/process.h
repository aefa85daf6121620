/*
 * User processes: the pieces between the scheduler's tasks and the system calls.
 * A process is a task with an mm (its address space), a signal_struct and a files_struct;
 * it enters user mode through start_user (exec from a kernel thread) or ret_from_fork, and
 * comes back on a system call, an interrupt or an exception, always onto the top of its
 * kernel stack, where those entries leave its user registers as a struct pt_regs.
 * docs/process.md walks through a process's life.
 */
#ifndef KERNEL_PROCESS_H
#define KERNEL_PROCESS_H

#include <asm/ptrace.h>
#include <sched/task.h>

/* The user registers of @p, saved at the top of its kernel stack by every entry. */
static inline struct pt_regs *task_pt_regs(struct task_struct *p)
{
	return (struct pt_regs *)((uint64_t)p->stack + p->stack_size) - 1;
}
#define current_pt_regs() task_pt_regs(current)

#define for_each_user_process(p) for_each_process(p) if ((p)->signal)

/* kernel/entry_syscall.S */
void entry_SYSCALL_64(void);
void __noreturn start_user(struct pt_regs *regs);

void syscall_init(void);			/* this CPU's MSRs for `syscall` */
void do_syscall_64(struct pt_regs *regs);	/* from entry_SYSCALL_64 */
void syscall_exit_to_user_mode(struct pt_regs *regs);
void copy_thread_user(struct task_struct *p, const struct pt_regs *regs);	/* sched/core.c */
/* At every switch (sched/core.c): the user state the kernel keeps for processes. */
void switch_user_context(struct task_struct *prev, struct task_struct *next);

/*
 * Turn the calling kernel thread into a user process running @path (kernel/exec.c): on
 * success it never returns; on failure it returns -errno and the thread is unchanged.
 */
int kernel_execve(const char *path, const char *const argv[], const char *const envp[]);

/* A vfork child that execs or exits lets its parent go on (kernel/fork.c). */
void vfork_release(struct task_struct *tsk);

/* End the calling process: @code is the wait status (exit code << 8, or a signal). */
void __noreturn do_group_exit(int code);
/* The kernel shell's `run`: wait for the user process @pid and return its wait status. */
int kernel_wait4(int pid, int *status);

/* struct rusage, Linux's layout (getrusage, wait4). */
struct rusage {
	int64_t ru_utime[2], ru_stime[2];	/* struct timeval: s, us */
	int64_t ru_maxrss;			/* kB */
	int64_t ru_ixrss, ru_idrss, ru_isrss;
	int64_t ru_minflt, ru_majflt, ru_nswap, ru_inblock, ru_oublock;
	int64_t ru_msgsnd, ru_msgrcv, ru_nsignals, ru_nvcsw, ru_nivcsw;
};
void fill_rusage(struct task_struct *p, bool children, struct rusage *ru);

/* exec's second half (kernel/process.c), after the loader filled @mm. */
void begin_new_exec(struct mm_struct *mm, const char *path, struct pt_regs *regs,
		    uint64_t ip, uint64_t sp);
int process_init_kthread(struct task_struct *tsk);	/* signals, FPU, files for exec */
/*
 * Start a child of the caller: a kernel thread running @fn(@arg), which becomes a process
 * when it execs; the caller reaps it with kernel_wait4. Its pid, or -errno. It may run
 * where the caller may (cpus_mask), as a forked child.
 * kernel_spawn (fs/exec.c) is the usual @fn: exec @path with @argv and @envp.
 */
int kernel_spawn_fn(int (*fn)(void *), void *arg, const char *name);
int kernel_spawn(const char *path, const char *const argv[], const char *const envp[]);
/* The environment of programs the kernel starts: HOME=/, PATH=/bin:/sbin, TERM=linux. */
extern const char *const default_envp[];
void get_random_bytes(void *buf, size_t n);
/* fs/process_files.c: the fd table (0, 1, 2 on /dev/console for a new process) and cwd. */
int process_files_init(struct task_struct *tsk);
int process_fork_files(struct task_struct *p, struct task_struct *parent);
void process_exit_files(struct task_struct *tsk);

/* The process-limit the forkbomb meets (kernel.threads-max analogue): user processes. */
extern int64_t max_user_processes;
extern unsigned int nr_user_processes;

#endif
