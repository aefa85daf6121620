/*
 * Writing KTAP version 1 (the Kernel Test Anything Protocol) lines: version and
 * plan lines, "ok N name" / "not ok N name", "# SKIP reason" directives and "#"
 * diagnostics, indented 4 spaces per nesting level as KUnit prints them. Pure code
 * over a write callback (lib/ktap.c), shared by the kernel and host tests.
 */
#ifndef LIB_KTAP_H
#define LIB_KTAP_H

#include <kernel/compiler.h>

struct ktap_writer {
	void (*write)(void *ctx, const char *s, size_t len);
	void *ctx;
	unsigned int depth;	/* nesting level: 0 for the top-level list of suites */
};

void ktap_begin(struct ktap_writer *w, const char *subtest_name, unsigned int planned);
void ktap_result(struct ktap_writer *w, unsigned int number, bool ok, const char *name,
		 const char *skip_reason);
void ktap_diag(struct ktap_writer *w, const char *fmt, ...) __printf(2, 3);

#endif
