/*
 * `ps`: procps ps's columns, headers and widths, for the tasks of a kernel with only kernel
 * threads. Every task is listed (there are no sessions or terminals to select by), the
 * idle task too, which Linux hides, so its CPU time can be seen. The default layout:
 *   PID STAT CLS RTPRIO PRI NI VRUNTIME TIME COMMAND
 * VRUNTIME is teachos's own column: the fair class's virtual runtime in ms (signed: it
 * starts below zero, docs/sched.md), "-" for a task outside the fair class.
 * Options: -e/-A (all, as always), -p PID,..., -o KEY[=HEADER],... (the keywords are
 * listed by `ps --help`), -l (long), -c (class and priority), as procps has them.
 * A column narrower than its text pushes the next ones right, and the right-aligned
 * columns after it take the overflow back from their padding, as procps prints.
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

#define MAX_COLS	24
#define MAX_PIDS	32
#define CELL		48

struct ps_ctx {
	uint64_t now;		/* ns since boot, for elapsed times and lifetime %CPU */
	unsigned long totalram;	/* pages, for %MEM */
};

typedef void (*ps_fmt_fn)(char *buf, const struct task_info *t, const struct ps_ctx *c);

struct ps_col {
	const char *key;	/* -o keyword */
	const char *head;
	int width;
	bool left;
	ps_fmt_fn fmt;
};

static void num(char *buf, long long v) { scnprintf(buf, CELL, "%lld", v); }

/* Tenths as procps prints a percentage: "12.3". */
static void tenths(char *buf, uint64_t v)
{
	scnprintf(buf, CELL, "%llu.%llu", (unsigned long long)(v / 10),
		  (unsigned long long)(v % 10));
}

static uint64_t lifetime_permille(const struct task_info *t, const struct ps_ctx *c)
{
	uint64_t alive = c->now > t->start_time ? c->now - t->start_time : 0;

	return alive ? t->runtime * 1000 / alive : 0;
}

static bool normal_class(const struct task_info *t)
{
	return t->policy == SCHED_NORMAL || t->policy == SCHED_BATCH;
}

static void f_pid(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	num(b, t->pid);
}

static void f_zero(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)t, (void)c;
	num(b, 0);
}

static void f_one(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)t, (void)c;
	num(b, 1);
}

static void f_dash(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)t, (void)c;
	strscpy(b, "-", CELL);
}

static void f_tty(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)t, (void)c;
	strscpy(b, "?", CELL);	/* kernel threads have no terminal */
}

static void f_user(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)t, (void)c;
	strscpy(b, "root", CELL);
}

/* State, then procps's '<' (nice below 0) or 'N' (above). */
static void f_stat(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	scnprintf(b, CELL, "%c%s", t->state, t->nice < 0 ? "<" : t->nice > 0 ? "N" : "");
}

static void f_state(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	scnprintf(b, CELL, "%c", t->state);
}

static void f_cls(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	strscpy(b, task_info_cls(t), CELL);
}

static void f_rtprio(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	if (t->policy == SCHED_NORMAL)
		strscpy(b, "-", CELL);
	else
		num(b, t->rt_priority);
}

/* The three ways procps shows the kernel's prio (0..139, lower runs first). */
static void f_pri(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	num(b, MAX_PRIO - 1 - t->prio);	/* higher runs first: 139 is rt 99 */
}

static void f_priority(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	num(b, t->prio - MAX_RT_PRIO);	/* top's PR: nice + 20, or -1 - rt_priority */
}

static void f_opri(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	num(b, t->prio - 40);	/* ps -l's PRI: 80 at nice 0 */
}

static void f_ni(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	if (normal_class(t))
		num(b, t->nice);
	else
		strscpy(b, "-", CELL);	/* nice means nothing to FIFO, RR or SCHED_IDLE */
}

static void f_vruntime(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	int64_t v = t->vruntime;
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	(void)c;
	if (!t->fair) {
		strscpy(b, "-", CELL);
		return;
	}
	scnprintf(b, CELL, "%s%llu.%03llu", v < 0 ? "-" : "",
		  (unsigned long long)(mag / NSEC_PER_MSEC),
		  (unsigned long long)(mag % NSEC_PER_MSEC / NSEC_PER_USEC));
}

static void f_time(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	format_cputime(b, CELL, t->runtime);
}

static void f_etime(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	format_etime(b, CELL, c->now > t->start_time ? c->now - t->start_time : 0);
}

static void f_comm(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	strscpy(b, t->comm, CELL);
}

static void f_args(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	scnprintf(b, CELL, "[%s]", t->comm);	/* a kernel thread has no command line */
}

static void f_nvcsw(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	num(b, (long long)t->nvcsw);
}

static void f_nivcsw(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	num(b, (long long)t->nivcsw);
}

static void f_minflt(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	num(b, (long long)t->min_flt);
}

static void f_majflt(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	num(b, (long long)t->maj_flt);
}

static void f_c(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	num(b, MIN(lifetime_permille(t, c) / 10, 99));
}

static void f_pcpu(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	tenths(b, lifetime_permille(t, c));
}

static void f_pmem(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	tenths(b, c->totalram ? (uint64_t)t->rss_pages * 1000 / c->totalram : 0);
}

static void f_vsz(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	num(b, (long long)t->vm_pages * (PAGE_SIZE / 1024));	/* KiB */
}

static void f_rss(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	num(b, (long long)t->rss_pages * (PAGE_SIZE / 1024));
}

static void f_sz(char *b, const struct task_info *t, const struct ps_ctx *c)
{
	(void)c;
	num(b, (long long)t->vm_pages);	/* pages */
}

/* procps's keywords, headers and widths; teachos adds vruntime. */
static const struct ps_col columns[] = {
	{ "pid", "PID", 5, false, f_pid },	{ "tid", "TID", 5, false, f_pid },
	{ "lwp", "LWP", 5, false, f_pid },	{ "spid", "SPID", 5, false, f_pid },
	{ "ppid", "PPID", 5, false, f_zero },	{ "stat", "STAT", 4, true, f_stat },
	{ "s", "S", 1, true, f_state },		{ "state", "S", 1, true, f_state },
	{ "class", "CLS", 3, true, f_cls },	{ "cls", "CLS", 3, false, f_cls },
	{ "policy", "POL", 3, true, f_cls },	{ "rtprio", "RTPRIO", 6, false, f_rtprio },
	{ "pri", "PRI", 3, false, f_pri },	{ "priority", "PRI", 3, false, f_priority },
	{ "opri", "PRI", 3, false, f_opri },	{ "ni", "NI", 3, false, f_ni },
	{ "nice", "NI", 3, false, f_ni },	{ "vruntime", "VRUNTIME", 12, false, f_vruntime },
	{ "time", "TIME", 8, false, f_time },	{ "cputime", "TIME", 8, false, f_time },
	{ "etime", "ELAPSED", 11, false, f_etime }, { "comm", "COMMAND", 15, true, f_comm },
	{ "ucmd", "CMD", 15, true, f_comm },	{ "ucomm", "COMMAND", 15, true, f_comm },
	{ "args", "COMMAND", 27, true, f_args }, { "cmd", "CMD", 27, true, f_args },
	{ "command", "COMMAND", 27, true, f_args }, { "psr", "PSR", 3, false, f_zero },
	{ "nvcsw", "VCSW", 5, false, f_nvcsw },	{ "nivcsw", "IVCSW", 5, false, f_nivcsw },
	{ "min_flt", "MINFL", 5, false, f_minflt }, { "minflt", "MINFL", 5, false, f_minflt },
	{ "maj_flt", "MAJFL", 5, false, f_majflt }, { "majflt", "MAJFL", 5, false, f_majflt },
	{ "c", "C", 2, false, f_c },		{ "%cpu", "%CPU", 4, false, f_pcpu },
	{ "pcpu", "%CPU", 4, false, f_pcpu },	{ "%mem", "%MEM", 4, false, f_pmem },
	{ "pmem", "%MEM", 4, false, f_pmem },	{ "vsz", "VSZ", 6, false, f_vsz },
	{ "rss", "RSS", 5, false, f_rss },	{ "sz", "SZ", 5, false, f_sz },
	{ "f", "F", 1, false, f_one },		{ "uid", "UID", 5, false, f_zero },
	{ "user", "USER", 8, true, f_user },	{ "tty", "TT", 8, true, f_tty },
	{ "tname", "TTY", 8, true, f_tty },	{ "wchan", "WCHAN", 6, true, f_dash },
	{ "addr", "ADDR", 1, true, f_dash },	{ "nlwp", "NLWP", 4, false, f_one },
};

static const char *const default_format = "pid,stat,cls,rtprio,pri,ni,vruntime,time,comm";
static const char *const long_format = "f,s,uid,pid,ppid,c,opri,ni,addr,sz,wchan,tname,time,"
				       "ucmd";
static const char *const cls_format = "pid,class,pri,tname,time,ucmd";
static const char *const cls_long_format = "f,s,uid,pid,ppid,class,pri,addr,sz,wchan,tname,"
					   "time,ucmd";

struct ps_opts {
	const struct ps_col *cols[MAX_COLS];
	const char *heads[MAX_COLS];	/* the header of each column (KEY=HEADER renames) */
	int ncols;
	int pids[MAX_PIDS];
	int npids;
	bool long_fmt, cls_fmt;
	char specs[512];		/* copies of the -o lists, which the headers point into */
	size_t specs_used;
};

static void ps_error(const char *msg, const char *arg)
{
	console_puts("error: ");
	console_printf(msg, arg);
	console_puts("\n\nUsage:\n ps [options]\n\n Try 'ps --help' for more information.\n");
}

static const struct ps_col *find_col(const char *key)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(columns); i++)
		if (strcmp(columns[i].key, key) == 0)
			return &columns[i];
	return NULL;
}

/*
 * Add the columns of a -o list, "pid,stat,comm=NAME": KEY=HEADER renames one column, and
 * KEY= leaves its header empty (no header line at all if every one is). The list is
 * copied, since the headers point into it until the printing is done.
 */
static int add_format(struct ps_opts *o, const char *spec)
{
	char *s = o->specs + o->specs_used, *item;
	size_t room = sizeof(o->specs) - o->specs_used;

	if (strscpy(s, spec, room) < 0) {
		ps_error("format specification too long%s", "");
		return -EINVAL;
	}
	o->specs_used += strlen(s) + 1;
	while ((item = strsep(&s, ",")) != NULL) {
		char *eq = strchr(item, '=');
		const struct ps_col *col;

		if (!*item)
			continue;
		if (eq)
			*eq = '\0';
		col = find_col(item);
		if (!col) {
			ps_error("unknown user-defined format specifier \"%s\"", item);
			return -EINVAL;
		}
		if (o->ncols == MAX_COLS)
			break;
		o->heads[o->ncols] = eq ? eq + 1 : col->head;
		o->cols[o->ncols++] = col;
	}
	return 0;
}

static int add_pids(struct ps_opts *o, char *list)
{
	char *item;

	while ((item = strsep(&list, ",")) != NULL) {
		int pid;

		if (!*item)
			continue;
		if (kstrtoint(item, 10, &pid) || pid < 0) {
			ps_error("process ID list syntax error%s", "");
			return -EINVAL;
		}
		if (o->npids < MAX_PIDS)
			o->pids[o->npids++] = pid;
	}
	return 0;
}

static void ps_help(void)
{
	console_puts("Usage:\n ps [options]\n\n"
		     "Every task is listed (the idle task, pid 0, too). Options:\n"
		     " -e, -A           all tasks (the default anyway)\n"
		     " -p PID[,PID...]  only these tasks\n"
		     " -o KEY[=HEADER][,KEY...]  choose the columns\n"
		     " -l               long format; -c class and priority (-lc both)\n\n"
		     "Default: -o ");
	console_printf("%s\nKEYs:", default_format);
	for (unsigned int i = 0; i < ARRAY_SIZE(columns); i++)
		console_printf("%s %s", i % 12 ? "" : "\n ", columns[i].key);
	console_puts("\nvruntime is the fair class's virtual runtime in ms.\n");
}

static const struct longopt ps_longopts[] = {
	{ "pid", true, 'p' }, { "format", true, 'o' }, { "help", false, 'h' },
	{ NULL, false, 0 },
};

/* 0, 1 when done (help printed), or -EINVAL after the complaint. */
static int ps_options(struct ps_opts *o, int argc, char **argv)
{
	struct getopt g = GETOPT_INIT;
	int opt, err = 0;

	while (!err && (opt = getopt_next(&g, argc, argv, "Aeclo:p:", ps_longopts)) != -1) {
		switch (opt) {
		case 'A':
		case 'e': break;
		case 'c': o->cls_fmt = true; break;
		case 'l': o->long_fmt = true; break;
		case 'o': err = add_format(o, g.optarg); break;
		case 'p': err = add_pids(o, g.optarg); break;
		case 'h': ps_help(); return 1;
		default:
			if (g.err == GETOPT_NEED_ARG)
				ps_error(g.optopt == 'p' ? "list of process IDs must follow -p%s" :
					 "format specification must follow -o%s", "");
			else
				ps_error("unsupported SysV option%s", "");
			return -EINVAL;
		}
	}
	if (err)
		return err;
	if (g.optind < argc) {
		ps_error("unsupported option (BSD syntax)%s", "");
		return -EINVAL;
	}
	if (!o->ncols)
		return add_format(o, o->long_fmt && o->cls_fmt ? cls_long_format :
				  o->long_fmt ? long_format : o->cls_fmt ? cls_format :
				  default_format);
	return 0;
}

/*
 * One line from the cells, procps's way: a cell wider than its column pushes the rest
 * right, and right-aligned cells after it give back that debt from their padding. The
 * last column is not padded on the right.
 */
static void print_row(const struct ps_opts *o, char cells[][CELL])
{
	static char line[MAX_COLS * (CELL + 1) + 2];
	int len = 0, debt = 0;

	for (int i = 0; i < o->ncols; i++) {
		int w = o->cols[i]->width, n = strlen(cells[i]);
		int pad = w - n;
		bool last = i == o->ncols - 1;

		if (i)
			line[len++] = ' ';
		if (!o->cols[i]->left) {
			pad -= debt;
			debt = pad < 0 ? -pad : 0;
			len += scnprintf(line + len, sizeof(line) - len, "%*s%s", MAX(pad, 0), "",
					 cells[i]);
			continue;
		}
		len += scnprintf(line + len, sizeof(line) - len, "%s%*s", cells[i],
				 last ? 0 : MAX(pad, 0), "");
		debt += pad < 0 ? -pad : 0;
	}
	while (len && line[len - 1] == ' ')
		len--;	/* an empty last header leaves no trailing blanks */
	line[len++] = '\n';
	line[len] = '\0';
	console_puts(line);
}

static bool wanted(const struct ps_opts *o, int pid)
{
	if (!o->npids)
		return true;
	for (int i = 0; i < o->npids; i++)
		if (o->pids[i] == pid)
			return true;
	return false;
}

static bool any_header(const struct ps_opts *o)
{
	for (int i = 0; i < o->ncols; i++)
		if (o->heads[i][0])
			return true;
	return false;
}

/* Print the header and one row per selected task; how many rows there were. */
static int ps_print(const struct ps_opts *o, const struct task_info *ti, int n)
{
	static char cells[MAX_COLS][CELL];
	struct ps_ctx c = { .now = ktime_get_ns(), .totalram = totalram_pages() };
	int rows = 0;

	if (any_header(o)) {
		for (int i = 0; i < o->ncols; i++)
			strscpy(cells[i], o->heads[i], CELL);
		print_row(o, cells);
	}
	for (int t = 0; t < n; t++) {
		if (!wanted(o, ti[t].pid))
			continue;
		for (int i = 0; i < o->ncols; i++)
			o->cols[i]->fmt(cells[i], &ti[t], &c);
		print_row(o, cells);
		rows++;
	}
	return rows;
}

static int cmd_ps(int argc, char **argv)
{
	static struct ps_opts o;
	struct task_info *ti;
	int n, err, rows;

	memset(&o, 0, sizeof(o));
	err = ps_options(&o, argc, argv);
	if (err)
		return err > 0 ? 0 : 1;
	ti = task_info_snapshot(&n);
	if (!ti) {
		console_puts("ps: out of memory\n");
		return 1;
	}
	rows = ps_print(&o, ti, n);
	kfree(ti);
	return rows ? 0 : 1;	/* procps: 1 when no task matched */
}
SHELL_COMMAND(ps, cmd_ps, "ps [-e] [-l] [-c] [-p PID,...] [-o KEY,...]",
	      "report the tasks (procps ps columns; --help lists the keywords)");
