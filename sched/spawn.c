/*
 * `spawn`: start demo workloads, kernel threads that play the programs a student would run
 * on Linux to watch the scheduler (include/sched/spawn.h):
 *   spin      a CPU-bound loop (Linux: `while :; do :; done`)
 *   sleeper   a little work, then msleep_interruptible(100), over and over (mostly S)
 *   yielder   a little work, then sched_yield(), over and over
 *   periodic  wakes every MS ms on an absolute timer, as cyclictest's thread, and records
 *             how late each wakeup was
 * A new workload inherits the policy, rt priority, nice and CPU affinity of the shell, as
 * a forked process inherits its parent's: so `chrt -f 10 spawn spin`, `nice -n 5 spawn
 * spin` and `taskset -c 1 spawn spin` (which change the shell's own attributes around the
 * command) start it with those attributes before it first runs. Each prints "[JOB] PID" as a shell's background job.
 *
 * Invariant: a workload is on `workloads` from before its first run until it takes itself
 * off, just before it exits; so under workloads_lock its task is alive, which is what lets
 * `kill` set its stop flag and wake it without a reference of its own.
 */
#include <kernel/console.h>
#include <kernel/shell.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/slab.h>
#include <sched/spawn.h>
#include <sched/task.h>

enum workload_kind { SPIN, SLEEPER, YIELDER, PERIODIC, NR_KINDS };

static const char *const kind_names[NR_KINDS] = { "spin", "sleeper", "yielder", "periodic" };

#define MAX_COUNT	32	/* workloads per `spawn -n` */
#define MAX_PERIOD_MS	10000

struct workload {
	struct list_head node;		/* in workloads */
	struct task_struct *task;
	int pid, job;
	enum workload_kind kind;
	bool stop;			/* kill asked it to end */
	unsigned int period_ms;		/* periodic only */
	uint64_t loops;			/* work units done: iterations, sleeps, yields, wakeups */
	uint64_t max_late_ns;		/* periodic: the latest wakeup after its expiry */
};

static struct list_head workloads = LIST_HEAD_INIT(workloads);
static DEFINE_SPINLOCK(workloads_lock);

static bool should_end(const struct workload *w)
{
	return READ_ONCE(w->stop) || kthread_should_stop();
}

/* A few microseconds of arithmetic: the "work" of the sleeper and the yielder. */
static void busy_work(void)
{
	for (volatile int i = 0; i < 2000; i++)
		;
}

static void run_spin(struct workload *w)
{
	while (!should_end(w)) {
		cpu_relax();
		WRITE_ONCE(w->loops, w->loops + 1);
	}
}

static void run_sleeper(struct workload *w)
{
	while (!should_end(w)) {
		busy_work();
		msleep_interruptible(100);	/* S in ps, as a sleeping program */
		WRITE_ONCE(w->loops, w->loops + 1);
	}
}

static void run_yielder(struct workload *w)
{
	while (!should_end(w)) {
		busy_work();
		yield();
		WRITE_ONCE(w->loops, w->loops + 1);
	}
}

/* next += period, never now + period: the wakeups do not drift (cyclictest's loop). */
static void run_periodic(struct workload *w)
{
	uint64_t period = (uint64_t)w->period_ms * NSEC_PER_MSEC;
	uint64_t next = sched_clock() + period;

	while (!should_end(w)) {
		uint64_t now;

		set_current_state(TASK_INTERRUPTIBLE);
		if (schedule_hrtimeout(next) < 0)
			continue;	/* woken early: by kill, which the loop test sees */
		now = sched_clock();
		if (now - next > w->max_late_ns)
			WRITE_ONCE(w->max_late_ns, now - next);
		WRITE_ONCE(w->loops, w->loops + 1);
		next += period;
		if (next <= now)	/* overran whole periods (stopped, starved): skip them */
			next = now + period - (now - next) % period;
	}
}

static int workload_fn(void *data)
{
	struct workload *w = data;
	unsigned long flags;

	switch (w->kind) {
	case SPIN: run_spin(w); break;
	case SLEEPER: run_sleeper(w); break;
	case YIELDER: run_yielder(w); break;
	default: run_periodic(w); break;
	}
	flags = spin_lock_irqsave(&workloads_lock);
	list_del(&w->node);
	spin_unlock_irqrestore(&workloads_lock, flags);
	kfree(w);
	return 0;
}

/* ---- starting one ---------------------------------------------------------------------- */

/* What fork would give the child: the creator's policy, rt priority, nice and affinity. */
static void inherit_attributes(struct task_struct *p)
{
	struct sched_param sp = { .sched_priority = (int)current->rt_priority };

	set_user_nice(p, task_nice(current));
	if (current->policy != SCHED_NORMAL)
		sched_setscheduler(p, current->policy, &sp);
	/* Not running yet: this only records the mask, its first wakeup places it. */
	set_cpus_allowed(p, current->cpus_mask);
}

/* The job number bash would give: one more than the largest in use. workloads_lock held. */
static int next_job(void)
{
	struct workload *w;
	int job = 0;

	list_for_each_entry(w, &workloads, node)
		job = MAX(job, w->job);
	return job + 1;
}

static int spawn_one(enum workload_kind kind, unsigned int period_ms, const char *name)
{
	struct workload *w = kzalloc(sizeof(*w), GFP_KERNEL);
	struct task_struct *p;
	unsigned long flags;

	if (!w)
		return -ENOMEM;
	w->kind = kind;
	w->period_ms = period_ms;
	p = kthread_create(workload_fn, w, "%s", name);
	if (!p) {
		kfree(w);
		return -ENOMEM;
	}
	inherit_attributes(p);	/* before it first runs: it never runs as anything else */
	flags = spin_lock_irqsave(&workloads_lock);
	w->task = p;
	w->pid = p->pid;
	w->job = next_job();
	list_add_tail(&w->node, &workloads);
	spin_unlock_irqrestore(&workloads_lock, flags);
	console_printf("[%d] %d\n", w->job, w->pid);
	wake_up_process(p);
	return 0;
}

/* ---- what kill and the shell ask ------------------------------------------------------- */

/* workloads_lock held. */
static struct workload *find_workload(int pid)
{
	struct workload *w;

	list_for_each_entry(w, &workloads, node)
		if (w->pid == pid)
			return w;
	return NULL;
}

bool workload_is(int pid)
{
	unsigned long flags = spin_lock_irqsave(&workloads_lock);
	bool found = find_workload(pid) != NULL;

	spin_unlock_irqrestore(&workloads_lock, flags);
	return found;
}

int workload_terminate(int pid, bool force)
{
	unsigned long flags = spin_lock_irqsave(&workloads_lock);
	struct workload *w = find_workload(pid);

	if (w) {
		WRITE_ONCE(w->stop, true);
		if (force)
			sched_cont_task(w->task);
		/* Ends an interruptible sleep early, as a signal would; a stopped task stays. */
		wake_up_state(w->task, TASK_INTERRUPTIBLE);
	}
	spin_unlock_irqrestore(&workloads_lock, flags);
	return w ? 0 : -ESRCH;
}

int workload_job_pid(int job)
{
	unsigned long flags = spin_lock_irqsave(&workloads_lock);
	struct workload *w;
	int pid = -ESRCH;

	list_for_each_entry(w, &workloads, node)
		if (w->job == job)
			pid = w->pid;
	spin_unlock_irqrestore(&workloads_lock, flags);
	return pid;
}

/* ---- the command ----------------------------------------------------------------------- */

/* One line per workload, copied under the lock and printed after it (one shell: static). */
static void list_workloads(void)
{
	static char lines[64][96];
	struct workload *w;
	unsigned long flags;
	int n = 0, more = 0;

	flags = spin_lock_irqsave(&workloads_lock);
	list_for_each_entry(w, &workloads, node) {
		if (n == ARRAY_SIZE(lines)) {
			more++;
			continue;
		}
		scnprintf(lines[n++], sizeof(lines[0]),
			  "[%d] %5d %c %-8s %-15s %llu %s", w->job, w->pid,
			  task_state_char(w->task), kind_names[w->kind], w->task->comm,
			  (unsigned long long)w->loops,
			  w->kind == SPIN ? "loops" : w->kind == SLEEPER ? "sleeps" :
			  w->kind == YIELDER ? "yields" : "wakeups");
		if (w->kind == PERIODIC)
			scnprintf(lines[n - 1] + strlen(lines[n - 1]),
				  sizeof(lines[0]) - strlen(lines[n - 1]),
				  " every %u ms, latest %llu us late", w->period_ms,
				  (unsigned long long)(w->max_late_ns / NSEC_PER_USEC));
	}
	spin_unlock_irqrestore(&workloads_lock, flags);
	if (!n)
		console_puts("spawn: no workloads running\n");
	for (int i = 0; i < n; i++)
		console_printf("%s\n", lines[i]);
	if (more)
		console_printf("(%d more)\n", more);
}

static int parse_kind(const char *s)
{
	for (int k = 0; k < NR_KINDS; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -1;
}

struct spawn_args {
	int kind;
	unsigned int count, period_ms;
	const char *name;
};

static int parse_count(const char *s, unsigned int *count)
{
	if (kstrtouint(s, 10, count) || !*count || *count > MAX_COUNT) {
		console_printf("spawn: invalid count '%s' (1..%d)\n", s, MAX_COUNT);
		return -EINVAL;
	}
	return 0;
}

static int parse_period(const char *s, unsigned int *ms)
{
	if (kstrtouint(s, 10, ms) || !*ms || *ms > MAX_PERIOD_MS) {
		console_printf("spawn: invalid period '%s' (1..%d ms)\n", s, MAX_PERIOD_MS);
		return -EINVAL;
	}
	return 0;
}

/* spawn KIND [-n N] [MS] [NAME], -n anywhere after KIND: 0, or -EINVAL (said why). */
static int parse_spawn(int argc, char **argv, struct spawn_args *a)
{
	*a = (struct spawn_args){ .kind = parse_kind(argv[1]), .count = 1 };
	if (a->kind < 0) {
		console_printf("spawn: unknown workload '%s'\n", argv[1]);
		return -EINVAL;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0) {
			if (++i == argc || parse_count(argv[i], &a->count))
				return -EINVAL;
		} else if (a->kind == PERIODIC && !a->period_ms) {
			if (parse_period(argv[i], &a->period_ms))
				return -EINVAL;
		} else if (!a->name) {
			a->name = argv[i];
		} else {
			return -EINVAL;
		}
	}
	if (a->kind == PERIODIC && !a->period_ms) {
		console_puts("spawn: periodic needs a period in ms\n");
		return -EINVAL;
	}
	if (!a->name)
		a->name = kind_names[a->kind];
	return 0;
}

static int cmd_spawn(int argc, char **argv)
{
	struct spawn_args a;
	int err;

	if (argc == 1) {
		list_workloads();
		return 0;
	}
	err = parse_spawn(argc, argv, &a);
	if (err)
		return err;
	for (unsigned int i = 0; i < a.count; i++) {
		err = spawn_one(a.kind, a.period_ms, a.name);
		if (err) {
			console_printf("spawn: %s\n", strerror(err));
			return 1;
		}
	}
	return 0;
}
SHELL_COMMAND(spawn, cmd_spawn, "spawn [spin|sleeper|yielder|periodic MS] [-n COUNT] [NAME]",
	      "start demo workload threads (no arguments: list them)");
