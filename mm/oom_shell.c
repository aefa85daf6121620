/*
 * `choom`, as util-linux's: see and change the OOM killer's view of a process.
 *   choom -p PID           its oom_score and oom_score_adj
 *   choom -p PID -n ADJ    set its oom_score_adj (-1000..1000)
 *   choom -n ADJ COMMAND   run a shell command whose programs start with ADJ
 * The same numbers as /proc/PID/oom_score and /proc/PID/oom_score_adj (fs/proc_pid.c).
 */
#include <kernel/console.h>
#include <kernel/shell.h>
#include <kernel/signal.h>
#include <lib/errno.h>
#include <lib/getopt.h>
#include <lib/string.h>
#include <mm/oom.h>
#include <sched/task.h>

/* Read (and with @set, change) the numbers of process @pid under tasklist_lock. */
static int choom_pid(int pid, bool set, int adj)
{
	unsigned long flags = spin_lock_irqsave(&tasklist_lock);
	struct task_struct *p = find_task_by_pid(pid);
	long score = 0;
	int old = 0, ret = 0;

	if (!p) {
		ret = -ESRCH;
	} else if (p->signal) {
		old = p->signal->oom_score_adj;
		if (set)
			p->signal->oom_score_adj = adj;
		score = oom_score(p);
	} else if (set) {
		ret = -EINVAL;	/* a kernel thread: never a candidate, nothing to adjust */
	}
	spin_unlock_irqrestore(&tasklist_lock, flags);
	if (ret) {
		console_printf("choom: failed to %s: %s\n", set ? "set score adjust value" :
			       "read OOM score value", ret == -ESRCH ? "No such process" :
			       "Invalid argument");
		return 1;
	}
	if (set) {
		console_printf("pid %d's OOM score adjust value changed from %d to %d\n", pid, old,
			       adj);
	} else {
		console_printf("pid %d's current OOM score: %ld\n", pid, score);
		console_printf("pid %d's current OOM score adjust value: %d\n", pid, old);
	}
	return 0;
}

static int cmd_choom(int argc, char **argv)
{
	struct getopt g = GETOPT_INIT;
	int opt, pid = -1, adj = 0, old;
	bool have_adj = false;
	char msg[96];

	while ((opt = getopt_next(&g, argc, argv, "p:n:h", NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (kstrtoint(g.optarg, 10, &pid) || pid <= 0) {
				console_printf("choom: invalid PID argument: '%s'\n", g.optarg);
				return 1;
			}
			break;
		case 'n':
			if (kstrtoint(g.optarg, 10, &adj)) {
				console_printf("choom: invalid adjust argument: '%s'\n", g.optarg);
				return 1;
			}
			have_adj = true;
			break;
		case 'h':
			console_puts("Usage: choom -p PID | choom -p PID -n NUMBER | "
				     "choom -n NUMBER COMMAND [ARGS...]\n");
			return 0;
		default:
			getopt_error(&g, "choom", msg, sizeof(msg));
			console_printf("%s\nTry 'choom --help' for more information.\n", msg);
			return 1;
		}
	}
	if (have_adj && (adj < OOM_SCORE_ADJ_MIN || adj > OOM_SCORE_ADJ_MAX)) {
		console_puts("choom: failed to set score adjust value: Invalid argument\n");
		return 1;
	}
	if (pid > 0 && g.optind == argc)
		return choom_pid(pid, have_adj, adj);
	if (pid < 0 && have_adj && g.optind < argc) {
		if (!shell_has_command(argv[g.optind])) {
			console_printf("choom: failed to execute %s: No such file or directory\n",
				       argv[g.optind]);
			return 127;
		}
		old = kernel_oom_score_adj;
		kernel_oom_score_adj = adj;	/* what the command's programs start with */
		shell_exec_argv(argc - g.optind, argv + g.optind);
		kernel_oom_score_adj = old;
		return 0;
	}
	console_puts("choom: no PID or COMMAND specified\nTry 'choom --help' for more "
		     "information.\n");
	return 1;
}
SHELL_COMMAND(choom, cmd_choom, "choom -p PID [-n ADJ] | choom -n ADJ COMMAND...",
	      "show or adjust a process's OOM-killer score (as util-linux choom)");
