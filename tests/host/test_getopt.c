/*
 * Host unit tests of lib/getopt.c (Criterion, ASan/UBSan).
 *
 * The reference is the C library's own getopt_long with a leading '+' (stop at the first
 * operand, as the shell's commands want): for random command lines drawn from a small set
 * of words (bundles, attached and separate arguments, exact, prefix and ambiguous long
 * options, "--name=value", "--", "-", operands), every step must return the same option,
 * the same argument and the same optind, and both must stop at the same word. Hand-written
 * cases pin the error kinds and glibc's messages, which the reference does not give back.
 * Seed: TEST_SEED or the clock; TEST_ITERS sets the number of random lines (default 20000).
 */
#include <criterion/criterion.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lib/getopt.h>

#include "rng.h"

#define SHORTOPTS "abn:"

static const struct longopt ours[] = {
	{ "alpha", false, 'a' }, { "alpine", false, 'A' }, { "beta", false, 'b' },
	{ "num", true, 'n' }, { "numb", false, 'N' }, { NULL, false, 0 },
};

static const struct option theirs[] = {
	{ "alpha", no_argument, NULL, 'a' }, { "alpine", no_argument, NULL, 'A' },
	{ "beta", no_argument, NULL, 'b' }, { "num", required_argument, NULL, 'n' },
	{ "numb", no_argument, NULL, 'N' }, { NULL, 0, NULL, 0 },
};

static const char *const words[] = {
	"-a", "-b", "-ab", "-ba", "-n", "-n5", "-an", "-anX", "-x", "-ax", "-xa", "-n-b",
	"--alpha", "--alp", "--al", "--alpine", "--beta", "--b", "--num", "--num=3", "--nu",
	"--numb", "--numb=1", "--alpha=1", "--x", "--", "-", "word", "5", "-5",
};

/* Both parsers over the same words; any difference fails with the line and the step. */
static void compare(char **line, int argc, unsigned long long seed)
{
	char *a[16], *b[16];
	struct getopt g = GETOPT_INIT;

	memcpy(a, line, sizeof(char *) * (argc + 1));
	memcpy(b, line, sizeof(char *) * (argc + 1));
	optind = 0;	/* glibc: start over, from argv[1] */
	opterr = 0;
	for (int step = 0; step < 40; step++) {
		int want = getopt_long(argc, b, "+" SHORTOPTS, theirs, NULL);
		int got = getopt_next(&g, argc, a, SHORTOPTS, ours);

		cr_assert_eq(got, want, "seed %llu step %d: returned %d, glibc %d", seed, step,
			     got, want);
		cr_assert_eq(g.optind, optind, "seed %llu step %d: optind %d, glibc %d", seed,
			     step, g.optind, optind);
		if (want == -1)
			return;
		if (want != '?')
			cr_assert_str_eq(g.optarg ? g.optarg : "(none)", optarg ? optarg : "(none)",
					 "seed %llu step %d: optarg", seed, step);
	}
}

Test(getopt, matches_glibc_on_random_lines)
{
	unsigned long long seed = test_seed("getopt");
	long iters = test_iters(20000);

	for (long it = 0; it < iters; it++) {
		char *line[16];
		int argc = 1 + (int)rnd_below(6);

		line[0] = "cmd";
		for (int i = 1; i < argc; i++)
			line[i] = (char *)words[rnd_below(sizeof(words) / sizeof(words[0]))];
		line[argc] = NULL;
		compare(line, argc, seed);
	}
}

/* Parse @argv to the first error; its message, or "" if there was none. */
static const char *first_error(char **argv, int argc)
{
	static char msg[128];
	struct getopt g = GETOPT_INIT;
	int c;

	while ((c = getopt_next(&g, argc, argv, SHORTOPTS, ours)) != -1) {
		if (c == '?') {
			getopt_error(&g, "cmd", msg, sizeof(msg));
			return msg;
		}
	}
	return "";
}

Test(getopt, glibc_messages)
{
	char *unknown[] = { "cmd", "-ax", NULL };
	char *need[] = { "cmd", "-a", "-n", NULL };
	char *need_long[] = { "cmd", "--num", NULL };
	char *unrecognized[] = { "cmd", "--frob", NULL };
	char *no_arg[] = { "cmd", "--beta=2", NULL };
	char *ambiguous[] = { "cmd", "--al", NULL };

	cr_assert_str_eq(first_error(unknown, 2), "cmd: invalid option -- 'x'");
	cr_assert_str_eq(first_error(need, 3), "cmd: option requires an argument -- 'n'");
	cr_assert_str_eq(first_error(need_long, 2), "cmd: option '--num' requires an argument");
	cr_assert_str_eq(first_error(unrecognized, 2), "cmd: unrecognized option '--frob'");
	cr_assert_str_eq(first_error(no_arg, 2), "cmd: option '--beta' doesn't allow an argument");
	cr_assert_str_eq(first_error(ambiguous, 2), "cmd: option '--al' is ambiguous");
}

Test(getopt, stops_at_the_first_operand_and_after_double_dash)
{
	char *line[] = { "chrt", "-fp", "10", "5", NULL };
	char *cmd[] = { "nice", "-n", "5", "spawn", "-n", "2", NULL };
	char *dashes[] = { "kill", "--", "-5", NULL };
	struct getopt g = GETOPT_INIT;

	cr_assert_eq(getopt_next(&g, 4, line, "fp", NULL), 'f');
	cr_assert_eq(getopt_next(&g, 4, line, "fp", NULL), 'p');
	cr_assert_eq(getopt_next(&g, 4, line, "fp", NULL), -1);
	cr_assert_eq(g.optind, 2, "the operands start at \"10\"");

	g = (struct getopt)GETOPT_INIT;
	cr_assert_eq(getopt_next(&g, 6, cmd, "n:", NULL), 'n');
	cr_assert_str_eq(g.optarg, "5");
	cr_assert_eq(getopt_next(&g, 6, cmd, "n:", NULL), -1);
	cr_assert_eq(g.optind, 3, "the command's own -n is left to it");

	g = (struct getopt)GETOPT_INIT;
	cr_assert_eq(getopt_next(&g, 3, dashes, "", NULL), -1);
	cr_assert_eq(g.optind, 2, "\"--\" is consumed, \"-5\" is an operand");
}
