/*
 * The shell's taskset: show or change where tasks may run, with the options, output and
 * error messages of util-linux 2.38's taskset, on sys_sched_getaffinity/setaffinity
 * (sched/syscalls.c):
 *   taskset [-c] MASK|LIST COMMAND [ARG...]   run a shell command with that affinity
 *   taskset -p [-c] PID                       pid 7's current affinity mask: f
 *   taskset -p [-c] MASK|LIST PID             the current one, set it, print the new one
 * A MASK is hexadecimal ("3", "0x3"), a LIST (-c) is "0,2-3" style; lib/cpulist.c reads
 * and prints both as taskset does. -a (every thread of the process) is accepted: a process
 * has one thread here.
 * Running a command: the shell (init, pid 1) takes the affinity itself, which moves it to
 * an allowed CPU before set_cpus_allowed returns, runs the command there, and then goes
 * back to its CPU and its own mask. A program started with `run`, or a workload from
 * `spawn`, inherits the mask as a forked child does, so it and its children run only on
 * those CPUs. docs/smp.md ("Affinity and taskset") walks through it.
 * Pid 0 means "no pid", as in util-linux: `taskset -p 0` is bad usage, the shell is pid 1.
 */
#include <kernel/console.h>
#include <kernel/shell.h>
#include <kernel/smp.h>
#include <lib/cpulist.h>
#include <lib/errno.h>
#include <lib/getopt.h>
#include <lib/string.h>
#include <sched/task.h>

struct taskset_ctl {
	int pid;		/* 0: no -p, run a command */
	bool use_list;		/* -c: lists ("0-3") instead of masks ("f") */
};

static int try_help(void)
{
	console_puts("Try 'taskset --help' for more information.\n");
	return 1;
}

static void taskset_help(void)
{
	console_puts(
		"Usage: taskset [options] [mask | cpu-list] [pid|cmd [args...]]\n"
		"\n"
		"Show or change the CPUs a task may run on.\n"
		"\n"
		"Options:\n"
		" -a, --all-tasks    every thread of the pid (one thread per process here)\n"
		" -p, --pid          act on the task <pid> (the last argument), not a command\n"
		" -c, --cpu-list     lists such as 0,2-3 instead of hexadecimal masks\n"
		" -h, --help         this text\n"
		"\n"
		"Run a command:            taskset 03 spawn spin\n"
		"Show a task's mask:       taskset -p 700\n"
		"Set it:                   taskset -p 03 700\n"
		"The same with a list:     taskset -pc 0,1 700\n"
		"A range with a stride:    0-7:2 is the mask 55\n");
}

/* util-linux's strtos32_or_err for the pid: "taskset: invalid PID argument: 'x'". */
static int parse_pid(const char *s, int *pid)
{
	int err = kstrtoint(s, 10, pid);

	if (!err)
		return 0;
	if (err == -ERANGE)
		console_printf("taskset: invalid PID argument: '%s': %s\n", s, strerror(err));
	else
		console_printf("taskset: invalid PID argument: '%s'\n", s);
	return err;
}

/* "pid N's current affinity mask: f" (or "... list: 0-3"); 1 on an error. */
static int taskset_show(const struct taskset_ctl *c, int pid, const char *when)
{
	char text[CPULIST_BUF_SIZE];
	cpumask_t mask;
	int err = sys_sched_getaffinity(pid, &mask);

	if (err) {
		console_printf("taskset: failed to get pid %d's affinity: %s\n", pid,
			       strerror(err));
		return 1;
	}
	if (c->use_list)
		cpulist_print(text, sizeof(text), mask);
	else
		cpumask_print(text, sizeof(text), mask);
	console_printf("pid %d's %s affinity %s: %s\n", pid, when, c->use_list ? "list" : "mask",
		       text);
	return 0;
}

/* Set @pid's affinity (0: the shell, named by its pid as taskset names itself). */
static int taskset_set(int pid, cpumask_t mask)
{
	int err = sys_sched_setaffinity(pid, mask);

	if (err) {
		console_printf("taskset: failed to set pid %d's affinity: %s\n",
			       pid ? pid : current->pid, strerror(err));
		return 1;
	}
	return 0;
}

/*
 * Run the command with the shell's affinity changed, then give the shell its own back.
 * Placement keeps a task on its CPU while its mask allows it, so restoring the old mask
 * alone would leave the shell where the command ran: it first goes back to its old CPU
 * (a one-CPU mask, which moves it), then takes its old mask.
 */
static int taskset_run(cpumask_t mask, int argc, char **argv)
{
	cpumask_t old_mask = current->cpus_mask;
	unsigned int old_cpu = smp_processor_id();
	bool found = shell_has_command(argv[0]);

	/* Set first, as taskset does before its exec: a bad mask is the error reported. */
	if (taskset_set(0, mask))
		return 1;
	if (found)
		shell_exec_argv(argc, argv);
	else
		console_printf("taskset: failed to execute %s: No such file or directory\n",
			       argv[0]);
	/* The old CPU may be gone by now (a CPU taken offline): then the mask alone. */
	set_cpus_allowed(current, cpumask_of(old_cpu));
	set_cpus_allowed(current, old_mask);
	return found ? 0 : 127;
}

static const struct longopt taskset_longopts[] = {
	{ "all-tasks", false, 'a' }, { "cpu-list", false, 'c' }, { "help", false, 'h' },
	{ "pid", false, 'p' }, { NULL, false, 0 },
};

/*
 * The options as util-linux reads them: -p takes the pid from the last word at once (so
 * `taskset -p` alone complains about the pid "-p"), -h acts where it stands, and the
 * options end at the first operand (the mask), so the command's own options stay its own.
 * Returns -1 to go on, or the command's result.
 */
static int taskset_options(struct taskset_ctl *c, struct getopt *g, int argc, char **argv)
{
	char msg[96];
	int opt;

	while ((opt = getopt_next(g, argc, argv, "acph", taskset_longopts)) != -1) {
		switch (opt) {
		case 'a': break;
		case 'c': c->use_list = true; break;
		case 'p':
			if (parse_pid(argv[argc - 1], &c->pid))
				return 1;
			break;
		case 'h': taskset_help(); return 0;
		default:
			getopt_error(g, "taskset", msg, sizeof(msg));
			console_printf("%s\n", msg);
			return try_help();
		}
	}
	return -1;
}

static int cmd_taskset(int argc, char **argv)
{
	struct taskset_ctl c = { 0 };
	struct getopt g = GETOPT_INIT;
	int ret = taskset_options(&c, &g, argc, argv), left;
	const char *text;
	cpumask_t mask;

	if (ret >= 0)
		return ret;
	/* A command needs a mask and its name; -p needs the pid, and maybe a mask before it. */
	left = argc - g.optind;
	if ((!c.pid && left < 2) || (c.pid && (left < 1 || left > 2))) {
		console_puts("taskset: bad usage\n");
		return try_help();
	}
	if (c.pid && left == 1)
		return taskset_show(&c, c.pid, "current");
	/* The mask is checked first: a bad one is reported before anything is looked up. */
	text = argv[g.optind];
	if ((c.use_list ? cpulist_parse : cpumask_parse)(text, NR_CPUS, &mask)) {
		console_printf("taskset: failed to parse CPU %s: %s\n",
			       c.use_list ? "list" : "mask", text);
		return 1;
	}
	if (!c.pid)
		return taskset_run(mask, left - 1, argv + g.optind + 1);
	if (taskset_show(&c, c.pid, "current") || taskset_set(c.pid, mask))
		return 1;
	return taskset_show(&c, c.pid, "new");
}
SHELL_COMMAND(taskset, cmd_taskset,
	      "taskset [-c] MASK|LIST COMMAND..., taskset -p [-c] [MASK|LIST] PID",
	      "show or set the CPUs a task may run on (as util-linux taskset)");
