/*
 * The kernel test runner. Suites are found in the .ktest_suites section (the
 * linker sorts them by name); each case runs in turn, its failures are counted,
 * and the results are printed as KTAP version 1 straight to the consoles (no log
 * timestamps), one nested list per suite, so the host harness (tests/run) can
 * parse them. A case that oopses stops the run: the harness sees the missing
 * results and the oops in the log.
 */
#include <kernel/console.h>
#include <kernel/kernel.h>
#include <kernel/ktest.h>
#include <kernel/log.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <lib/ktap.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <stdarg.h>

extern const struct ktest_suite __ktest_suites_start[], __ktest_suites_end[];

static struct ktap_writer *current_writer;

static void console_sink(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	console_write(s, len);
}

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t->failures++;
	if (current_writer)
		ktap_diag(current_writer, "%s:%d: %s", file, line, msg);
}

void ktest_diag(struct ktest *t, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	(void)t;
	va_start(ap, fmt);
	vscnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (current_writer)
		ktap_diag(current_writer, "%s", msg);
}

static bool contains(const char *s, const char *part)
{
	size_t n = strlen(part);

	for (; *s; s++)
		if (strncmp(s, part, n) == 0)
			return true;
	return false;
}

uint64_t ktest_find_logged(uint64_t seq, const char *a, const char *b)
{
	struct log_record r;

	for (; seq < log_next_seq(); seq++)
		if (log_read(seq, &r) && contains(r.text, a) && contains(r.text, b))
			return seq + 1;
	return 0;
}


static unsigned int count_cases(const struct ktest_suite *s)
{
	unsigned int n = 0;

	while (s->cases[n].run)
		n++;
	return n;
}

/* Run one suite as a nested KTAP list; returns true when no case failed. */
static bool run_suite(const struct ktest_suite *s, struct ktap_writer *outer)
{
	struct ktap_writer w = { outer->write, outer->ctx, outer->depth + 1 };
	unsigned int pass = 0, fail = 0, skip = 0, n = count_cases(s);

	ktap_begin(&w, s->name, n);
	for (unsigned int i = 0; i < n; i++) {
		struct ktest t = { .name = s->cases[i].name };

		current_writer = &w;
		s->cases[i].run(&t);
		current_writer = NULL;
		ktap_result(&w, i + 1, t.failures == 0, t.name, t.failures ? NULL : t.skip_reason);
		if (t.failures)
			fail++;
		else if (t.skip_reason)
			skip++;
		else
			pass++;
	}
	ktap_diag(outer, "%s: pass:%u fail:%u skip:%u total:%u", s->name, pass, fail, skip, n);
	return fail == 0;
}

int ktest_run(const char *filter)
{
	struct ktap_writer w = { console_sink, NULL, 0 };
	unsigned int planned = 0, number = 0;
	int failed = 0;

	for (const struct ktest_suite *s = __ktest_suites_start; s < __ktest_suites_end; s++)
		planned += str_in_list(filter, s->name);
	if (planned == 0) {
		console_printf("ktest: no suite matches '%s'\n", filter);
		return -1;
	}
	ktap_begin(&w, NULL, planned);
	for (const struct ktest_suite *s = __ktest_suites_start; s < __ktest_suites_end; s++) {
		bool ok;

		if (!str_in_list(filter, s->name))
			continue;
		ok = run_suite(s, &w);
		ktap_result(&w, ++number, ok, s->name, NULL);
		failed += !ok;
	}
	return failed;
}

static int cmd_ktest(int argc, char **argv)
{
	if (argc == 1) {
		for (const struct ktest_suite *s = __ktest_suites_start; s < __ktest_suites_end; s++)
			console_printf("  %-12s %u cases\n", s->name, count_cases(s));
		return 0;
	}
	if (argc != 2)
		return -EINVAL;
	ktest_run(argv[1]);
	return 0;
}
SHELL_COMMAND(ktest, cmd_ktest, "ktest [all | SUITE[,SUITE...]]",
	      "list the kernel test suites, or run them (KTAP output)");
