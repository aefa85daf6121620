/*
 * sysctl: the tunables of include/kernel/sysctl.h by name, and the shell's `sysctl` with
 * procps' options and messages:
 *   sysctl NAME...              NAME = VALUE, one line each
 *   sysctl [-w] NAME=VALUE...   sets each, then prints it as above
 *   sysctl -a                   every tunable, sorted by name
 *   -n                          values only; -q: set quietly
 * Unknown names and bad values get procps' complaints (which name /proc/sys paths, as
 * there); the rest of the line is still done. The boot parameter sysctl.NAME=VALUE
 * (kernel/params.c) sets one before anything runs. Names are Linux's, and so are units.
 */
#include <kernel/console.h>
#include <kernel/shell.h>
#include <kernel/sysctl.h>
#include <lib/errno.h>
#include <lib/getopt.h>
#include <lib/string.h>

extern const struct ctl_table __sysctl_start[], __sysctl_end[];

int64_t sysctl_value(const struct ctl_table *t)
{
	int64_t v = READ_ONCE(*t->data);

	return v < 0 ? v : v / t->scale;
}

const struct ctl_table *sysctl_find(const char *name)
{
	for (const struct ctl_table *t = __sysctl_start; t < __sysctl_end; t++)
		if (strcmp(t->procname, name) == 0)
			return t;
	return NULL;
}

int sysctl_store(const struct ctl_table *t, int64_t val)
{
	WRITE_ONCE(*t->data, val < 0 ? val : val * t->scale);
	return 0;
}

int sysctl_write(const char *name, const char *text)
{
	const struct ctl_table *t = sysctl_find(name);
	long long val;

	if (!t)
		return -ENOENT;
	if (!text || kstrtoll(text, 10, &val) || val < t->min || val > t->max)
		return -EINVAL;
	return t->write ? t->write(t, val) : sysctl_store(t, val);
}

/* ---- the shell's sysctl ---- */

struct sysctl_opts {
	bool values_only, quiet;
};

static void show(const struct ctl_table *t, const struct sysctl_opts *o)
{
	if (o->values_only)
		console_printf("%lld\n", (long long)sysctl_value(t));
	else
		console_printf("%s = %lld\n", t->procname, (long long)sysctl_value(t));
}

/* procps names the file it would open: kernel.sched_x is /proc/sys/kernel/sched_x. */
static void no_such_key(const char *name)
{
	char path[96];

	strscpy(path, name, sizeof(path));
	for (char *c = path; *c; c++)
		if (*c == '.')
			*c = '/';
	console_printf("sysctl: cannot stat /proc/sys/%s: No such file or directory\n", path);
}

/* One operand: NAME or NAME=VALUE. 0, or 1 when it failed (procps goes on, exits 1 or 255). */
static int one(char *word, bool must_set, const struct sysctl_opts *o)
{
	char *eq = strchr(word, '=');
	const struct ctl_table *t;
	int err;

	if (eq)
		*eq = '\0';
	if (must_set && !eq) {
		console_printf("sysctl: \"%s\" must be of the form name=value\n", word);
		return 1;
	}
	t = sysctl_find(word);
	if (!t) {
		no_such_key(word);
		return 1;
	}
	if (eq) {
		err = sysctl_write(word, eq + 1);
		if (err) {
			console_printf("sysctl: setting key \"%s\": %s\n", word,
				       err == -EINVAL ? "Invalid argument" : "Operation not permitted");
			return 1;
		}
		if (o->quiet)
			return 0;
	}
	show(t, o);
	return 0;
}

static void show_all(const struct sysctl_opts *o)
{
	const struct ctl_table *last = NULL;

	/* A few dozen entries at most: pick the next name in order each time. */
	for (;;) {
		const struct ctl_table *next = NULL;

		for (const struct ctl_table *t = __sysctl_start; t < __sysctl_end; t++)
			if ((!last || strcmp(t->procname, last->procname) > 0) &&
			    (!next || strcmp(t->procname, next->procname) < 0))
				next = t;
		if (!next)
			return;
		show(next, o);
		last = next;
	}
}

static const struct longopt sysctl_longopts[] = {
	{ "all", false, 'a' }, { "values", false, 'n' }, { "quiet", false, 'q' },
	{ "write", false, 'w' }, {},
};

static int cmd_sysctl(int argc, char **argv)
{
	struct getopt g = GETOPT_INIT;
	struct sysctl_opts o = { 0 };
	bool all = false, must_set = false;
	int opt, failed = 0;
	char msg[96];

	while ((opt = getopt_next(&g, argc, argv, "anqwA", sysctl_longopts)) != -1) {
		switch (opt) {
		case 'a': case 'A': all = true; break;
		case 'n': o.values_only = true; break;
		case 'q': o.quiet = true; break;
		case 'w': must_set = true; break;
		default:
			getopt_error(&g, "sysctl", msg, sizeof(msg));
			console_printf("%s\n", msg);
			return -EINVAL;
		}
	}
	if (all) {
		show_all(&o);
		return 0;
	}
	if (g.optind >= argc)
		return -EINVAL;		/* the shell prints the usage line */
	for (int i = g.optind; i < argc; i++)
		failed |= one(argv[i], must_set, &o);
	return failed;
}
SHELL_COMMAND(sysctl, cmd_sysctl, "sysctl [-n] [-q] [-a] [-w] NAME[=VALUE]...",
	      "show or set tunables (kernel.sched_rt_runtime_us ...), as procps sysctl");
