/*
 * A copy of what ps and top show about each task, taken in one walk of the task list
 * (kernel/taskinfo.c): the fields of Linux's /proc/PID/stat and /proc/PID/sched that
 * exist here. Copying first keeps tasklist_lock short; the printing is done after.
 */
#ifndef KERNEL_TASKINFO_H
#define KERNEL_TASKINFO_H

#include <sched/task.h>

struct task_info {
	int pid;
	char comm[TASK_COMM_LEN];
	char state;			/* task_state_char(): R S D T X I N */
	bool idle_task;			/* pid 0: runs in the idle class, not by its policy */
	bool fair;			/* in the fair class: vruntime is its position */
	int policy;			/* SCHED_* */
	unsigned int rt_priority;	/* 1..99 for FIFO and RR, else 0 */
	int prio;			/* the kernel's 0..139, lower runs first */
	int nice;			/* -20..19 (kept, unused, while the policy is rt) */
	int64_t vruntime;		/* ns; signed, since min_vruntime starts below zero */
	uint64_t runtime;		/* ns of CPU time, the running slice included */
	uint64_t start_time;		/* ns since boot */
	uint64_t nvcsw, nivcsw;		/* voluntary and involuntary switches */
	uint64_t min_flt;		/* page faults served */
	uint64_t maj_flt;		/* of them, those that read from swap */
	unsigned long vm_pages;		/* of its own address space; 0 for a kernel thread */
	unsigned long rss_pages;
	unsigned long shared_pages;	/* file and shared-memory pages of the RSS */
};

/*
 * Every task, in creation order: a kmalloc'd array the caller kfree()s, its length in
 * *@n. NULL when out of memory.
 */
struct task_info *task_info_snapshot(int *n);

/* The policy classes as procps names them: TS FF RR B IDL DLN, "-" for the idle task. */
const char *task_info_cls(const struct task_info *t);

/* ps's cumulative CPU time, [DD-]HH:MM:SS, and its elapsed time, [[DD-]HH:]MM:SS. */
int format_cputime(char *buf, size_t size, uint64_t ns);
int format_etime(char *buf, size_t size, uint64_t ns);

/* How many tasks exist now (every state, the idle task included). */
int nr_tasks(void);

#endif
