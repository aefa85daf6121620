/*
 * Command-line parsing: values reach their setters, invalid values are refused
 * and counted, unknown words are counted, quotes group words; and the shell's
 * command dispatch reports unknown commands and bad usage.
 */
#include <kernel/ktest.h>
#include <kernel/params.h>
#include <kernel/shell.h>
#include <lib/args.h>
#include <lib/errno.h>
#include <lib/string.h>

static unsigned int number;
static char text[64];
static int flag_seen;
static bool bare, off;

static int set_number(const char *val)
{
	return val && kstrtouint(val, 10, &number) == 0 ? 0 : -EINVAL;
}

static int set_text(const char *val)
{
	if (!val)
		return -EINVAL;
	strscpy(text, val, sizeof(text));
	return 0;
}

static int set_flag(const char *val)
{
	if (val)
		return -EINVAL;
	flag_seen++;
	return 0;
}

static const struct kernel_param test_params[] = {
	{ "number", set_number, "a number", NULL, NULL },
	{ "text", set_text, "some text", NULL, NULL },
	{ "flag", set_flag, "no value", NULL, NULL },
	{ "bare", NULL, "no value", &bare, NULL },	/* what KERNEL_PARAM_FLAG declares */
	{ "thing", NULL, "off", &off, "off" },
};

static int parse(const char *line)
{
	char buf[256];

	strscpy(buf, line, sizeof(buf));
	return parse_params(buf, test_params, ARRAY_SIZE(test_params), NULL);
}

static void test_good_values(struct ktest *t)
{
	number = 0;
	flag_seen = 0;
	KTEST_EXPECT_EQ(t, parse("  number=17\ttext=hello   flag "), 0);
	KTEST_EXPECT_EQ(t, number, 17);
	KTEST_EXPECT_STREQ(t, text, "hello");
	KTEST_EXPECT_EQ(t, flag_seen, 1);
}

static void test_quotes_group_words(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, parse("text=\"two words\" number=3"), 0);
	KTEST_EXPECT_STREQ(t, text, "two words");
	KTEST_EXPECT_EQ(t, number, 3);
}

static void test_bad_values_refused(struct ktest *t)
{
	number = 5;
	KTEST_EXPECT_EQ(t, parse("number=abc number=99999999999999999999 number= flag=1"), 4);
	KTEST_EXPECT_EQ(t, number, 5);	/* unchanged by the refused values */
}

/* A flag parameter takes exactly its one value (or none) and only ever sets its bool. */
static void test_flag_params(struct ktest *t)
{
	bare = off = false;
	KTEST_EXPECT_EQ(t, parse("bare=1 thing thing=on thing=offf"), 4);
	KTEST_EXPECT_TRUE(t, !bare);
	KTEST_EXPECT_TRUE(t, !off);
	KTEST_EXPECT_EQ(t, parse("bare thing=off"), 0);
	KTEST_EXPECT_TRUE(t, bare);
	KTEST_EXPECT_TRUE(t, off);
}

static void test_unknown_counted(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, parse("bogus=1 number=8 alsobogus"), 2);
	KTEST_EXPECT_EQ(t, number, 8);
	KTEST_EXPECT_EQ(t, parse(""), 0);
}

/* A bare "--" ends the kernel's words: the rest is init's, unparsed ("number=9" too). */
static void test_double_dash_ends_params(struct ktest *t)
{
	char line[] = "number=4 -- number=9 -v  x";
	char *rest = NULL;

	number = 0;
	KTEST_EXPECT_EQ(t, parse_params(line, test_params, ARRAY_SIZE(test_params), &rest), 0);
	KTEST_EXPECT_EQ(t, number, 4);
	KTEST_ASSERT_TRUE(t, rest != NULL);
	KTEST_EXPECT_STREQ(t, rest, "number=9 -v  x");
	KTEST_EXPECT_EQ(t, parse("number=5 -- x"), 2);	/* without @rest, "--" and x are unknown */
	KTEST_EXPECT_EQ(t, number, 5);
}

static void test_split_args(struct ktest *t)
{
	char line[] = "  echo \"a b\"  c=d  ";
	char *argv[4];

	KTEST_ASSERT_EQ(t, split_args(line, argv, 4), 3);
	KTEST_EXPECT_STREQ(t, argv[0], "echo");
	KTEST_EXPECT_STREQ(t, argv[1], "a b");
	KTEST_EXPECT_STREQ(t, argv[2], "c=d");
}

static void test_shell_dispatch(struct ktest *t)
{
	char unknown[] = "no-such-command x";
	char bad_usage[] = "loglevel 99";
	char good[] = "echo shell-dispatch-ok";
	char empty[] = "   ";

	KTEST_EXPECT_EQ(t, shell_execute(unknown), -ENOENT);
	KTEST_EXPECT_EQ(t, shell_execute(bad_usage), -EINVAL);
	KTEST_EXPECT_EQ(t, shell_execute(good), 0);
	KTEST_EXPECT_EQ(t, shell_execute(empty), 0);
}

static const struct ktest_case params_cases[] = {
	KTEST_CASE(test_good_values),
	KTEST_CASE(test_quotes_group_words),
	KTEST_CASE(test_bad_values_refused),
	KTEST_CASE(test_flag_params),
	KTEST_CASE(test_unknown_counted),
	KTEST_CASE(test_double_dash_ends_params),
	KTEST_CASE(test_split_args),
	KTEST_CASE(test_shell_dispatch),
	{},
};
KTEST_SUITE(params, params_cases);
