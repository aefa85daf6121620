/*
 * KTAP version 1 writer. A nested test list repeats the version line, after a
 * "# Subtest: NAME" line, and is indented; the parent's own result line follows it
 * at the outer level. Lines are built in a local buffer and written whole, so a
 * line is never split by output from elsewhere.
 */
#include <lib/ktap.h>
#include <lib/printf.h>
#include <stdarg.h>

#define KTAP_LINE 256

static void emit(struct ktap_writer *w, const char *fmt, ...) __printf(2, 3);

static void emit(struct ktap_writer *w, const char *fmt, ...)
{
	char line[KTAP_LINE];
	int n = 0;
	va_list ap;

	for (unsigned int i = 0; i < w->depth && n < KTAP_LINE - 5; i++)
		n += scnprintf(line + n, sizeof(line) - n, "    ");
	va_start(ap, fmt);
	n += vscnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	for (int i = 0; i < n; i++)	/* a newline inside a name would break the line format */
		if (line[i] == '\n')
			line[i] = ' ';
	line[n++] = '\n';
	w->write(w->ctx, line, n);
}

void ktap_begin(struct ktap_writer *w, const char *subtest_name, unsigned int planned)
{
	emit(w, "KTAP version 1");
	if (subtest_name)
		emit(w, "# Subtest: %s", subtest_name);
	emit(w, "1..%u", planned);
}

void ktap_result(struct ktap_writer *w, unsigned int number, bool ok, const char *name,
		 const char *skip_reason)
{
	if (skip_reason)
		emit(w, "ok %u %s # SKIP %s", number, name, skip_reason);
	else
		emit(w, "%s %u %s", ok ? "ok" : "not ok", number, name);
}

void ktap_diag(struct ktap_writer *w, const char *fmt, ...)
{
	char text[KTAP_LINE];
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	emit(w, "# %s", text);
}
