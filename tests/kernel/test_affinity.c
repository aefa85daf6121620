/*
 * Affinity (ktest=affinity): sys_sched_setaffinity/getaffinity, set_cpus_allowed and the
 * shell's taskset. Checked: the calls' errors (-ESRCH for a negative or unused pid, -EINVAL
 * for a mask without an online CPU, CPUs past NR_CPUS ignored, -EPERM for an idle task)
 * and that a failed call changes nothing; getaffinity answers online CPUs only while the
 * mask is kept as given; a kernel thread given {1} before it first runs runs on CPU 1
 * only; a thread spinning on one CPU moves to another when its mask changes, and the
 * caller of set_cpus_allowed is on an allowed CPU when the call returns; taskset's lines,
 * error messages and status, exactly; `taskset -c N run whereami` runs the program on
 * CPU N (its exit status is its CPU) and gives the shell its CPU and mask back; a spawn
 * workload inherits the mask; and the affinity system calls from ring 3 (user/affinitytest,
 * whose own lines say which check failed). With one CPU online the cases that need a
 * second one skip. The expected masks and lists are written here from the CPU count, not
 * with lib/cpulist.c, so a bug there shows.
 */
#include <kernel/console.h>
#include <kernel/ktest.h>
#include <kernel/process.h>
#include <kernel/shell.h>
#include <kernel/smp.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <sched/spawn.h>
#include <sched/task.h>
#include <sched/workers.h>

#define OUT_SIZE	512

/* A pid no task has (pids are below 32768, handed out upwards from 1). */
static int unused_pid(void)
{
	for (int pid = 32767; pid > 1; pid--) {
		struct task_struct *p = find_get_task_by_pid(pid);

		if (!p)
			return pid;
		put_task_struct(p);
	}
	return 32767;
}

/* The online CPUs as taskset prints them; CPU numbers are dense, so they are 0..n-1. */
static void online_texts(char *mask, char *list, size_t size)
{
	unsigned int n = num_online_cpus();

	snprintf(mask, size, "%lx", n == 64 ? ~0ul : (1ul << n) - 1);
	if (n == 1)
		snprintf(list, size, "0");
	else if (n == 2)
		snprintf(list, size, "0,1");
	else
		snprintf(list, size, "0-%u", n - 1);
}

/* Run a shell line with this task's console output caught in @out; the command's result. */
static int shell_out(const char *line, char *out)
{
	char copy[128];
	int ret;

	strscpy(copy, line, sizeof(copy));
	console_capture_begin(out, OUT_SIZE);
	ret = shell_execute(copy);
	console_capture_end();
	return ret;
}

static int never_runs(void *data)
{
	(void)data;
	return 0;
}

/* ---- the calls' errors -------------------------------------------------------------- */

static void test_affinity_call_errors(struct ktest *t)
{
	cpumask_t before = current->cpus_mask, m = 0;
	int none = unused_pid();

	KTEST_EXPECT_EQ(t, sys_sched_setaffinity(none, cpumask_of(0)), -ESRCH);
	KTEST_EXPECT_EQ(t, sys_sched_setaffinity(-1, cpumask_of(0)), -ESRCH);
	KTEST_EXPECT_EQ(t, sys_sched_setaffinity(0, 0), -EINVAL);
	/* Only CPUs past NR_CPUS: dropped, so none is left. */
	KTEST_EXPECT_EQ(t, sys_sched_setaffinity(0, ~CPU_MASK_ALL), -EINVAL);
	if (num_online_cpus() < NR_CPUS)	/* a CPU that could exist but is not up */
		KTEST_EXPECT_EQ(t, sys_sched_setaffinity(0, cpumask_of(num_online_cpus())),
				-EINVAL);
	KTEST_EXPECT_EQ(t, current->cpus_mask, before);	/* a refused call changes nothing */
	KTEST_EXPECT_EQ(t, sys_sched_getaffinity(none, &m), -ESRCH);
	KTEST_EXPECT_EQ(t, sys_sched_getaffinity(-5, &m), -ESRCH);
	KTEST_EXPECT_EQ(t, m, 0);
	KTEST_EXPECT_EQ(t, sys_sched_getaffinity(0, &m), 0);
	KTEST_EXPECT_EQ(t, m, before & online_cpus());
	KTEST_EXPECT_EQ(t, set_cpus_allowed(&init_task, cpumask_of(0)), -EPERM);
	KTEST_EXPECT_EQ(t, init_task.cpus_mask, cpumask_of(0));
}

/* getaffinity: the online part; the mask itself as given, extra CPUs and all. */
static void test_getaffinity_online_only(struct ktest *t)
{
	struct task_struct *k = kthread_create(never_runs, NULL, "ktest-aff");
	cpumask_t m = 0;

	KTEST_ASSERT_TRUE(t, k != NULL);
	KTEST_EXPECT_EQ(t, sys_sched_getaffinity(k->pid, &m), 0);
	KTEST_EXPECT_EQ(t, m, online_cpus());		/* a new kernel thread: every CPU */
	KTEST_EXPECT_EQ(t, sys_sched_setaffinity(k->pid, CPU_MASK_ALL | 1ul << 63), 0);
	KTEST_EXPECT_EQ(t, k->cpus_mask, CPU_MASK_ALL);	/* bit 63 is past NR_CPUS */
	KTEST_EXPECT_EQ(t, sys_sched_getaffinity(k->pid, &m), 0);
	KTEST_EXPECT_EQ(t, m, online_cpus());
	KTEST_EXPECT_EQ(t, sys_sched_setaffinity(k->pid, cpumask_of(0)), 0);
	KTEST_EXPECT_EQ(t, sys_sched_getaffinity(k->pid, &m), 0);
	KTEST_EXPECT_EQ(t, m, cpumask_of(0));
	KTEST_EXPECT_EQ(t, kthread_stop(k), -EINTR);
}

/* ---- where threads run -------------------------------------------------------------- */

#define SAMPLES	20

struct where {
	unsigned int cpus[SAMPLES];
	volatile bool stop;
	volatile unsigned int cpu;	/* the spinner's CPU, as it last saw it */
	volatile unsigned long loops;
	volatile bool done;		/* the sampler took all its samples */
};

/* Note the CPU, sleep, note it again: every wakeup is a chance to land elsewhere. */
static int sampler(void *data)
{
	struct where *w = data;

	for (int i = 0; i < SAMPLES; i++) {
		w->cpus[i] = smp_processor_id();
		if (i % 2)
			msleep(1);
		else
			yield();
	}
	w->done = true;
	return 0;
}

static void test_kthread_given_cpu1_runs_there(struct ktest *t)
{
	struct where w = { 0 };
	struct task_struct *k;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "one CPU online");
	k = kthread_create(sampler, &w, "ktest-cpu1");
	KTEST_ASSERT_TRUE(t, k != NULL);
	get_task_struct(k);	/* for worker_join */
	KTEST_EXPECT_EQ(t, set_cpus_allowed(k, cpumask_of(1)), 0);
	wake_up_process(k);
	/* Let it finish: a thread stopped before it first ran would not run at all. */
	for (int i = 0; i < 1000 && !w.done; i++)
		msleep(1);
	KTEST_EXPECT_TRUE(t, w.done);
	KTEST_EXPECT_EQ(t, worker_join(k), 0);
	for (int i = 0; i < SAMPLES; i++)
		if (!KTEST_EXPECT_EQ(t, w.cpus[i], 1))
			break;
}

/* Spin (preemptible) until told to stop, noting the CPU at every turn. */
static int spinner(void *data)
{
	struct where *w = data;

	while (!w->stop && !kthread_should_stop()) {
		w->cpu = smp_processor_id();
		w->loops++;
		cpu_relax();
	}
	return 0;
}

/* Wait, sleeping, until the spinner reports @cpu and goes on looping; false after 1 s. */
static bool spinner_seen_on(struct where *w, unsigned int cpu)
{
	for (int i = 0; i < 1000; i++) {
		unsigned long loops = w->loops;

		msleep(1);
		if (w->cpu == cpu && w->loops != loops)
			return true;
	}
	return false;
}

static void test_running_thread_moves(struct ktest *t)
{
	struct where w = { 0 };
	unsigned int to = num_online_cpus() > 2 ? 2 : 0;
	struct task_struct *k;
	int wrong = 0;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "one CPU online");
	k = kthread_create(spinner, &w, "ktest-spin");
	KTEST_ASSERT_TRUE(t, k != NULL);
	get_task_struct(k);
	set_cpus_allowed(k, cpumask_of(1));
	wake_up_process(k);
	/* Looping on CPU 1 while this test sleeps: it is CPU 1's running task. */
	KTEST_EXPECT_TRUE(t, spinner_seen_on(&w, 1));
	KTEST_EXPECT_EQ(t, sys_sched_setaffinity(k->pid, cpumask_of(to)), 0);
	KTEST_EXPECT_TRUE(t, spinner_seen_on(&w, to));
	/* And it stays there: the mask is checked at every switch. */
	for (int i = 0; i < 20; i++) {
		msleep(1);
		wrong += w.cpu != to;
	}
	KTEST_EXPECT_EQ(t, wrong, 0);
	KTEST_EXPECT_EQ(t, READ_ONCE(k->cpu), to);
	w.stop = true;
	KTEST_EXPECT_EQ(t, worker_join(k), 0);
}

/* The caller moves itself: on an allowed CPU when the call returns, and back after. */
static void test_caller_moves_before_return(struct ktest *t)
{
	cpumask_t old = current->cpus_mask;
	unsigned int home = smp_processor_id(), away = home == 1 ? 0 : 1, cpu;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "one CPU online");
	KTEST_ASSERT_EQ(t, sys_sched_setaffinity(0, cpumask_of(away)), 0);
	cpu = smp_processor_id();
	KTEST_EXPECT_EQ(t, cpu, away);
	msleep(2);
	KTEST_EXPECT_EQ(t, smp_processor_id(), away);	/* its wakeup keeps it there */
	KTEST_EXPECT_EQ(t, set_cpus_allowed(current, cpumask_of(home)), 0);
	KTEST_EXPECT_EQ(t, smp_processor_id(), home);
	KTEST_EXPECT_EQ(t, set_cpus_allowed(current, old), 0);
	KTEST_EXPECT_EQ(t, current->cpus_mask, old);
}

/* ---- taskset ------------------------------------------------------------------------- */

enum { NO_PID, SHELL_PID, UNUSED_PID };	/* what a case's %d stands for */

struct line_case {
	const char *cmd;
	const char *out;
	int ret;
	int pid;
};

static void expect_lines(struct ktest *t, const char *cmd, const char *want, int ret)
{
	static char out[OUT_SIZE];

	KTEST_EXPECT_EQ(t, shell_out(cmd, out), ret);
	if (!KTEST_EXPECT_STREQ(t, out, want))
		ktest_diag(t, "for '%s'", cmd);
}

#define BAD_USAGE "taskset: bad usage\nTry 'taskset --help' for more information.\n"
#define EINVAL_SET "taskset: failed to set pid %d's affinity: Invalid argument\n"

/* Messages and statuses that do not depend on the CPUs; the shell is as it was after each. */
static void test_taskset_errors(struct ktest *t)
{
	static const struct line_case cases[] = {
		{ "taskset", BAD_USAGE, 1, NO_PID },
		{ "taskset 1", BAD_USAGE, 1, NO_PID },
		{ "taskset -p 0", BAD_USAGE, 1, NO_PID },
		{ "taskset -p 1 2 3", BAD_USAGE, 1, NO_PID },
		{ "taskset -p", "taskset: invalid PID argument: '-p'\n", 1, NO_PID },
		{ "taskset -p abc", "taskset: invalid PID argument: 'abc'\n", 1, NO_PID },
		{ "taskset -p 99999999999", "taskset: invalid PID argument: '99999999999': "
					    "Numerical result out of range\n", 1, NO_PID },
		{ "taskset -x", "taskset: invalid option -- 'x'\n"
				"Try 'taskset --help' for more information.\n", 1, NO_PID },
		{ "taskset -p xyz %d", "taskset: failed to parse CPU mask: xyz\n", 1, SHELL_PID },
		{ "taskset -pc 1-0 %d", "taskset: failed to parse CPU list: 1-0\n", 1, SHELL_PID },
		{ "taskset -c 0, echo hi", "taskset: failed to parse CPU list: 0,\n", 1, NO_PID },
		{ "taskset -p %d", "taskset: failed to get pid %d's affinity: No such process\n", 1,
		  UNUSED_PID },
		{ "taskset -p 1 %d", "taskset: failed to get pid %d's affinity: No such process\n",
		  1, UNUSED_PID },
		{ "taskset 0 echo hi", EINVAL_SET, 1, SHELL_PID },
		{ "taskset 1 nosuch",
		  "taskset: failed to execute nosuch: No such file or directory\n", 127, NO_PID },
		{ "taskset -c 0 -- echo",
		  "taskset: failed to execute --: No such file or directory\n", 127, NO_PID },
		{ "taskset 1 echo hi", "hi\n", 0, NO_PID },
	};
	char cmd[96], want[192];
	cpumask_t mask = current->cpus_mask;
	unsigned int cpu = smp_processor_id();
	int none = unused_pid();

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		int pid = cases[i].pid == UNUSED_PID ? none : current->pid;

		snprintf(cmd, sizeof(cmd), cases[i].cmd, pid);
		snprintf(want, sizeof(want), cases[i].out, pid, pid);
		expect_lines(t, cmd, want, cases[i].ret);
	}
	/* The first CPU past NR_CPUS, and the first that could be but is not up. */
	snprintf(cmd, sizeof(cmd), "taskset -c %u echo hi", NR_CPUS);
	snprintf(want, sizeof(want), EINVAL_SET, current->pid);
	expect_lines(t, cmd, want, 1);
	if (num_online_cpus() < NR_CPUS) {
		snprintf(cmd, sizeof(cmd), "taskset -c %u echo hi", num_online_cpus());
		expect_lines(t, cmd, want, 1);
	}
	KTEST_EXPECT_EQ(t, current->cpus_mask, mask);
	KTEST_EXPECT_EQ(t, smp_processor_id(), cpu);
}

/* The current and new lines, for the shell and for a kernel thread, masks and lists. */
static void test_taskset_show_and_set(struct ktest *t)
{
	static char out[OUT_SIZE], cmd[64], want[256], mask[24], list[24];
	struct task_struct *k = kthread_create(never_runs, NULL, "ktest-taskset");
	int pid;

	KTEST_ASSERT_TRUE(t, k != NULL);
	pid = k->pid;
	KTEST_EXPECT_EQ(t, online_cpus(), CPU_MASK_ALL >> (NR_CPUS - num_online_cpus()));
	online_texts(mask, list, sizeof(mask));

	snprintf(cmd, sizeof(cmd), "taskset -p %d", current->pid);
	snprintf(want, sizeof(want), "pid %d's current affinity mask: %s\n", current->pid, mask);
	KTEST_EXPECT_EQ(t, shell_out(cmd, out), 0);
	KTEST_EXPECT_STREQ(t, out, want);

	snprintf(cmd, sizeof(cmd), "taskset -cp %d", pid);
	snprintf(want, sizeof(want), "pid %d's current affinity list: %s\n", pid, list);
	KTEST_EXPECT_EQ(t, shell_out(cmd, out), 0);
	KTEST_EXPECT_STREQ(t, out, want);

	snprintf(cmd, sizeof(cmd), "taskset -p 1 %d", pid);
	snprintf(want, sizeof(want), "pid %d's current affinity mask: %s\n"
		 "pid %d's new affinity mask: 1\n", pid, mask, pid);
	KTEST_EXPECT_EQ(t, shell_out(cmd, out), 0);
	KTEST_EXPECT_STREQ(t, out, want);
	KTEST_EXPECT_EQ(t, k->cpus_mask, 1);

	/* A refused mask: the current line, the error, and the mask as it was. */
	snprintf(cmd, sizeof(cmd), "taskset -p 0 %d", pid);
	snprintf(want, sizeof(want), "pid %d's current affinity mask: 1\n"
		 "taskset: failed to set pid %d's affinity: Invalid argument\n", pid, pid);
	KTEST_EXPECT_EQ(t, shell_out(cmd, out), 1);
	KTEST_EXPECT_STREQ(t, out, want);
	KTEST_EXPECT_EQ(t, k->cpus_mask, 1);

	/* Past the online CPUs: kept, but the new line shows only those that are up. */
	snprintf(cmd, sizeof(cmd), "taskset -pc 0-100 %d", pid);
	snprintf(want, sizeof(want), "pid %d's current affinity list: 0\n"
		 "pid %d's new affinity list: %s\n", pid, pid, list);
	KTEST_EXPECT_EQ(t, shell_out(cmd, out), 0);
	KTEST_EXPECT_STREQ(t, out, want);
	KTEST_EXPECT_EQ(t, k->cpus_mask, CPU_MASK_ALL);

	if (num_online_cpus() >= 3) {	/* a pair is listed, not a range: "0,2,3" */
		snprintf(cmd, sizeof(cmd), "taskset -a --cpu-list --pid 0,2-3:1 %d", pid);
		snprintf(want, sizeof(want), "pid %d's current affinity list: %s\n"
			 "pid %d's new affinity list: 0,2%s\n", pid, list, pid,
			 num_online_cpus() > 3 ? ",3" : "");
		KTEST_EXPECT_EQ(t, shell_out(cmd, out), 0);
		KTEST_EXPECT_STREQ(t, out, want);
	}
	KTEST_EXPECT_EQ(t, kthread_stop(k), -EINTR);
}

/* `taskset -c N run whereami`: the program runs on CPU N; the shell comes back. */
static void test_taskset_runs_program_there(struct ktest *t)
{
	static char out[OUT_SIZE], cmd[64], want[64];
	cpumask_t mask = current->cpus_mask;
	unsigned int cpu = smp_processor_id(), last = num_online_cpus() - 1;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "one CPU online");
	/* CPU 1 and the last one */
	for (unsigned int n = 1; n <= last; n += last > 1 ? last - 1 : 1) {
		snprintf(cmd, sizeof(cmd), "taskset -c %u run whereami", n);
		snprintf(want, sizeof(want), "run: /bin/whereami: exit status %u\n", n);
		KTEST_EXPECT_EQ(t, shell_out(cmd, out), 0);
		KTEST_EXPECT_STREQ(t, out, want);
		KTEST_EXPECT_EQ(t, current->cpus_mask, mask);
		KTEST_EXPECT_EQ(t, smp_processor_id(), cpu);
	}
}

/* A spawn workload inherits the mask from the shell, as a forked child would. */
static void test_taskset_spawn_inherits(struct ktest *t)
{
	static char out[OUT_SIZE];
	struct task_struct *p;
	int pid;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "one CPU online");
	KTEST_EXPECT_EQ(t, shell_out("taskset 2 spawn sleeper", out), 0);
	/* "[JOB] PID\n" */
	KTEST_ASSERT_TRUE(t, out[0] == '[' && strchr(out, ' '));
	*strchr(out, '\n') = '\0';
	KTEST_ASSERT_EQ(t, kstrtoint(strchr(out, ' ') + 1, 10, &pid), 0);
	p = find_get_task_by_pid(pid);
	KTEST_ASSERT_TRUE(t, p != NULL);
	KTEST_EXPECT_EQ(t, p->cpus_mask, 2);
	for (int i = 0; i < 200 && !READ_ONCE(p->se.sum_exec_runtime); i++)
		msleep(1);
	KTEST_EXPECT_TRUE(t, p->se.sum_exec_runtime > 0);
	KTEST_EXPECT_EQ(t, READ_ONCE(p->cpu), 1);
	put_task_struct(p);
	KTEST_EXPECT_EQ(t, workload_terminate(pid, true), 0);
	for (int i = 0; i < 500 && workload_is(pid); i++)
		msleep(1);
	KTEST_EXPECT_TRUE(t, !workload_is(pid));
}

/* ---- from user space ------------------------------------------------------------------ */

static void test_affinity_syscalls_from_ring3(struct ktest *t)
{
	static const char *const argv[] = { "/bin/affinitytest", NULL };
	int status = -1, pid = kernel_spawn(argv[0], argv, default_envp);

	KTEST_ASSERT_TRUE(t, pid > 0);
	KTEST_EXPECT_EQ(t, kernel_wait4(pid, &status), pid);
	/* The exit status is the number of failed checks: its lines above say which. */
	KTEST_EXPECT_EQ(t, status, 0);
}

static const struct ktest_case affinity_cases[] = {
	KTEST_CASE(test_affinity_call_errors),
	KTEST_CASE(test_getaffinity_online_only),
	KTEST_CASE(test_kthread_given_cpu1_runs_there),
	KTEST_CASE(test_running_thread_moves),
	KTEST_CASE(test_caller_moves_before_return),
	KTEST_CASE(test_taskset_errors),
	KTEST_CASE(test_taskset_show_and_set),
	KTEST_CASE(test_taskset_runs_program_there),
	KTEST_CASE(test_taskset_spawn_inherits),
	KTEST_CASE(test_affinity_syscalls_from_ring3),
	{},
};
KTEST_SUITE(affinity, affinity_cases);
