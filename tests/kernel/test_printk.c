/*
 * printk's log buffer and consoles: records keep level and text, KERN_CONT
 * continues a line, multi-line messages become several records, a console
 * registered late is replayed the whole log, and console_loglevel filters what
 * consoles see but never what the log keeps.
 */
#include <kernel/console.h>
#include <kernel/ktest.h>
#include <kernel/log.h>
#include <kernel/printk.h>
#include <lib/string.h>

static bool last_record(struct log_record *r, uint64_t back)
{
	return log_read(log_next_seq() - 1 - back, r);
}

static void test_record_level_and_text(struct ktest *t)
{
	struct log_record r;
	uint64_t seq = log_next_seq();

	printk(KERN_ERR "ktest record %d\n", 42);
	KTEST_ASSERT_TRUE(t, last_record(&r, 0));
	KTEST_EXPECT_EQ(t, r.seq, seq);
	KTEST_EXPECT_EQ(t, r.level, 3);
	KTEST_EXPECT_STREQ(t, r.text, "ktest record 42");
}

static void test_default_level(struct ktest *t)
{
	struct log_record r;

	printk("no level given\n");
	KTEST_ASSERT_TRUE(t, last_record(&r, 0));
	KTEST_EXPECT_EQ(t, r.level, LOGLEVEL_DEFAULT);
}

static void test_cont_appends(struct ktest *t)
{
	struct log_record r;
	uint64_t seq = log_next_seq();

	printk(KERN_INFO "part one");
	pr_cont(", part two");
	pr_cont(", end\n");
	KTEST_EXPECT_EQ(t, log_next_seq(), seq + 1);
	KTEST_ASSERT_TRUE(t, last_record(&r, 0));
	KTEST_EXPECT_STREQ(t, r.text, "part one, part two, end");
}

static void test_multiline_splits(struct ktest *t)
{
	struct log_record a, b;
	uint64_t seq = log_next_seq();

	printk(KERN_WARNING "line A\nline B\n");
	KTEST_EXPECT_EQ(t, log_next_seq(), seq + 2);
	KTEST_ASSERT_TRUE(t, last_record(&a, 1) && last_record(&b, 0));
	KTEST_EXPECT_STREQ(t, a.text, "line A");
	KTEST_EXPECT_STREQ(t, b.text, "line B");
	KTEST_EXPECT_EQ(t, b.level, 4);
}

static void test_long_line_truncated(struct ktest *t)
{
	char big[LOG_LINE_MAX * 2];
	struct log_record r;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	printk(KERN_INFO "%s\n", big);
	KTEST_ASSERT_TRUE(t, last_record(&r, 0));
	KTEST_EXPECT_EQ(t, r.len, LOG_LINE_MAX - 1);
	KTEST_EXPECT_EQ(t, strlen(r.text), LOG_LINE_MAX - 1);
}

static void test_timestamps_monotonic(struct ktest *t)
{
	struct log_record a, b;

	printk(KERN_INFO "first\n");
	printk(KERN_INFO "second\n");
	KTEST_ASSERT_TRUE(t, last_record(&a, 1) && last_record(&b, 0));
	KTEST_EXPECT_TRUE(t, b.tsc >= a.tsc);
}

/* A console that remembers what it was given. */
static char seen[16384];
static size_t seen_len;

static void capture_write(struct console *con, const char *s, size_t len)
{
	(void)con;
	len = MIN(len, sizeof(seen) - 1 - seen_len);
	memcpy(seen + seen_len, s, len);
	seen_len += len;
	seen[seen_len] = '\0';
}

static bool seen_contains(const char *word)
{
	for (size_t i = 0, n = strlen(word); i + n <= seen_len; i++)
		if (memcmp(seen + i, word, n) == 0)
			return true;
	return false;
}

static void test_late_console_replay_and_loglevel(struct ktest *t)
{
	static struct console cap = { .name = "ktest", .write = capture_write };
	int saved = console_loglevel;

	seen_len = 0;
	printk(KERN_INFO "before-registration marker\n");
	printk(KERN_DEBUG "debug marker, filtered\n");
	register_console(&cap);
	/* The replay brought the old lines, each with a timestamp prefix. */
	KTEST_EXPECT_TRUE(t, seen_contains("] before-registration marker\n"));
	KTEST_EXPECT_TRUE(t, !seen_contains("debug marker, filtered"));

	console_loglevel = 4;	/* levels 0..3 pass: errors yes, warnings no */
	printk(KERN_WARNING "warning while loglevel=4\n");
	printk(KERN_ERR "error while loglevel=4\n");
	console_loglevel = saved;
	KTEST_EXPECT_TRUE(t, !seen_contains("warning while loglevel=4"));
	KTEST_EXPECT_TRUE(t, seen_contains("error while loglevel=4"));
	unregister_console(&cap);
	printk(KERN_ERR "after unregister\n");
	KTEST_EXPECT_TRUE(t, !seen_contains("after unregister"));
}

static const struct ktest_case printk_cases[] = {
	KTEST_CASE(test_record_level_and_text),
	KTEST_CASE(test_default_level),
	KTEST_CASE(test_cont_appends),
	KTEST_CASE(test_multiline_splits),
	KTEST_CASE(test_long_line_truncated),
	KTEST_CASE(test_timestamps_monotonic),
	KTEST_CASE(test_late_console_replay_and_loglevel),
	{},
};
KTEST_SUITE(printk, printk_cases);
