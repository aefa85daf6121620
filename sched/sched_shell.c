/*
 * The shell's scheduling-policy commands, with the options, output and error messages of
 * the Linux tools (util-linux 2.38 chrt and renice, coreutils nice), on the calls of
 * sched/syscalls.c:
 *   chrt -m                       the priority range of each policy
 *   chrt -p PID                   a task's policy and rt priority
 *   chrt [-f|-r|-o|-b|-i|-d] -p PRIO PID     change them
 *   chrt [-f|-r|-o|-b|-i|-d] PRIO COMMAND    run a shell command with them
 *   nice [-n N] [COMMAND]         run a command at nice + N, or print the nice value
 *   renice [-n] N [-p|-g|-u] ID...           set nice values
 * "Running a command" with other attributes: the shell (init, pid 1) takes them, runs the
 * command, and takes its own back. A workload the command spawns inherits them before it
 * first runs, as a forked child would (sched/spawn.c). Pid 0 means the shell itself, as
 * "the calling process" does on Linux; `chrt -p 0` names it as pid 1.
 * Limits: no -R (reset-on-fork: there is no fork), no deadline parameters (-T -P -D);
 * process groups and users (renice -g, -u) do not exist, so those calls fail.
 */
#include <kernel/console.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <lib/getopt.h>
#include <lib/string.h>
#include <sched/task.h>

#define PRIO_PGRP	1	/* setpriority's "which", Linux's values */
#define PRIO_USER	2

static void try_help(const char *prog)
{
	console_printf("Try '%s --help' for more information.\n", prog);
}

/* getopt's complaint and the hint, as the tools print them; the exit status 1. */
static int bad_option(const struct getopt *g, const char *prog)
{
	char msg[96];

	getopt_error(g, prog, msg, sizeof(msg));
	console_printf("%s\n", msg);
	try_help(prog);
	return 1;
}

/* util-linux's strtos32_or_err: "chrt: invalid PID argument: 'x'" (and why, for a range). */
static int parse_s32(const char *prog, const char *what, const char *s, int *v)
{
	int err = kstrtoint(s, 10, v);

	if (!err)
		return 0;
	if (err == -ERANGE)
		console_printf("%s: %s: '%s': %s\n", prog, what, s, strerror(err));
	else
		console_printf("%s: %s: '%s'\n", prog, what, s);
	return err;
}

/*
 * Run argv[0..argc-1] as a shell command, or say, as the tool would, that there is none.
 * @fmt has one %s, the command's name.
 */
static int run_command(int argc, char **argv, const char *fmt)
{
	if (!shell_has_command(argv[0])) {
		console_printf(fmt, argv[0]);
		return 127;
	}
	shell_exec_argv(argc, argv);
	return 0;
}

/* ---- chrt ---------------------------------------------------------------------------- */

static const int chrt_policies[] = { SCHED_NORMAL, SCHED_FIFO, SCHED_RR, SCHED_BATCH,
				     SCHED_IDLE, SCHED_DEADLINE };

static void chrt_show_min_max(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(chrt_policies); i++) {
		int policy = chrt_policies[i];
		int min = sys_sched_get_priority_min(policy);
		int max = sys_sched_get_priority_max(policy);

		if (min < 0 || max < 0)
			console_printf("%s not supported?\n", sched_policy_name(policy));
		else
			console_printf("%s min/max priority\t: %d/%d\n",
				       sched_policy_name(policy), min, max);
	}
}

/* "pid N's current scheduling policy: ..." and "... priority: ..."; 1 on an error. */
static int chrt_show(int pid, const char *when)
{
	struct sched_param sp;
	int policy = sys_sched_getscheduler(pid);
	int err;

	if (policy < 0) {
		console_printf("chrt: failed to get pid %d's policy: %s\n", pid, strerror(policy));
		return 1;
	}
	console_printf("pid %d's %s scheduling policy: %s%s\n", pid, when,
		       sched_policy_name(policy & ~SCHED_RESET_ON_FORK) ?: "unknown",
		       policy & SCHED_RESET_ON_FORK ? "|SCHED_RESET_ON_FORK" : "");
	err = sys_sched_getparam(pid, &sp);
	if (err) {
		console_printf("chrt: failed to get pid %d's attributes: %s\n", pid, strerror(err));
		return 1;
	}
	console_printf("pid %d's %s scheduling priority: %d\n", pid, when, sp.sched_priority);
	return 0;
}

static void chrt_help(void)
{
	console_puts(
		"Show or set a task's scheduling policy and real-time priority.\n"
		"\n"
		"Usage:\n"
		" chrt [options] <priority> <command> [<arg>...]  run a command with it\n"
		" chrt [options] --pid <priority> <pid>           change a task\n"
		" chrt [options] -p <pid>                         show a task's policy\n"
		"\n"
		"Policy to set (SCHED_RR when none is given):\n"
		" -o, --other     SCHED_OTHER (SCHED_NORMAL, the fair class)\n"
		" -f, --fifo      SCHED_FIFO\n"
		" -r, --rr        SCHED_RR\n"
		" -b, --batch     SCHED_BATCH\n"
		" -i, --idle      SCHED_IDLE\n"
		" -d, --deadline  SCHED_DEADLINE (refused: no deadline class yet)\n"
		"\n"
		"Other options:\n"
		" -p, --pid        act on the task <pid> (0: the shell)\n"
		" -m, --max        the valid priorities of each policy\n"
		" -v, --verbose    show the policy before and after a change\n"
		" -a, --all-tasks  accepted; a pid is one task here\n"
		" -h, --help       this text\n");
}

struct chrt_ctl {
	int policy;
	int pid;		/* -1: no -p, run a command */
	bool verbose;
};

static const struct longopt chrt_longopts[] = {
	{ "all-tasks", false, 'a' }, { "batch", false, 'b' }, { "deadline", false, 'd' },
	{ "fifo", false, 'f' }, { "help", false, 'h' }, { "idle", false, 'i' },
	{ "max", false, 'm' }, { "other", false, 'o' }, { "pid", false, 'p' },
	{ "rr", false, 'r' }, { "verbose", false, 'v' }, { NULL, false, 0 },
};

/*
 * The options, as util-linux reads them: -p takes the pid from the last word at once, and
 * -m and -h act where they stand. Returns -1 to go on, or the command's result.
 */
static int chrt_options(struct chrt_ctl *c, struct getopt *g, int argc, char **argv)
{
	int opt;

	while ((opt = getopt_next(g, argc, argv, "abdfhimoprv", chrt_longopts)) != -1) {
		switch (opt) {
		case 'a': break;
		case 'b': c->policy = SCHED_BATCH; break;
		case 'd': c->policy = SCHED_DEADLINE; break;
		case 'f': c->policy = SCHED_FIFO; break;
		case 'i': c->policy = SCHED_IDLE; break;
		case 'o': c->policy = SCHED_NORMAL; break;
		case 'r': c->policy = SCHED_RR; break;
		case 'v': c->verbose = true; break;
		case 'm': chrt_show_min_max(); return 0;
		case 'h': chrt_help(); return 0;
		case 'p':
			if (parse_s32("chrt", "invalid PID argument", argv[argc - 1], &c->pid))
				return 1;
			break;
		default:
			return bad_option(g, "chrt");
		}
	}
	return -1;
}

/* Set the policy of c->pid (0: the shell); messages as chrt's. */
static int chrt_set(const struct chrt_ctl *c, int prio)
{
	struct sched_param sp = { .sched_priority = prio };
	int err;

	if (prio < sys_sched_get_priority_min(c->policy) ||
	    prio > sys_sched_get_priority_max(c->policy)) {
		console_printf("chrt: unsupported priority value for the policy: %d: "
			       "see --max for valid range\n", prio);
		return 1;
	}
	err = sys_sched_setscheduler(c->pid < 0 ? 0 : c->pid, c->policy, &sp);
	if (err) {
		console_printf("chrt: failed to set pid %d's policy: %s\n", c->pid < 0 ? 0 : c->pid,
			       strerror(err));
		return 1;
	}
	return 0;
}

/* Run the command with the shell's policy changed, then give the shell its own back. */
static int chrt_run(const struct chrt_ctl *c, int prio, int argc, char **argv)
{
	struct sched_param old = { .sched_priority = (int)current->rt_priority };
	int old_policy = current->policy, ret;

	if (chrt_set(c, prio))
		return 1;
	ret = run_command(argc, argv, "chrt: failed to execute %s: No such file or directory\n");
	sched_setscheduler(current, old_policy, &old);
	return ret;
}

static int cmd_chrt(int argc, char **argv)
{
	struct chrt_ctl c = { .policy = SCHED_RR, .pid = -1 };
	struct getopt g = GETOPT_INIT;
	int left, prio, ret = chrt_options(&c, &g, argc, argv);

	if (ret >= 0)
		return ret;
	left = argc - g.optind;
	if ((c.pid >= 0 && left < 1) || (c.pid < 0 && left < 2)) {
		console_puts("chrt: bad usage\n");
		try_help("chrt");
		return 1;
	}
	if (c.pid == 0)
		c.pid = current->pid;	/* "the calling process", named as util-linux does */
	if (c.pid >= 0 && (c.verbose || left == 1)) {
		ret = chrt_show(c.pid, "current");
		if (left == 1 || ret)
			return ret;
	}
	if (parse_s32("chrt", "invalid priority argument", argv[g.optind], &prio))
		return 1;
	if (c.pid < 0)
		return chrt_run(&c, prio, left - 1, argv + g.optind + 1);
	if (chrt_set(&c, prio))
		return 1;
	return c.verbose ? chrt_show(c.pid, "new") : 0;
}
SHELL_COMMAND(chrt, cmd_chrt, "chrt [-f|-r|-o|-b|-i|-d] [-v] [-p] [PRIO] PID|COMMAND..., chrt -m",
	      "show or set a task's scheduling policy (as util-linux chrt)");

/* ---- nice ----------------------------------------------------------------------------- */

static int clamp_nice(long n)
{
	return n < MIN_NICE ? MIN_NICE : n > MAX_NICE ? MAX_NICE : (int)n;
}

/* coreutils' old syntax: "nice -5 CMD" is +5, "nice --5 CMD" is -5. */
static bool old_style_adjustment(const char *s)
{
	return s[0] == '-' && ((s[1] >= '0' && s[1] <= '9') ||
			       ((s[1] == '-' || s[1] == '+') && s[2] >= '0' && s[2] <= '9'));
}

static const struct longopt nice_longopts[] = {
	{ "adjustment", true, 'n' }, { "help", false, 'h' }, { NULL, false, 0 },
};

static int nice_run(long adjust, int argc, char **argv)
{
	int old = task_nice(current), ret;

	set_user_nice(current, clamp_nice(old + adjust));
	ret = run_command(argc, argv, "nice: '%s': No such file or directory\n");
	set_user_nice(current, old);
	return ret;
}

static int cmd_nice(int argc, char **argv)
{
	struct getopt g = GETOPT_INIT;
	const char *adj = NULL;
	long adjust = 10;	/* coreutils' default */
	int opt;

	if (argc > 1 && old_style_adjustment(argv[1])) {
		adj = argv[1] + 1;
		g.optind = 2;
	}
	while ((opt = getopt_next(&g, argc, argv, "n:", nice_longopts)) != -1) {
		if (opt == 'n') {
			adj = g.optarg;
		} else if (opt == 'h') {
			console_puts("Usage: nice [-n N] [COMMAND [ARG]...]\n"
				     "Run a command at the nice value + N (default 10, clamped to\n"
				     "-20..19). Without a command, print the nice value.\n");
			return 0;
		} else {
			return bad_option(&g, "nice");
		}
	}
	if (adj && kstrtol(adj[0] == '+' ? adj + 1 : adj, 10, &adjust)) {
		console_printf("nice: invalid adjustment '%s'\n", adj);
		return 1;
	}
	if (g.optind < argc)
		return nice_run(adjust, argc - g.optind, argv + g.optind);
	if (adj) {
		console_puts("nice: a command must be given with an adjustment\n");
		try_help("nice");
		return 1;
	}
	console_printf("%d\n", task_nice(current));
	return 0;
}
SHELL_COMMAND(nice, cmd_nice, "nice [-n N] [COMMAND [ARG]...]",
	      "run a command with a nice value changed by N, or print it (as coreutils nice)");

/* ---- renice --------------------------------------------------------------------------- */

static const char *const id_types[] = { "process ID", "process group ID", "user ID" };

/* One ID: old and new priority, as util-linux's renice; 1 on an error. */
static int renice_one(int which, int who, int prio)
{
	int old = sys_getpriority(which, who), new, err;

	if (old < 0) {
		console_printf("renice: failed to get priority for %d (%s): %s\n", who,
			       id_types[which], strerror(old));
		return 1;
	}
	err = sys_setpriority(which, who, prio);
	if (err) {
		console_printf("renice: failed to set priority for %d (%s): %s\n", who,
			       id_types[which], strerror(err));
		return 1;
	}
	new = sys_getpriority(which, who);
	if (new < 0) {
		console_printf("renice: failed to get priority for %d (%s): %s\n", who,
			       id_types[which], strerror(new));
		return 1;
	}
	/* getpriority answers 20 - nice, so that no valid answer looks like an error. */
	console_printf("%d (%s) old priority %d, new priority %d\n", who, id_types[which],
		       20 - old, 20 - new);
	return 0;
}

/* An ID word for @which: the number, or -1 after the complaint. Users: "root" is 0. */
static int renice_id(int which, const char *s)
{
	int who;

	if (which == PRIO_USER && strcmp(s, "root") == 0)
		return 0;
	if (kstrtoint(s, 10, &who) || who < 0) {
		if (which == PRIO_USER)
			console_printf("renice: unknown user %s\n", s);
		else
			console_printf("renice: bad %s value: %s\n", id_types[which], s);
		return -1;
	}
	return who;
}

static int renice_which(const char *s)
{
	if (!strcmp(s, "-p") || !strcmp(s, "--pid"))
		return PRIO_PROCESS;
	if (!strcmp(s, "-g") || !strcmp(s, "--pgrp"))
		return PRIO_PGRP;
	if (!strcmp(s, "-u") || !strcmp(s, "--user"))
		return PRIO_USER;
	return -1;
}

static int cmd_renice(int argc, char **argv)
{
	int which = PRIO_PROCESS, prio, errs = 0, i = 1;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		console_puts("Usage:\n renice [-n] <priority> [-p|--pid] <pid>...\n"
			     "Set the nice value of tasks (-20..19, clamped). Process groups\n"
			     "(-g) and users (-u) do not exist here.\n");
		return 0;
	}
	if (argc > 1 && (!strcmp(argv[1], "-n") || !strcmp(argv[1], "--priority")))
		i++;
	if (argc - i < 2) {
		console_puts("renice: not enough arguments\n");
		try_help("renice");
		return 1;
	}
	if (kstrtoint(argv[i][0] == '+' ? argv[i] + 1 : argv[i], 10, &prio)) {
		console_printf("renice: invalid priority '%s'\n", argv[i]);
		try_help("renice");
		return 1;
	}
	for (i++; i < argc; i++) {
		int who, w = renice_which(argv[i]);

		if (w >= 0) {
			which = w;
			continue;
		}
		who = renice_id(which, argv[i]);
		errs |= who < 0 ? 1 : renice_one(which, who, prio);
	}
	return errs;
}
SHELL_COMMAND(renice, cmd_renice, "renice [-n] PRIORITY [-p|-g|-u] ID...",
	      "set the nice value of tasks (as util-linux renice)");
