/*
 * Showing the scheduler trace (include/sched/trace.h): the `sched` shell command, its
 * `perf sched map` text and the raw lines scripts/sched-svg reads.
 *
 *   sched record [-s SECONDS]   start recording; with -s, wait that long and stop
 *   sched stop                  stop recording
 *   sched map                   one line per switch, as `perf sched map` prints them
 *   sched dump                  every event, one "TS_NS CPU EVENT FIELDS" line each
 *   sched                       whether it records, and what the last recording holds
 *
 * The map gives each task a two-character short name when it first runs (A0, B0 ... Z0,
 * A1 ...), with a legend line "A0 => comm:pid" that one time; the idle task is '.'. Each
 * line shows, for every CPU, who runs there after this switch, a '*' marking the CPU that
 * switched, and the time in seconds with microseconds. These are perf's columns; a
 * student who reads one reads the other.
 * Limits: both reports need a stopped recording; more than 260 tasks share the name "??".
 */
#include <kernel/console.h>
#include <kernel/shell.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <sched/task.h>
#include <sched/trace.h>

static const char *policy_word(unsigned int policy)
{
	switch (policy) {
	case SCHED_FIFO: return "FIFO";
	case SCHED_RR: return "RR";
	case SCHED_BATCH: return "BATCH";
	case SCHED_IDLE: return "IDLE";
	default: return "NORMAL";
	}
}

/* @comm with spaces and '=' replaced, so a dump line splits cleanly into key=value words. */
static const char *plain_comm(char *out, const char *comm)
{
	unsigned int i;

	for (i = 0; i < TASK_COMM_LEN - 1 && comm[i]; i++)
		out[i] = comm[i] == ' ' || comm[i] == '=' ? '_' : comm[i];
	out[i] = '\0';
	return out;
}

int sched_trace_format(char *buf, size_t size, const struct sched_trace_event *e)
{
	char comm[TASK_COMM_LEN], next[TASK_COMM_LEN];
	int n = scnprintf(buf, size, "%llu %u ", (unsigned long long)e->ts, e->cpu);
	const char *what = e->type == SCHED_TRACE_SWITCH ? "prev_" : "";

	n += scnprintf(buf + n, size - n, "%s %spid=%d %scomm=%s %sprio=%d %spolicy=%s",
		       e->type == SCHED_TRACE_SWITCH ? "switch" :
		       e->type == SCHED_TRACE_WAKEUP ? "wakeup" : "migrate",
		       what, e->pid, what, plain_comm(comm, e->comm), what, e->prio, what,
		       policy_word(e->policy));
	switch (e->type) {
	case SCHED_TRACE_SWITCH:
		n += scnprintf(buf + n, size - n,
			       " prev_state=%c next_pid=%d next_comm=%s next_prio=%d next_policy=%s",
			       e->prev_state, e->next_pid, plain_comm(next, e->next_comm),
			       e->next_prio, policy_word(e->next_policy));
		break;
	case SCHED_TRACE_WAKEUP:
		n += scnprintf(buf + n, size - n, " target_cpu=%d", e->target_cpu);
		break;
	default:
		n += scnprintf(buf + n, size - n, " orig_cpu=%d dest_cpu=%d", e->orig_cpu,
			       e->dest_cpu);
		break;
	}
	return n;
}

/* ---- the map ---------------------------------------------------------------------------- */

void sched_map_init(struct sched_map_state *st, unsigned int nr_cpus)
{
	st->nr_cpus = MIN(nr_cpus, (unsigned int)NR_CPUS);
	for (unsigned int c = 0; c < NR_CPUS; c++)
		st->cpu_pid[c] = -1;
	st->nr_names = 0;
	st->idle_named = false;
}

/* The index of @pid's short name, or -1 when all are taken. *@fresh: given just now. */
static int short_index(struct sched_map_state *st, int pid, bool *fresh)
{
	*fresh = false;
	for (unsigned int i = 0; i < st->nr_names; i++)
		if (st->pids[i] == pid)
			return (int)i;
	if (st->nr_names == SCHED_MAP_NAMES)
		return -1;
	*fresh = true;
	st->pids[st->nr_names] = pid;
	return (int)st->nr_names++;
}

/* perf's short names: a letter for each of 26 tasks, then the digit counts the rounds. */
static void short_name(char out[3], struct sched_map_state *st, int pid, bool *fresh)
{
	int i;

	if (pid == 0) {	/* the idle task: a dot */
		*fresh = !st->idle_named;
		st->idle_named = true;
		strscpy(out, ". ", 3);
		return;
	}
	i = short_index(st, pid, fresh);
	out[0] = i < 0 ? '?' : (char)('A' + i % 26);
	out[1] = i < 0 ? '?' : (char)('0' + i / 26);
	out[2] = '\0';
}

bool sched_map_line(struct sched_map_state *st, const struct sched_trace_event *e, char *buf,
		    size_t size)
{
	char name[3], next[3], comm[TASK_COMM_LEN];
	bool fresh, seen;
	int n;

	if (e->type != SCHED_TRACE_SWITCH || e->cpu >= st->nr_cpus)
		return false;
	short_name(next, st, e->next_pid, &fresh);
	st->cpu_pid[e->cpu] = e->next_pid;
	n = scnprintf(buf, size, "  ");
	for (unsigned int c = 0; c < st->nr_cpus; c++) {
		n += scnprintf(buf + n, size - n, "%c", c == e->cpu ? '*' : ' ');
		if (st->cpu_pid[c] < 0) {
			n += scnprintf(buf + n, size - n, "   ");
			continue;
		}
		short_name(name, st, st->cpu_pid[c], &seen);	/* named when it was switched in */
		n += scnprintf(buf + n, size - n, "%2s ", name);
	}
	n += scnprintf(buf + n, size - n, "  %5llu.%06llu secs ",
		       (unsigned long long)(e->ts / NSEC_PER_SEC),
		       (unsigned long long)(e->ts % NSEC_PER_SEC / NSEC_PER_USEC));
	/* perf pads the time to 12 characters: "%5llu." does, for times below 27 hours. */
	if (fresh)
		scnprintf(buf + n, size - n, "%s => %s:%d", next,
			  plain_comm(comm, e->next_comm), e->next_pid);
	return true;
}

/* ---- the shell command -------------------------------------------------------------------- */

static int sched_status(void)
{
	struct sched_trace_info info;

	if (sched_trace_recording()) {
		console_printf("sched: recording ('sched stop' ends it)\n");
		return 0;
	}
	sched_trace_get_info(&info);
	if (!info.end_ns) {
		console_printf("sched: not recording, nothing recorded yet ('sched record' starts)\n");
		return 0;
	}
	console_printf("sched: not recording; the last recording holds %u events over %llu.%03llu s"
		       " (%llu lost)\n", info.nr_events,
		       (unsigned long long)((info.end_ns - info.start_ns) / NSEC_PER_SEC),
		       (unsigned long long)((info.end_ns - info.start_ns) % NSEC_PER_SEC /
					    NSEC_PER_MSEC),
		       (unsigned long long)info.lost);
	return 0;
}

static int sched_record(int argc, char **argv)
{
	unsigned int seconds = 0;
	int err;

	if (argc == 4 && strcmp(argv[2], "-s") == 0) {
		if (kstrtouint(argv[3], 10, &seconds) || !seconds || seconds > 3600)
			return -EINVAL;
	} else if (argc != 2) {
		return -EINVAL;
	}
	err = sched_trace_start();
	if (err == -EBUSY)
		console_printf("sched: already recording\n");
	else if (err)
		console_printf("sched: no memory for the trace ring\n");
	if (err)
		return err;
	if (!seconds) {
		console_printf("sched: recording; 'sched stop' ends it\n");
		return 0;
	}
	msleep(seconds * 1000);
	sched_trace_stop();
	return sched_status();
}

static bool stopped_or_say(void)
{
	if (sched_trace_recording())
		console_printf("sched: still recording; 'sched stop' first\n");
	return !sched_trace_recording();
}

static int sched_map(void)
{
	static struct sched_map_state st;	/* 1 KiB: not on the shell's stack */
	struct sched_trace_info info;
	char line[32 + 4 * NR_CPUS + TASK_COMM_LEN];

	if (!stopped_or_say())
		return -EBUSY;
	sched_trace_get_info(&info);
	sched_map_init(&st, info.nr_cpus);
	for (unsigned int i = 0; i < info.nr_events; i++)
		if (sched_map_line(&st, sched_trace_event(i), line, sizeof(line)))
			console_printf("%s\n", line);
	return 0;
}

static int sched_dump(void)
{
	struct sched_trace_info info;
	char line[200];

	if (!stopped_or_say())
		return -EBUSY;
	sched_trace_get_info(&info);
	console_printf("# sched trace: cpus=%u start_ns=%llu end_ns=%llu events=%u lost=%llu\n",
		       info.nr_cpus, (unsigned long long)info.start_ns,
		       (unsigned long long)info.end_ns, info.nr_events,
		       (unsigned long long)info.lost);
	for (unsigned int i = 0; i < info.nr_events; i++) {
		sched_trace_format(line, sizeof(line), sched_trace_event(i));
		console_printf("%s\n", line);
	}
	console_printf("# end of sched trace\n");
	return 0;
}

static int cmd_sched(int argc, char **argv)
{
	if (argc == 1)
		return sched_status();
	if (strcmp(argv[1], "record") == 0)
		return sched_record(argc, argv);
	if (argc != 2)
		return -EINVAL;
	if (strcmp(argv[1], "stop") == 0) {
		sched_trace_stop();
		return sched_status();
	}
	if (strcmp(argv[1], "map") == 0)
		return sched_map();
	if (strcmp(argv[1], "dump") == 0)
		return sched_dump();
	return -EINVAL;
}
SHELL_COMMAND(sched, cmd_sched, "sched [record [-s SECONDS] | stop | map | dump]",
	      "record scheduler events; show them as perf sched map or as raw lines");
