/*
 * Host unit tests of lib/args.c: next_arg() and split_args() (Criterion, ASan/UBSan).
 *
 * Hand-written cases pin the separators (space, tab, newline), key=value and bare words,
 * double quotes ("a b", key="a b", a quote in the middle of a word, an unterminated quote
 * running to the end, an '=' inside quotes that does not split), empty and blank lines,
 * split_args' max and its restoring of the '=' of key=value words. The random test splits
 * generated lines from a small alphabet with both functions and compares them with a
 * reference splitter written here in a different way (find the word by quote parity first,
 * then strip the quotes). Every line is copied into a heap block of exactly its size, so
 * ASan catches a read or write past its NUL.
 * Seed: TEST_SEED or the clock, printed and put in each failure message; TEST_ITERS sets
 * the number of random lines (default 20000).
 *
 * lib/args.h renames nothing, so strcmp & co below are the host's.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lib/args.h>

#include "rng.h"

/* ---- helpers ---- */

/* A heap copy of exactly strlen + 1 bytes: ASan sees any access past the NUL. */
static char *dup_exact(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	cr_assert_not_null(p);
	memcpy(p, s, n);
	return p;
}

/* Calls next_arg and checks that every pointer it hands back stays inside the line. */
static char *step(char *line, size_t len, char *s, char **param, char **val)
{
	char *rest = next_arg(s, param, val);

	cr_assert(rest >= s && rest <= line + len, "rest pointer outside the line");
	if (*param)
		cr_assert(*param >= line && *param <= line + len, "param outside the line");
	if (*val)
		cr_assert(*val >= line && *val <= line + len, "val outside the line");
	return rest;
}

/* One expected argument: its name and value (NULL when the word has no '='). */
struct want {
	const char *param;
	const char *val;
};

/* Runs next_arg over @input to the end and compares with @want[0..n). */
static void check_next_arg(const char *input, const struct want *want, int n)
{
	char *line = dup_exact(input);
	size_t len = strlen(input);
	char *s = line, *param, *val;
	int i;

	for (i = 0; i < n; i++) {
		s = step(line, len, s, &param, &val);
		cr_assert_not_null(param, "[%s]: argument %d missing", input, i);
		cr_assert_str_eq(param, want[i].param, "[%s]: argument %d", input, i);
		if (want[i].val) {
			cr_assert_not_null(val, "[%s]: argument %d has no value", input, i);
			cr_assert_str_eq(val, want[i].val, "[%s]: value %d", input, i);
		} else {
			cr_assert_null(val, "[%s]: argument %d should have no value, has [%s]",
				       input, i, val);
		}
	}
	s = step(line, len, s, &param, &val);
	cr_assert_null(param, "[%s]: extra argument [%s]", input, param);
	cr_assert_null(val, "[%s]: val set after the last argument", input);
	/* asking again at the end stays at the end */
	s = step(line, len, s, &param, &val);
	cr_assert_null(param);
	free(line);
}

/* Runs split_args(@input, max) and compares with @words[0..n). */
static void check_split(const char *input, int max, const char *const *words, int n)
{
	char *line = dup_exact(input);
	char *argv[16];
	int got, i;

	cr_assert(max <= 16);
	for (i = 0; i < 16; i++)
		argv[i] = NULL;
	got = split_args(line, argv, max);
	cr_assert_eq(got, n, "[%s] max %d: %d words, want %d", input, max, got, n);
	for (i = 0; i < n; i++)
		cr_assert_str_eq(argv[i], words[i], "[%s]: word %d", input, i);
	for (i = n; i < 16; i++)
		cr_assert_null(argv[i], "[%s]: argv[%d] written past the count", input, i);
	free(line);
}

#define WANT(...) ((const struct want[]){ __VA_ARGS__ })
#define NWANT(...) ((int)(sizeof((const struct want[]){ __VA_ARGS__ }) / sizeof(struct want)))
#define CHECK_ARGS(input, ...) check_next_arg(input, WANT(__VA_ARGS__), NWANT(__VA_ARGS__))

#define WORDS(...) ((const char *const[]){ __VA_ARGS__ })
#define NWORDS(...) ((int)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(char *)))
#define CHECK_SPLIT(input, max, ...) \
	check_split(input, max, WORDS(__VA_ARGS__), NWORDS(__VA_ARGS__))

/* ---- next_arg ---- */

Test(args, empty_line_has_no_arguments)
{
	char line[] = "";
	char *param = (char *)1, *val = (char *)1;
	char *rest = next_arg(line, &param, &val);

	cr_assert_null(param);
	cr_assert_null(val, "val must be cleared too");
	cr_assert(rest == line);
}

Test(args, blank_line_has_no_arguments)
{
	static const char *const blanks[] = { " ", "    ", "\t", "\n", " \t\n \t", "\n\n\n" };

	for (size_t i = 0; i < sizeof(blanks) / sizeof(blanks[0]); i++) {
		char *line = dup_exact(blanks[i]);
		char *param = (char *)1, *val = (char *)1;
		char *rest = next_arg(line, &param, &val);

		cr_assert_null(param, "blank %zu", i);
		cr_assert_null(val, "blank %zu", i);
		cr_assert(*rest == '\0', "blank %zu: rest should be the end of the line", i);
		free(line);
	}
}

Test(args, bare_words)
{
	CHECK_ARGS("quiet", { "quiet", NULL });
	CHECK_ARGS("quiet debug", { "quiet", NULL }, { "debug", NULL });
	CHECK_ARGS("a b c", { "a", NULL }, { "b", NULL }, { "c", NULL });
}

Test(args, separators_space_tab_newline)
{
	CHECK_ARGS("a\tb", { "a", NULL }, { "b", NULL });
	CHECK_ARGS("a\nb", { "a", NULL }, { "b", NULL });
	CHECK_ARGS("  a \t\n b\t\t", { "a", NULL }, { "b", NULL });
	CHECK_ARGS("\n\tx=1\n", { "x", "1" });
}

Test(args, separator_becomes_nul)
{
	char line[] = "ab cd";
	char *param, *val, *rest;

	rest = next_arg(line, &param, &val);
	cr_assert(param == line);
	cr_assert(line[2] == '\0', "the separator after a word is overwritten with NUL");
	cr_assert(rest == line + 3, "rest starts just after the separator");
	rest = next_arg(rest, &param, &val);
	cr_assert(param == line + 3);
	cr_assert_str_eq(param, "cd");
	cr_assert(rest == line + 5);
}

Test(args, key_value)
{
	CHECK_ARGS("loglevel=7", { "loglevel", "7" });
	CHECK_ARGS("a=1 b=2 c", { "a", "1" }, { "b", "2" }, { "c", NULL });
	/* only the first '=' splits */
	CHECK_ARGS("a=b=c", { "a", "b=c" });
	/* empty value and empty key */
	CHECK_ARGS("key=", { "key", "" });
	CHECK_ARGS("=value", { "", "value" });
	CHECK_ARGS("=", { "", "" });
	CHECK_ARGS("==", { "", "=" });
}

Test(args, key_value_points_into_the_line)
{
	char line[] = "ktest=all";
	char *param, *val;

	next_arg(line, &param, &val);
	cr_assert(param == line);
	cr_assert(val == line + 6);
	cr_assert(line[5] == '\0', "the '=' becomes the NUL that ends the name");
}

Test(args, quotes_group_words)
{
	CHECK_ARGS("\"a b\"", { "a b", NULL });
	CHECK_ARGS("\"a b\" c", { "a b", NULL }, { "c", NULL });
	CHECK_ARGS("x \"a\tb\nc\" y", { "x", NULL }, { "a\tb\nc", NULL }, { "y", NULL });
	CHECK_ARGS("key=\"a b\"", { "key", "a b" });
	CHECK_ARGS("init=/bin/sh msg=\"hello  world\" quiet",
		   { "init", "/bin/sh" }, { "msg", "hello  world" }, { "quiet", NULL });
}

Test(args, quotes_in_the_middle_of_a_word)
{
	CHECK_ARGS("ab\"c d\"ef", { "abc def", NULL });
	CHECK_ARGS("a\"\"b", { "ab", NULL });
	CHECK_ARGS("k\"e y\"=v", { "ke y", "v" });
	CHECK_ARGS("\"key\"=\"val\"", { "key", "val" });
	CHECK_ARGS("k=v\"1 2\"3", { "k", "v1 23" });
}

Test(args, empty_quotes_are_an_empty_argument)
{
	CHECK_ARGS("\"\"", { "", NULL });
	CHECK_ARGS("a \"\" b", { "a", NULL }, { "", NULL }, { "b", NULL });
	CHECK_ARGS("k=\"\"", { "k", "" });
}

Test(args, unterminated_quote_runs_to_the_end)
{
	CHECK_ARGS("\"a b", { "a b", NULL });
	CHECK_ARGS("x \"a b c", { "x", NULL }, { "a b c", NULL });
	CHECK_ARGS("k=\"v w\tz\n", { "k", "v w\tz\n" });
	CHECK_ARGS("\"", { "", NULL });
	CHECK_ARGS("a \"", { "a", NULL }, { "", NULL });
}

Test(args, equals_inside_quotes_does_not_split)
{
	CHECK_ARGS("\"a=b\"", { "a=b", NULL });
	CHECK_ARGS("\"a=b\"=c", { "a=b", "c" });
	CHECK_ARGS("k=\"a=b\"", { "k", "a=b" });
	CHECK_ARGS("\"=\"", { "=", NULL });
	CHECK_ARGS("\"a=b c", { "a=b c", NULL });
}

Test(args, rest_walks_the_whole_line)
{
	char line[] = " one\ttwo=2 \"th ree\" ";
	char *s = line, *param, *val;
	int n = 0;

	while ((s = next_arg(s, &param, &val)), param) {
		cr_assert(n < 3, "too many arguments");
		n++;
	}
	cr_assert_eq(n, 3);
	cr_assert(*s == '\0');
}

/* ---- split_args ---- */

Test(args, split_basic)
{
	CHECK_SPLIT("echo hello world", 8, "echo", "hello", "world");
	CHECK_SPLIT("  ls\t-l\n", 8, "ls", "-l");
	CHECK_SPLIT("echo \"a  b\" c", 8, "echo", "a  b", "c");
	CHECK_SPLIT("x \"\" y", 8, "x", "", "y");
}

Test(args, split_empty_and_blank)
{
	char empty[] = "", blank[] = " \t \n ";
	char *argv[2] = { NULL, NULL };

	cr_assert_eq(split_args(empty, argv, 2), 0);
	cr_assert_eq(split_args(blank, argv, 2), 0);
	cr_assert_null(argv[0]);
}

Test(args, split_restores_equals)
{
	CHECK_SPLIT("set loglevel=7", 8, "set", "loglevel=7");
	CHECK_SPLIT("a=b=c =x y=", 8, "a=b=c", "=x", "y=");
	CHECK_SPLIT("msg=\"a b\" k\"=\"v", 8, "msg=a b", "k=v");
	CHECK_SPLIT("\"k\"=\"v\"", 8, "k=v");
}

Test(args, split_respects_max)
{
	CHECK_SPLIT("a b c d", 2, "a", "b");
	CHECK_SPLIT("a b c d", 4, "a", "b", "c", "d");
	CHECK_SPLIT("a b c d", 5, "a", "b", "c", "d");
	CHECK_SPLIT("a=1 b=2 c=3", 1, "a=1");
	{
		char line[] = "a b";
		char *argv[1] = { NULL };

		cr_assert_eq(split_args(line, argv, 0), 0, "max 0 takes nothing");
		cr_assert_null(argv[0]);
		cr_assert_eq(split_args(line, argv, -1), 0, "negative max takes nothing");
	}
}

Test(args, split_max_leaves_rest_untouched)
{
	char line[] = "a b c=d e";
	char *argv[2];

	cr_assert_eq(split_args(line, argv, 2), 2);
	/* "a\0b\0" then the rest exactly as it was */
	cr_assert(memcmp(line, "a\0b\0c=d e", sizeof(line)) == 0,
		  "split_args wrote past the words it returned");
}

/* ---- randomized: against a reference splitter ---- */

#define REF_MAX_ARGS 64
#define REF_MAX_LEN 128

struct ref_arg {
	char word[REF_MAX_LEN];	/* quotes removed, the splitting '=' kept */
	int eq;			/* index of the splitting '=' in word, -1 if none */
};

static bool ref_is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/*
 * The reference: a word starts at a non-separator and ends at the first separator that
 * follows an even number of quotes counted from the word's start (or at the end of the
 * line). A character of the word is quoted when an odd number of quotes precede it in
 * the word. The word is the unquoted text without the quote characters; its first '='
 * that is not quoted splits it.
 */
static int ref_split(const char *line, struct ref_arg *out)
{
	size_t len = strlen(line), i = 0;
	int n = 0;

	for (;;) {
		size_t start, end, j;
		int quotes = 0, w = 0;

		while (i < len && ref_is_sep(line[i]))
			i++;
		if (i == len)
			return n;
		start = i;
		for (end = start; end < len; end++) {
			if (ref_is_sep(line[end]) && quotes % 2 == 0)
				break;
			if (line[end] == '"')
				quotes++;
		}
		cr_assert(n < REF_MAX_ARGS && end - start < REF_MAX_LEN);
		out[n].eq = -1;
		quotes = 0;
		for (j = start; j < end; j++) {
			if (line[j] == '"') {
				quotes++;
				continue;
			}
			if (line[j] == '=' && quotes % 2 == 0 && out[n].eq < 0)
				out[n].eq = w;
			out[n].word[w++] = line[j];
		}
		out[n].word[w] = '\0';
		n++;
		i = end;
	}
}

static void random_line(char *buf, size_t len)
{
	/* weighted: letters most often, then the characters that matter */
	static const char alphabet[] = "abcab==\"\"  \t\n";

	for (size_t i = 0; i < len; i++)
		buf[i] = alphabet[rnd_below(sizeof(alphabet) - 1)];
	buf[len] = '\0';
}

Test(args, random_against_reference)
{
	unsigned long long seed = test_seed("args/random_against_reference");
	int iters = test_iters(20000);

	for (int it = 0; it < iters; it++) {
		char text[REF_MAX_LEN];
		struct ref_arg ref[REF_MAX_ARGS];
		char *argv[REF_MAX_ARGS + 1];
		char *line, *s, *param, *val;
		size_t len = rnd_below(40);
		int n, i, max, got;

		random_line(text, len);
		n = ref_split(text, ref);

		/* next_arg, one argument at a time */
		line = dup_exact(text);
		s = line;
		for (i = 0; i <= n; i++) {
			s = step(line, len, s, &param, &val);
			if (i == n) {
				cr_assert_null(param, "seed %llu iter %d [%s]: extra argument [%s]",
					       seed, it, text, param);
				break;
			}
			cr_assert_not_null(param, "seed %llu iter %d [%s]: argument %d missing",
					   seed, it, text, i);
			if (ref[i].eq < 0) {
				cr_assert_str_eq(param, ref[i].word, "seed %llu iter %d [%s]: arg %d",
						 seed, it, text, i);
				cr_assert_null(val, "seed %llu iter %d [%s]: arg %d has a value",
					       seed, it, text, i);
			} else {
				ref[i].word[ref[i].eq] = '\0';
				cr_assert_str_eq(param, ref[i].word, "seed %llu iter %d [%s]: key %d",
						 seed, it, text, i);
				cr_assert_not_null(val, "seed %llu iter %d [%s]: arg %d lost its value",
						   seed, it, text, i);
				cr_assert_str_eq(val, ref[i].word + ref[i].eq + 1,
						 "seed %llu iter %d [%s]: value %d", seed, it, text, i);
				ref[i].word[ref[i].eq] = '=';
			}
		}
		free(line);

		/* split_args with a random max, up to one more than there are words */
		line = dup_exact(text);
		max = (int)rnd_below((unsigned int)n + 2);
		for (i = 0; i <= REF_MAX_ARGS; i++)
			argv[i] = NULL;
		got = split_args(line, argv, max);
		cr_assert_eq(got, n < max ? n : max, "seed %llu iter %d [%s] max %d: %d words",
			     seed, it, text, max, got);
		for (i = 0; i < got; i++) {
			cr_assert(argv[i] >= line && argv[i] <= line + len);
			cr_assert_str_eq(argv[i], ref[i].word, "seed %llu iter %d [%s]: word %d",
					 seed, it, text, i);
		}
		cr_assert_null(argv[got], "seed %llu iter %d: argv written past the count",
			       seed, it);
		free(line);
	}
}
