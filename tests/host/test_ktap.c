/*
 * Host unit tests of lib/ktap.c, the KTAP version 1 writer (Criterion, ASan/UBSan).
 *
 * A capturing callback records every write call and checks that each one is exactly one
 * whole line: not empty, ending in '\n', with no other '\n' and no NUL in it, and the ctx
 * passed through. The tests then compare the lines with the text KTAP asks for: the version
 * and plan lines, "# Subtest: NAME" for a nested list, "ok N name", "not ok N name",
 * "ok N name # SKIP reason", "# diagnostics", 4 spaces of indentation per level, and long
 * lines cut to the writer's 256-byte buffer but still ended by a newline. The random test
 * drives the writer with random depths, names and messages and compares each line with one
 * formatted here by the host's snprintf.
 * Seed: TEST_SEED or the clock, printed and put in each failure message; TEST_ITERS sets
 * the number of random calls (default 20000).
 *
 * lib/ktap.h renames nothing, so snprintf and strcmp below are the host's.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <lib/ktap.h>

#include "rng.h"

/* The longest line the writer emits: its 256-byte buffer, newline included, no NUL. */
#define LINE_MAX_BYTES 255

#define CAP_LINES 64
#define CAP_LINE_SIZE 1024

struct capture {
	unsigned int magic;
	int n;
	char line[CAP_LINES][CAP_LINE_SIZE];	/* each write, NUL-terminated */
	size_t len[CAP_LINES];
};

#define CAP_MAGIC 0x6b746170u

static void cap_write(void *ctx, const char *s, size_t len)
{
	struct capture *cap = ctx;

	cr_assert_eq(cap->magic, CAP_MAGIC, "write callback got the wrong ctx");
	cr_assert(cap->n < CAP_LINES, "too many writes");
	cr_assert(len >= 1, "empty write");
	cr_assert(len < CAP_LINE_SIZE, "write of %zu bytes", len);
	cr_assert(s[len - 1] == '\n', "write does not end in a newline: [%.*s]", (int)len, s);
	cr_assert_null(memchr(s, '\n', len - 1), "write holds more than one line: [%.*s]",
		       (int)len, s);
	cr_assert_null(memchr(s, '\0', len), "write holds a NUL: [%.*s]", (int)len, s);
	memcpy(cap->line[cap->n], s, len);
	cap->line[cap->n][len] = '\0';
	cap->len[cap->n] = len;
	cap->n++;
}

/* The capture is large: keep it static, and reset it for each writer. */
static struct capture cap;

static struct ktap_writer writer(unsigned int depth)
{
	memset(&cap, 0, sizeof(cap));
	cap.magic = CAP_MAGIC;
	return (struct ktap_writer){ .write = cap_write, .ctx = &cap, .depth = depth };
}

/* Compares the captured writes with @want, one string per write. */
static void expect_lines(const char *const *want, int n)
{
	cr_assert_eq(cap.n, n, "%d lines written, want %d (first: [%s])", cap.n, n,
		     cap.n ? cap.line[0] : "");
	for (int i = 0; i < n; i++)
		cr_assert_str_eq(cap.line[i], want[i], "line %d", i);
}

#define LINES(...) ((const char *const[]){ __VA_ARGS__ })
#define NLINES(...) ((int)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(char *)))
#define EXPECT(...) expect_lines(LINES(__VA_ARGS__), NLINES(__VA_ARGS__))

/* ---- ktap_begin ---- */

Test(ktap, begin_top_level)
{
	struct ktap_writer w = writer(0);

	ktap_begin(&w, NULL, 5);
	EXPECT("KTAP version 1\n", "1..5\n");
}

Test(ktap, begin_plan_zero_and_large)
{
	struct ktap_writer w = writer(0);

	ktap_begin(&w, NULL, 0);
	ktap_begin(&w, NULL, 4294967295u);
	EXPECT("KTAP version 1\n", "1..0\n", "KTAP version 1\n", "1..4294967295\n");
}

Test(ktap, begin_nested_subtest)
{
	struct ktap_writer w = writer(1);

	ktap_begin(&w, "printk", 7);
	EXPECT("    KTAP version 1\n", "    # Subtest: printk\n", "    1..7\n");
}

Test(ktap, begin_two_levels_deep)
{
	struct ktap_writer w = writer(2);

	ktap_begin(&w, "inner", 1);
	EXPECT("        KTAP version 1\n", "        # Subtest: inner\n", "        1..1\n");
}

Test(ktap, begin_top_level_with_name)
{
	struct ktap_writer w = writer(0);

	ktap_begin(&w, "all", 2);
	EXPECT("KTAP version 1\n", "# Subtest: all\n", "1..2\n");
}

Test(ktap, begin_nested_without_name)
{
	struct ktap_writer w = writer(1);

	ktap_begin(&w, NULL, 3);
	EXPECT("    KTAP version 1\n", "    1..3\n");
}

/* ---- ktap_result ---- */

Test(ktap, result_ok_and_not_ok)
{
	struct ktap_writer w = writer(0);

	ktap_result(&w, 1, true, "boot", NULL);
	ktap_result(&w, 2, false, "traps", NULL);
	ktap_result(&w, 4294967295u, true, "last", NULL);
	EXPECT("ok 1 boot\n", "not ok 2 traps\n", "ok 4294967295 last\n");
}

Test(ktap, result_skip)
{
	struct ktap_writer w = writer(0);

	ktap_result(&w, 3, true, "smp", "needs 2 CPUs");
	/* a skipped test is reported as "ok", whatever the caller passed */
	ktap_result(&w, 4, false, "uefi", "booted by BIOS");
	EXPECT("ok 3 smp # SKIP needs 2 CPUs\n", "ok 4 uefi # SKIP booted by BIOS\n");
}

Test(ktap, result_nested_is_indented)
{
	struct ktap_writer w = writer(1);

	ktap_result(&w, 1, true, "test_a", NULL);
	ktap_result(&w, 2, false, "test_b", NULL);
	ktap_result(&w, 3, true, "test_c", "not here");
	EXPECT("    ok 1 test_a\n", "    not ok 2 test_b\n", "    ok 3 test_c # SKIP not here\n");
}

Test(ktap, result_name_is_not_a_format)
{
	struct ktap_writer w = writer(0);

	ktap_result(&w, 1, true, "100%s %d %n", NULL);
	ktap_result(&w, 2, true, "x", "50%% %s");
	EXPECT("ok 1 100%s %d %n\n", "ok 2 x # SKIP 50%% %s\n");
}

/* ---- ktap_diag ---- */

Test(ktap, diag_formats)
{
	struct ktap_writer w = writer(0);

	ktap_diag(&w, "expected %d, got %d", 3, -4);
	ktap_diag(&w, "%s", "");
	ktap_diag(&w, "%s: 0x%llx", "addr", 0xffffffff80000000ull);
	EXPECT("# expected 3, got -4\n", "# \n", "# addr: 0xffffffff80000000\n");
}

Test(ktap, diag_nested)
{
	struct ktap_writer w = writer(3);

	ktap_diag(&w, "pass:%u fail:%u", 2u, 1u);
	EXPECT("            # pass:2 fail:1\n");
}

/* ---- a whole run ---- */

Test(ktap, nested_run)
{
	struct ktap_writer w = writer(0);

	ktap_begin(&w, NULL, 2);
	w.depth = 1;
	ktap_begin(&w, "lib", 2);
	ktap_result(&w, 1, true, "test_strings", NULL);
	ktap_diag(&w, "line %d", 42);
	ktap_result(&w, 2, false, "test_printf", NULL);
	w.depth = 0;
	ktap_result(&w, 1, false, "lib", NULL);
	ktap_result(&w, 2, true, "smp", "one CPU");
	EXPECT("KTAP version 1\n",
	       "1..2\n",
	       "    KTAP version 1\n",
	       "    # Subtest: lib\n",
	       "    1..2\n",
	       "    ok 1 test_strings\n",
	       "    # line 42\n",
	       "    not ok 2 test_printf\n",
	       "not ok 1 lib\n",
	       "ok 2 smp # SKIP one CPU\n");
}

/* ---- long lines ---- */

static char long_text[1000];

static const char *make_long(char c)
{
	memset(long_text, c, sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	return long_text;
}

/* The line is @prefix followed by as much of @body as fits, then '\n'. */
static void expect_cut(int i, const char *prefix, const char *body)
{
	size_t plen = strlen(prefix);

	cr_assert_eq(cap.len[i], LINE_MAX_BYTES, "line %d: %zu bytes, want %d", i, cap.len[i],
		     LINE_MAX_BYTES);
	cr_assert(strncmp(cap.line[i], prefix, plen) == 0, "line %d: [%s]", i, cap.line[i]);
	cr_assert(strncmp(cap.line[i] + plen, body, LINE_MAX_BYTES - 1 - plen) == 0,
		  "line %d: body changed", i);
	cr_assert(cap.line[i][LINE_MAX_BYTES - 1] == '\n');
}

Test(ktap, long_result_is_cut_and_ends_in_newline)
{
	struct ktap_writer w = writer(0);
	const char *name = make_long('n');

	ktap_result(&w, 1, true, name, NULL);
	ktap_result(&w, 2, true, "t", name);
	cr_assert_eq(cap.n, 2);
	expect_cut(0, "ok 1 ", name);
	expect_cut(1, "ok 2 t # SKIP ", name);
}

Test(ktap, long_diag_is_cut_and_ends_in_newline)
{
	struct ktap_writer w = writer(2);
	const char *text = make_long('d');

	ktap_diag(&w, "%s", text);
	ktap_diag(&w, "%s%s", text, text);
	cr_assert_eq(cap.n, 2);
	expect_cut(0, "        # ", text);
	expect_cut(1, "        # ", text);
}

Test(ktap, long_subtest_name_is_cut)
{
	struct ktap_writer w = writer(1);
	const char *name = make_long('s');

	ktap_begin(&w, name, 1);
	cr_assert_eq(cap.n, 3);
	cr_assert_str_eq(cap.line[0], "    KTAP version 1\n");
	expect_cut(1, "    # Subtest: ", name);
	cr_assert_str_eq(cap.line[2], "    1..1\n");
}

Test(ktap, line_that_just_fits_is_whole)
{
	struct ktap_writer w = writer(0);
	char name[LINE_MAX_BYTES];

	/* "ok 1 " + name + "\n" = 255 bytes: nothing cut */
	memset(name, 'f', LINE_MAX_BYTES - 6);
	name[LINE_MAX_BYTES - 6] = '\0';
	ktap_result(&w, 1, true, name, NULL);
	cr_assert_eq(cap.len[0], LINE_MAX_BYTES);
	cr_assert(strncmp(cap.line[0] + 5, name, LINE_MAX_BYTES - 6) == 0);
}

Test(ktap, absurd_depth_still_gives_whole_lines)
{
	/* the indentation alone would not fit: every write is still one line in the buffer */
	for (unsigned int depth = 60; depth < 70; depth++) {
		struct ktap_writer w = writer(depth);

		ktap_begin(&w, "deep", 1);
		ktap_result(&w, 1, false, make_long('z'), "why");
		ktap_diag(&w, "%s", "deep");
		w.depth = 1000000;
		ktap_diag(&w, "%s", "deeper");
		cr_assert_eq(cap.n, 6);
		for (int i = 0; i < cap.n; i++)
			cr_assert(cap.len[i] <= LINE_MAX_BYTES, "depth %u line %d: %zu bytes",
				  depth, i, cap.len[i]);
	}
}

/* ---- randomized: against lines formatted here ---- */

/* Printable text without newlines, mostly short, sometimes longer than a line. */
static void random_text(char *buf, size_t size)
{
	static const char chars[] = "abcXYZ019 _-%#.:/";
	size_t len = rnd_below(8) ? rnd_below(40) : rnd_below(size);

	for (size_t i = 0; i < len; i++)
		buf[i] = chars[rnd_below(sizeof(chars) - 1)];
	buf[len] = '\0';
}

/* Appends the reference line for @content at @depth (indent, text, cut, '\n') to @want. */
static int ref_line(char want[][CAP_LINE_SIZE], int n, unsigned int depth, const char *content)
{
	char full[CAP_LINE_SIZE * 2];
	int len = snprintf(full, sizeof(full), "%*s%s", (int)depth * 4, "", content);

	if (len > LINE_MAX_BYTES - 1)
		len = LINE_MAX_BYTES - 1;
	memcpy(want[n], full, (size_t)len);
	want[n][len] = '\n';
	want[n][len + 1] = '\0';
	return n + 1;
}

Test(ktap, random_against_reference)
{
	static char want[4][CAP_LINE_SIZE];
	unsigned long long seed = test_seed("ktap/random_against_reference");
	int iters = test_iters(20000);

	for (int it = 0; it < iters; it++) {
		unsigned int depth = rnd_below(7), number = (unsigned int)rnd();
		char a[400], b[400], content[CAP_LINE_SIZE];
		struct ktap_writer w = writer(depth);
		bool ok = rnd_below(2), named;
		int n = 0;

		random_text(a, sizeof(a));
		random_text(b, sizeof(b));
		switch (rnd_below(5)) {
		case 0:
			named = rnd_below(2);
			ktap_begin(&w, named ? a : NULL, number);
			n = ref_line(want, n, depth, "KTAP version 1");
			if (named) {
				snprintf(content, sizeof(content), "# Subtest: %s", a);
				n = ref_line(want, n, depth, content);
			}
			snprintf(content, sizeof(content), "1..%u", number);
			n = ref_line(want, n, depth, content);
			break;
		case 1:
			ktap_result(&w, number, ok, a, NULL);
			snprintf(content, sizeof(content), "%s %u %s", ok ? "ok" : "not ok", number,
				 a);
			n = ref_line(want, n, depth, content);
			break;
		case 2:
			ktap_result(&w, number, ok, a, b);
			snprintf(content, sizeof(content), "ok %u %s # SKIP %s", number, a, b);
			n = ref_line(want, n, depth, content);
			break;
		case 3:
			ktap_diag(&w, "%s", a);
			snprintf(content, sizeof(content), "# %s", a);
			n = ref_line(want, n, depth, content);
			break;
		default:
			ktap_diag(&w, "%s=%u [%-5s]", a, number, b);
			snprintf(content, sizeof(content), "# %s=%u [%-5s]", a, number, b);
			n = ref_line(want, n, depth, content);
			break;
		}
		cr_assert_eq(cap.n, n, "seed %llu iter %d: %d writes, want %d", seed, it, cap.n, n);
		for (int i = 0; i < n; i++)
			cr_assert_str_eq(cap.line[i], want[i], "seed %llu iter %d line %d", seed, it,
					 i);
	}
}
