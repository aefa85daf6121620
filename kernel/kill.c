/*
 * `kill`: the shell's kill, with bash's options and messages (kill [-s SIG | -n NUM | -SIG]
 * PID|%JOB..., kill -l [SIG]). A user process gets a terminating or ignorable signal as
 * from kill(2) (send_signal, kernel/signal.c: its handler runs, or the default action);
 * for kernel threads, and for the stop signals everywhere until job control exists, kill
 * carries out the default action itself:
 *   stop (STOP TSTP TTIN TTOU)   sched_stop_task(): the task shows T in ps
 *   continue (CONT)              sched_cont_task()
 *   terminate (TERM, the default, KILL, INT, HUP, ... and the core-dumping ones)
 *                                a workload started by `spawn` is asked to end (it polls a
 *                                stop flag); KILL also ends a stopped one at once, while
 *                                TERM waits, pending, for it to be continued, as on Linux
 *   ignore (CHLD URG WINCH), 0   nothing (0 only checks that the task exists)
 * Pid 0 (the idle task) and pid 1 (init, running this shell) are refused, as are other
 * kernel threads for a terminating signal: Linux's kernel threads ignore signals, and
 * here only their creator can end them (kthread_stop). The kill is asynchronous, as on
 * Linux: the task ends when it next runs.
 */
#include <kernel/console.h>
#include <kernel/shell.h>
#include <kernel/signal.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <sched/spawn.h>
#include <sched/task.h>

enum sig_action { ACT_TERM, ACT_CORE, ACT_STOP, ACT_CONT, ACT_IGN };

struct signal_def {
	const char *name;	/* without "SIG" */
	enum sig_action action;
};

/* Linux's x86 numbers, 1..31, and their default actions (signal(7)). */
static const struct signal_def signals[] = {
	[1] = { "HUP", ACT_TERM },	[2] = { "INT", ACT_TERM },
	[3] = { "QUIT", ACT_CORE },	[4] = { "ILL", ACT_CORE },
	[5] = { "TRAP", ACT_CORE },	[6] = { "ABRT", ACT_CORE },
	[7] = { "BUS", ACT_CORE },	[8] = { "FPE", ACT_CORE },
	[9] = { "KILL", ACT_TERM },	[10] = { "USR1", ACT_TERM },
	[11] = { "SEGV", ACT_CORE },	[12] = { "USR2", ACT_TERM },
	[13] = { "PIPE", ACT_TERM },	[14] = { "ALRM", ACT_TERM },
	[15] = { "TERM", ACT_TERM },	[16] = { "STKFLT", ACT_TERM },
	[17] = { "CHLD", ACT_IGN },	[18] = { "CONT", ACT_CONT },
	[19] = { "STOP", ACT_STOP },	[20] = { "TSTP", ACT_STOP },
	[21] = { "TTIN", ACT_STOP },	[22] = { "TTOU", ACT_STOP },
	[23] = { "URG", ACT_IGN },	[24] = { "XCPU", ACT_CORE },
	[25] = { "XFSZ", ACT_CORE },	[26] = { "VTALRM", ACT_TERM },
	[27] = { "PROF", ACT_TERM },	[28] = { "WINCH", ACT_IGN },
	[29] = { "IO", ACT_TERM },	[30] = { "PWR", ACT_TERM },
	[31] = { "SYS", ACT_CORE },
};

#define NSIG_STD	32

const char *signal_name(int sig)
{
	return sig > 0 && sig < NSIG_STD ? signals[sig].name : "?";
}

static int strcasecmp_ascii(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		int ca = *a >= 'a' && *a <= 'z' ? *a - 32 : *a;
		int cb = *b >= 'a' && *b <= 'z' ? *b - 32 : *b;

		if (ca != cb)
			return ca - cb;
	}
	return *a - *b;
}

/* "TERM", "SIGTERM", "term" or "15" -> 15; -1 if it names no signal. 0 is a signal here. */
static int parse_signal(const char *s)
{
	int n;

	if (kstrtoint(s, 10, &n) == 0)
		return n >= 0 && n < NSIG_STD ? n : -1;
	if (strncmp(s, "SIG", 3) == 0 || strncmp(s, "sig", 3) == 0)
		s += 3;
	for (n = 1; n < NSIG_STD; n++)
		if (strcasecmp_ascii(s, signals[n].name) == 0)
			return n;
	return -1;
}

static void invalid_signal(const char *s)
{
	console_printf("kill: %s: invalid signal specification\n", s);
}

/* kill -l: bash's table; kill -l SIG...: a name for a number, a number for a name. */
static int list_signals(int argc, char **argv)
{
	int ret = 0;

	if (argc == 0) {
		for (int n = 1; n < NSIG_STD; n++)
			console_printf("%2d) SIG%s%s", n, signals[n].name,
				       n % 5 == 0 || n == NSIG_STD - 1 ? "\n" : "\t");
		return 0;
	}
	for (int i = 0; i < argc; i++) {
		int n, sig;

		if (kstrtoint(argv[i], 10, &n) == 0) {
			sig = n > 128 ? n - 128 : n;	/* an exit status 128 + N names signal N */
			if (sig > 0 && sig < NSIG_STD) {
				console_printf("%s\n", signals[sig].name);
				continue;
			}
		} else if ((sig = parse_signal(argv[i])) > 0) {
			console_printf("%d\n", sig);
			continue;
		}
		invalid_signal(argv[i]);
		ret = 1;
	}
	return ret;
}

/* Send @sig to @pid, or carry out its default action; 0 or -errno. */
static int kill_pid(int pid, int sig)
{
	struct task_struct *p;
	int err = 0;

	if (pid == 0 || pid == 1)
		return -EPERM;	/* the idle task, and init: the shell would stop or end itself */
	p = find_get_task_by_pid(pid);
	if (!p)
		return -ESRCH;
	if (p->signal && !(p->flags & PF_KTHREAD) && sig &&
	    signals[sig].action != ACT_STOP && signals[sig].action != ACT_CONT) {
		err = send_signal(p, sig);	/* a process: as kill(2) would */
		put_task_struct(p);
		return err;
	}
	switch (sig ? signals[sig].action : ACT_IGN) {
	case ACT_STOP:
		err = sched_stop_task(p);
		break;
	case ACT_CONT:
		err = sched_cont_task(p);
		break;
	case ACT_TERM:
	case ACT_CORE:
		err = workload_terminate(pid, sig == SIGKILL) ? -EPERM : 0;
		break;
	case ACT_IGN:
		break;
	}
	put_task_struct(p);
	return err;
}

/* One PID or %JOB word: bash's message on an error; 1 then, else 0. */
static int kill_one(const char *word, int sig)
{
	int pid, err;

	if (word[0] == '%') {
		int job;

		if (kstrtoint(word + 1, 10, &job) || (pid = workload_job_pid(job)) < 0) {
			console_printf("kill: %s: no such job\n", word);
			return 1;
		}
	} else if (kstrtoint(word, 10, &pid) || pid < 0) {
		console_printf("kill: %s: arguments must be process or job IDs\n", word);
		return 1;
	}
	err = kill_pid(pid, sig);
	if (err) {
		console_printf("kill: (%d) - %s\n", pid, strerror(err));
		return 1;
	}
	return 0;
}

static void kill_usage(void)
{
	console_puts("kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... "
		     "or kill -l [sigspec]\n");
}

/* The signal options at argv[*i]; the signal, or -1 after the complaint. */
static int kill_options(int argc, char **argv, int *i)
{
	int sig = SIGTERM;

	while (*i < argc && argv[*i][0] == '-' && argv[*i][1]) {
		const char *a = argv[*i];

		if (strcmp(a, "--") == 0) {
			(*i)++;
			break;
		}
		if (strcmp(a, "-s") == 0 || strcmp(a, "-n") == 0) {
			if (++*i == argc) {
				console_printf("kill: %s: option requires an argument\n", a);
				kill_usage();
				return -1;
			}
			a = argv[*i];
		} else {
			a++;
		}
		sig = parse_signal(a);
		if (sig < 0) {
			invalid_signal(a);
			return -1;
		}
		(*i)++;
	}
	return sig;
}

static int cmd_kill(int argc, char **argv)
{
	int i = 1, sig, ret = 0;

	if (argc > 1 && (strcmp(argv[1], "-l") == 0 || strcmp(argv[1], "-L") == 0))
		return list_signals(argc - 2, argv + 2);
	sig = kill_options(argc, argv, &i);
	if (sig < 0)
		return 1;
	if (i == argc) {
		kill_usage();
		return 2;
	}
	for (; i < argc; i++)
		ret |= kill_one(argv[i], sig);
	return ret;
}
SHELL_COMMAND(kill, cmd_kill, "kill [-s SIGNAL | -SIGNAL] PID|%JOB... | kill -l [SIGNAL]",
	      "stop, continue or end a task (bash's kill; TERM ends spawned workloads)");
