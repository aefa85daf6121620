/*
 * `top`: procps top's screen, refreshed every -d SECS (default 1): a summary (uptime,
 * task states, %Cpu(s), memory) and the task list, PID USER PR NI VIRT RES SHR S %CPU
 * %MEM TIME+ COMMAND, sorted by %CPU. A task's %CPU is the CPU time it got between two
 * screens (task_sched_runtime deltas) over the time between them, so 100.0 is the whole
 * CPU; the first screen counts from boot. Keys, as procps: P M T N sort by %CPU, %MEM,
 * TIME+, PID; < and > move the sort column; R reverses; x marks the sort column; space
 * refreshes; q or Ctrl-C quits. -b prints screens one after another without redrawing
 * and -n N stops after N of them, for tests; -o FIELD picks the sort column.
 * %Cpu(s): the workloads `spawn` started stand in for user programs, so their time is
 * "us" ("ni" when niced), every other task's (kernel threads, the shell) "sy", the idle
 * task's "id"; there is no interrupt-time accounting (hi, si) nor waiting for I/O (wa).
 * Limits: no real-time clock yet, so the time of day in the first line is the time since
 * boot; no load average; the screen is taken to be 24 lines high.
 */
#include <kernel/console.h>
#include <kernel/shell.h>
#include <kernel/taskinfo.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <lib/getopt.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <sched/spawn.h>

#define SCREEN_ROWS	24
#define SUMMARY_ROWS	7	/* five summary lines, a blank one, the column header */
#define CTRL_C		0x03

enum top_field { F_PID, F_USER, F_PR, F_NI, F_VIRT, F_RES, F_SHR, F_S, F_CPU, F_MEM, F_TIME,
		 F_COMMAND, NR_FIELDS };

static const char *const field_names[NR_FIELDS] = {
	"PID", "USER", "PR", "NI", "VIRT", "RES", "SHR", "S", "%CPU", "%MEM", "TIME+", "COMMAND",
};

/* One task on the screen: its copy and its share of the CPU since the last screen. */
struct top_row {
	const struct task_info *t;
	uint64_t cpu;	/* permille of the interval */
	uint64_t mem;	/* permille of RAM */
};

/* What top remembers between screens: the last copy of the tasks, and how it sorts. */
struct top {
	bool batch, highlight, reverse;
	enum top_field sort;
	unsigned int delay_ms;
	unsigned int iterations;	/* 0: until q */
	struct task_info *prev;		/* the last screen's copy, for the CPU time deltas */
	int nprev;
	uint64_t prev_ns;		/* when it was taken */
	struct top_row *rows;
	int nrows;
};

/* ---- one sample -------------------------------------------------------------------------- */

/* The CPU time @t had at the last screen: 0 for a task born since (or a reused pid). */
static uint64_t prev_runtime(const struct top *tp, const struct task_info *t)
{
	for (int i = 0; i < tp->nprev; i++)
		if (tp->prev[i].pid == t->pid && tp->prev[i].start_time == t->start_time)
			return tp->prev[i].runtime;
	return 0;
}

/* %Cpu(s) in permille of all the CPU time the interval had: us, sy, ni, id. */
struct cpu_split {
	uint64_t us, sy, ni, id;
};

static void account(struct cpu_split *s, const struct task_info *t, uint64_t delta)
{
	if (t->idle_task)
		s->id += delta;
	else if (!workload_is(t->pid))
		s->sy += delta;
	else if (t->nice > 0 && t->fair)
		s->ni += delta;
	else
		s->us += delta;
}

/* Fill tp->rows from a new copy of the tasks (the idle task is left out, as on Linux). */
static void build_rows(struct top *tp, const struct task_info *ti, int n, uint64_t interval,
		       struct cpu_split *split)
{
	unsigned long ram = totalram_pages();
	uint64_t total;

	*split = (struct cpu_split){ 0 };
	tp->nrows = 0;
	for (int i = 0; i < n; i++) {
		uint64_t delta = ti[i].runtime - MIN(prev_runtime(tp, &ti[i]), ti[i].runtime);

		account(split, &ti[i], delta);
		if (ti[i].idle_task)
			continue;
		tp->rows[tp->nrows++] = (struct top_row){
			.t = &ti[i],
			.cpu = interval ? MIN(delta * 1000 / interval, 1000) : 0,
			.mem = ram ? (uint64_t)ti[i].rss_pages * 1000 / ram : 0,
		};
	}
	total = split->us + split->sy + split->ni + split->id;
	if (!total)
		return;
	split->us = split->us * 1000 / total;
	split->sy = split->sy * 1000 / total;
	split->ni = split->ni * 1000 / total;
	split->id = split->id * 1000 / total;
}

/* ---- sorting ----------------------------------------------------------------------------- */

static long long sort_key(const struct top_row *r, enum top_field f)
{
	const struct task_info *t = r->t;

	switch (f) {
	case F_PID: return t->pid;
	case F_PR: return t->prio;
	case F_NI: return t->nice;
	case F_VIRT: return (long long)t->vm_pages;
	case F_RES: return (long long)t->rss_pages;
	case F_SHR: return (long long)t->shared_pages;
	case F_S: return t->state;
	case F_CPU: return (long long)r->cpu;
	case F_MEM: return (long long)r->mem;
	case F_TIME: return (long long)t->runtime;
	default: return 0;	/* USER: all root; COMMAND compares names */
	}
}

/* Does @a come before @b? High to low as procps sorts, then by pid. */
static bool row_before(const struct top *tp, const struct top_row *a, const struct top_row *b)
{
	long long ka = sort_key(a, tp->sort), kb = sort_key(b, tp->sort);
	int cmp = tp->sort == F_COMMAND ? strcmp(a->t->comm, b->t->comm) : (ka > kb) - (ka < kb);

	if (tp->reverse)
		cmp = -cmp;
	if (cmp)
		return cmp > 0;
	return a->t->pid < b->t->pid;
}

/* Insertion sort: a few dozen rows, and it keeps equal keys in pid order. */
static void sort_rows(struct top *tp)
{
	for (int i = 1; i < tp->nrows; i++) {
		struct top_row r = tp->rows[i];
		int j = i;

		for (; j > 0 && row_before(tp, &r, &tp->rows[j - 1]); j--)
			tp->rows[j] = tp->rows[j - 1];
		tp->rows[j] = r;
	}
}

/* ---- the screen -------------------------------------------------------------------------- */

/* A line, ended as the mode wants: interactive screens erase what the last one left. */
static void put_line(const struct top *tp, const char *s)
{
	console_puts(s);
	console_puts(tp->batch ? "\n" : "\x1b[K\n");
}

static void uptime_text(char *buf, size_t n, uint64_t s)
{
	uint64_t days = s / 86400, hours = s / 3600 % 24, mins = s / 60 % 60;
	int len = 0;

	if (days)
		len = scnprintf(buf, n, "%llu day%s, ", (unsigned long long)days,
				days > 1 ? "s" : "");
	if (hours)
		scnprintf(buf + len, n - len, "%2llu:%02llu", (unsigned long long)hours,
			  (unsigned long long)mins);
	else
		scnprintf(buf + len, n - len, "%llu min", (unsigned long long)mins);
}

static void print_tasks_line(const struct top *tp)
{
	int run = 0, sleep = 0, stop = 0, zombie = 0;
	char line[96];

	for (int i = 0; i < tp->nrows; i++) {
		switch (tp->rows[i].t->state) {
		case 'R': run++; break;
		case 'T': stop++; break;
		case 'X': zombie++; break;
		default: sleep++; break;	/* S, D, I, and N (new, not yet run) */
		}
	}
	scnprintf(line, sizeof(line), "Tasks: %3d total, %3d running, %3d sleeping, %3d stopped, "
		  "%3d zombie", tp->nrows, run, sleep, stop, zombie);
	put_line(tp, line);
}

/* x.y from permille, right-aligned in @w: procps's %5.1f. */
static char *pct(char *buf, uint64_t permille)
{
	scnprintf(buf, 8, "%3llu.%llu", (unsigned long long)(permille / 10),
		  (unsigned long long)(permille % 10));
	return buf;
}

/* MiB with one decimal from pages: procps's %9.1f for the memory lines. */
static char *mib(char *buf, unsigned long pages)
{
	uint64_t tenths = (uint64_t)pages * 10 / (1024 * 1024 / PAGE_SIZE);

	scnprintf(buf, 16, "%7llu.%llu", (unsigned long long)(tenths / 10),
		  (unsigned long long)(tenths % 10));
	return buf;
}

static void print_summary(const struct top *tp, uint64_t now, const struct cpu_split *s)
{
	unsigned long total = totalram_pages(), free = nr_free_pages();
	uint64_t sec = now / NSEC_PER_SEC;
	char line[128], up[32], a[8], b[8], c[8], d[8], m1[16], m2[16], m3[16], m4[16];

	uptime_text(up, sizeof(up), sec);
	scnprintf(line, sizeof(line), "top - %02llu:%02llu:%02llu up %s", (unsigned long long)(sec /
		  3600 % 24), (unsigned long long)(sec / 60 % 60), (unsigned long long)(sec % 60),
		  up);
	put_line(tp, line);
	print_tasks_line(tp);
	scnprintf(line, sizeof(line), "%%Cpu(s):%5s us,%5s sy,%5s ni,%5s id,  0.0 wa,  0.0 hi,"
		  "  0.0 si,  0.0 st", pct(a, s->us), pct(b, s->sy), pct(c, s->ni), pct(d, s->id));
	put_line(tp, line);
	scnprintf(line, sizeof(line), "MiB Mem :%s total,%s free,%s used,%s buff/cache",
		  mib(m1, total), mib(m2, free), mib(m3, total - free), mib(m4, 0));
	put_line(tp, line);
	scnprintf(line, sizeof(line), "MiB Swap:%s total,%s free,%s used.%s avail Mem",
		  mib(m1, 0), mib(m2, 0), mib(m3, 0), mib(m4, si_mem_available()));
	put_line(tp, line);
	put_line(tp, "");
}

static const struct {
	int width;
	bool left;
} field_fmt[NR_FIELDS] = {
	[F_PID] = { 5, false }, [F_USER] = { 8, true }, [F_PR] = { 3, false },
	[F_NI] = { 3, false }, [F_VIRT] = { 7, false }, [F_RES] = { 6, false },
	[F_SHR] = { 6, false }, [F_S] = { 1, true }, [F_CPU] = { 5, false },
	[F_MEM] = { 5, false }, [F_TIME] = { 9, false }, [F_COMMAND] = { 0, true },
};

/* The cells joined with one blank; with 'x', the sort column in bold (interactive only). */
static void print_cells(const struct top *tp, char cells[NR_FIELDS][24])
{
	char line[256];
	int len = 0;

	for (int f = 0; f < NR_FIELDS; f++) {
		bool bold = tp->highlight && !tp->batch && f == (int)tp->sort;
		int w = field_fmt[f].left ? -field_fmt[f].width : field_fmt[f].width;

		len += scnprintf(line + len, sizeof(line) - len, "%s%s%*s%s", f ? " " : "",
				 bold ? "\x1b[1m" : "", w, cells[f], bold ? "\x1b[m" : "");
	}
	put_line(tp, line);
}

static void time_plus(char *buf, uint64_t ns)
{
	uint64_t cs = ns / (NSEC_PER_SEC / 100);	/* hundredths */

	scnprintf(buf, 24, "%llu:%02llu.%02llu", (unsigned long long)(cs / 6000),
		  (unsigned long long)(cs / 100 % 60), (unsigned long long)(cs % 100));
}

static void print_row(const struct top *tp, const struct top_row *r)
{
	static char cells[NR_FIELDS][24];
	const struct task_info *t = r->t;
	int pr = t->prio - MAX_RT_PRIO;	/* nice + 20, or -1 - rt_priority */

	scnprintf(cells[F_PID], 24, "%d", t->pid);
	strscpy(cells[F_USER], "root", 24);
	if (pr == -MAX_RT_PRIO)
		strscpy(cells[F_PR], "rt", 24);	/* rt priority 99: procps's "rt" */
	else
		scnprintf(cells[F_PR], 24, "%d", pr);
	scnprintf(cells[F_NI], 24, "%d", t->nice);
	scnprintf(cells[F_VIRT], 24, "%lu", t->vm_pages * (PAGE_SIZE / 1024));
	scnprintf(cells[F_RES], 24, "%lu", t->rss_pages * (PAGE_SIZE / 1024));
	scnprintf(cells[F_SHR], 24, "%lu", t->shared_pages * (PAGE_SIZE / 1024));
	scnprintf(cells[F_S], 24, "%c", t->state);
	pct(cells[F_CPU], r->cpu);
	pct(cells[F_MEM], r->mem);
	time_plus(cells[F_TIME], t->runtime);
	strscpy(cells[F_COMMAND], t->comm, 24);
	print_cells(tp, cells);
}

static void print_header(const struct top *tp)
{
	static char cells[NR_FIELDS][24];

	for (int f = 0; f < NR_FIELDS; f++)
		strscpy(cells[f], field_names[f], 24);
	print_cells(tp, cells);
}

/*
 * Take a new copy of the tasks and show it. The copy is kept for the next screen's deltas.
 * Returns -ENOMEM when there was no memory for the copy.
 */
static int show_screen(struct top *tp)
{
	uint64_t now = ktime_get_ns(), interval = now - tp->prev_ns;
	struct cpu_split split;
	struct task_info *ti;
	int n, shown;

	ti = task_info_snapshot(&n);
	if (!ti)
		return -ENOMEM;
	kfree(tp->rows);
	tp->rows = kmalloc((n ? n : 1) * sizeof(*tp->rows), GFP_KERNEL);
	if (!tp->rows) {
		kfree(ti);
		return -ENOMEM;
	}
	build_rows(tp, ti, n, interval, &split);
	sort_rows(tp);
	if (!tp->batch)
		console_puts("\x1b[H");
	print_summary(tp, now, &split);
	print_header(tp);
	shown = tp->batch ? tp->nrows : MIN(tp->nrows, SCREEN_ROWS - SUMMARY_ROWS);
	for (int i = 0; i < shown; i++)
		print_row(tp, &tp->rows[i]);
	console_puts(tp->batch ? "\n" : "\x1b[J");
	kfree(tp->prev);
	tp->prev = ti;	/* the rows point into it: freed at the next screen, or at the end */
	tp->nprev = n;
	tp->prev_ns = now;
	return 0;
}

/* ---- keys and the loop ------------------------------------------------------------------- */

enum key_result { KEY_NONE, KEY_REDRAW, KEY_QUIT };

/* An escape sequence (an arrow key) is read and dropped: top has no use for it here. */
static void drop_escape(void)
{
	int c = console_getc_timeout(20);

	if (c == '[' || c == 'O')
		console_getc_timeout(20);
}

static enum key_result handle_key(struct top *tp, int c)
{
	if (c == 'q' || c == CTRL_C)
		return KEY_QUIT;
	if (tp->batch)
		return KEY_NONE;	/* batch mode takes no commands, as procps's */
	switch (c) {
	case 'P': tp->sort = F_CPU; break;
	case 'M': tp->sort = F_MEM; break;
	case 'T': tp->sort = F_TIME; break;
	case 'N': tp->sort = F_PID; break;
	case '<': tp->sort = tp->sort > 0 ? tp->sort - 1 : tp->sort; break;
	case '>': tp->sort = tp->sort < NR_FIELDS - 1 ? tp->sort + 1 : tp->sort; break;
	case 'R': tp->reverse = !tp->reverse; break;
	case 'x': tp->highlight = !tp->highlight; break;
	case ' ': case '\r': case '\n': break;
	case 0x1b: drop_escape(); return KEY_NONE;
	default: return KEY_NONE;
	}
	return KEY_REDRAW;
}

/* Wait for the next screen's time, acting on keys meanwhile. False: quit. */
static bool wait_interval(struct top *tp)
{
	uint64_t deadline = ktime_get_ns() + (uint64_t)tp->delay_ms * NSEC_PER_MSEC;

	for (;;) {
		uint64_t now = ktime_get_ns();
		int c;

		if (now >= deadline)
			return true;
		c = console_getc_timeout((deadline - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
		if (c < 0)
			return true;
		switch (handle_key(tp, c)) {
		case KEY_QUIT:
			return false;
		case KEY_REDRAW:
			show_screen(tp);	/* at once, as procps; the delay starts again */
			deadline = ktime_get_ns() + (uint64_t)tp->delay_ms * NSEC_PER_MSEC;
			break;
		default:
			break;
		}
	}
}

static int field_by_name(const char *name)
{
	for (int f = 0; f < NR_FIELDS; f++)
		if (strcmp(field_names[f], name) == 0)
			return f;
	return -1;
}

/* -d SECS[.TENTHS]: ms, or 0 for a bad value. */
static unsigned int parse_delay(const char *s)
{
	unsigned int secs = 0, ms = 0, scale = 100;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++)
		secs = secs * 10 + (*p - '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			ms += (*p - '0') * scale;
	if (*p || p == s || secs > 3600)
		return 0;
	return secs * 1000 + ms;
}

static void top_usage(void)
{
	console_puts("Usage:\n top [-b] [-d SECS[.TENTHS]] [-n ITERATIONS] [-o FIELD]\n"
		     "Keys: P M T N sort by %CPU %MEM TIME+ PID, < > move the sort column,\n"
		     "R reverse, x highlight the sort column, space refresh, q quit.\n");
}

/* 0 to go on, 1 when the command is over (an error was reported, or help shown). */
static int top_options(struct top *tp, int argc, char **argv)
{
	struct getopt g = GETOPT_INIT;
	int opt, f;

	while ((opt = getopt_next(&g, argc, argv, "bd:hn:o:", NULL)) != -1) {
		switch (opt) {
		case 'b': tp->batch = true; break;
		case 'h': top_usage(); return 1;
		case 'd':
			tp->delay_ms = parse_delay(g.optarg);
			if (!tp->delay_ms) {
				console_printf("top: bad delay interval '%s'\n", g.optarg);
				return 1;
			}
			break;
		case 'n':
			if (kstrtouint(g.optarg, 10, &tp->iterations) || !tp->iterations) {
				console_printf("top: bad iterations argument '%s'\n", g.optarg);
				return 1;
			}
			break;
		case 'o':
			f = field_by_name(g.optarg);
			if (f < 0) {
				console_printf("top: unrecognized field name '%s'\n", g.optarg);
				return 1;
			}
			tp->sort = f;
			break;
		default: {
			char msg[64];

			getopt_error(&g, "top", msg, sizeof(msg));
			console_printf("%s\n", msg);
			top_usage();
			return 1;
		}
		}
	}
	if (g.optind < argc) {
		console_printf("top: unknown argument '%s'\n", argv[g.optind]);
		top_usage();
		return 1;
	}
	return 0;
}

static int cmd_top(int argc, char **argv)
{
	struct top tp = { .sort = F_CPU, .delay_ms = 1000 };
	unsigned int shown = 0;
	int ret = 0;

	if (top_options(&tp, argc, argv))
		return 1;
	if (!tp.batch)
		console_puts("\x1b[H\x1b[2J");
	for (;;) {
		if (show_screen(&tp)) {
			console_puts("top: out of memory\n");
			ret = 1;
			break;
		}
		if (tp.iterations && ++shown >= tp.iterations)
			break;
		if (!wait_interval(&tp))
			break;
	}
	kfree(tp.rows);
	kfree(tp.prev);
	if (!tp.batch)
		console_puts("\n");
	return ret;
}
SHELL_COMMAND(top, cmd_top, "top [-b] [-d SECS] [-n ITERATIONS] [-o FIELD]",
	      "tasks by CPU use, refreshed (procps top; P M T N < > R x keys, q quits)");
