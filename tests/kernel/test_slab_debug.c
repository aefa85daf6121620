/*
 * Debug caches catch the classic slab bugs (suite "slab_debug"). Each case creates its own
 * caches with SLAB_DEBUG (so no slub_debug on the command line is needed), commits one bug
 * on purpose, and checks: the count in slab_stats, the report in the log ("BUG <cache> (Not
 * tainted): <title>", what was wrong, both call sites of the object named by function),
 * that the bad operation was not carried out, and that the cache still works and passes
 * kmem_cache_check afterwards. The bugs: double free, overrun and underrun into the red
 * zones, write after free, free to the wrong cache, free of an interior pointer, a damaged
 * freelist link; and the double free that even a cache without debugging notices.
 */
#include <kernel/ktest.h>
#include <kernel/log.h>
#include <lib/string.h>
#include <mm/slab.h>

static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncmp(hay, needle, n) == 0)
			return true;
	return false;
}

/* Did a log record printed since @seq contain @needle? */
static bool logged(uint64_t seq, const char *needle)
{
	static struct log_record r;

	for (; seq < log_next_seq(); seq++)
		if (log_read(seq, &r) && contains(r.text, needle))
			return true;
	return false;
}

static struct kmem_cache *debug_cache(const char *name)
{
	kmem_cache_init();
	return kmem_cache_create(name, 64, 0, SLAB_DEBUG, NULL);
}

static unsigned long in_use(struct kmem_cache *s)
{
	struct slabinfo si;

	kmem_cache_get_info(s, &si);
	return si.active_objs;
}

/* The cache still hands out distinct objects, takes them back, and is consistent. */
static void expect_cache_works(struct ktest *t, struct kmem_cache *s)
{
	void *a = kmem_cache_alloc(s, GFP_KERNEL), *b = kmem_cache_alloc(s, GFP_KERNEL);

	KTEST_EXPECT_TRUE(t, a && b && a != b);
	kmem_cache_free(s, a);
	kmem_cache_free(s, b);
	KTEST_EXPECT_EQ(t, kmem_cache_check(s), 0);
}

static void test_double_free(struct ktest *t)
{
	struct kmem_cache *s = debug_cache("ktest-dbg-double");
	unsigned long bugs = slab_stats.bugs[SLAB_BUG_DOUBLE_FREE];
	uint64_t seq = log_next_seq();
	void *p;

	KTEST_ASSERT_TRUE(t, s != NULL);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, p);
	kmem_cache_free(s, p);
	KTEST_EXPECT_EQ(t, slab_stats.bugs[SLAB_BUG_DOUBLE_FREE], bugs + 1);
	KTEST_EXPECT_TRUE(t, logged(seq, "BUG ktest-dbg-double (Not tainted): Object already"));
	KTEST_EXPECT_TRUE(t, logged(seq, "INFO: Allocated in test_double_free+"));
	KTEST_EXPECT_TRUE(t, logged(seq, "INFO: Freed in test_double_free+"));
	KTEST_EXPECT_TRUE(t, logged(seq, "FIX ktest-dbg-double: Object at"));
	KTEST_EXPECT_EQ(t, in_use(s), 0);
	expect_cache_works(t, s);
	kmem_cache_destroy(s);
}

static void test_overrun_and_underrun(struct ktest *t)
{
	struct kmem_cache *s = debug_cache("ktest-dbg-redzone");
	unsigned long bugs = slab_stats.bugs[SLAB_BUG_REDZONE];
	uint64_t seq = log_next_seq();
	char *p;

	KTEST_ASSERT_TRUE(t, s != NULL);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	p[64] = 'A';			/* one byte past the end */
	kmem_cache_free(s, p);
	KTEST_EXPECT_EQ(t, slab_stats.bugs[SLAB_BUG_REDZONE], bugs + 1);
	KTEST_EXPECT_TRUE(t, logged(seq, "BUG ktest-dbg-redzone (Not tainted): Redzone overw"));
	KTEST_EXPECT_TRUE(t, logged(seq, "First byte 0x41 instead of 0xcc"));
	KTEST_EXPECT_TRUE(t, logged(seq, "INFO: Allocated in test_overrun_and_underrun+"));
	KTEST_EXPECT_TRUE(t, logged(seq, "FIX ktest-dbg-redzone: Restoring Right Redzone"));
	KTEST_EXPECT_EQ(t, in_use(s), 0);	/* the free itself went ahead */
	p = kmem_cache_alloc(s, GFP_KERNEL);
	p[-1] = 'B';			/* one byte before the start */
	kmem_cache_free(s, p);
	KTEST_EXPECT_EQ(t, slab_stats.bugs[SLAB_BUG_REDZONE], bugs + 2);
	KTEST_EXPECT_TRUE(t, logged(seq, "Left Redzone"));
	expect_cache_works(t, s);
	kmem_cache_destroy(s);
}

static void test_write_after_free(struct ktest *t)
{
	struct kmem_cache *s = debug_cache("ktest-dbg-poison");
	unsigned long bugs = slab_stats.bugs[SLAB_BUG_POISON];
	unsigned long destroy_bugs = slab_stats.bugs[SLAB_BUG_DESTROY_BUSY];
	uint64_t seq = log_next_seq();
	char *p, *q;

	KTEST_ASSERT_TRUE(t, s != NULL);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, p);
	p[10] = 0x42;			/* the bug */
	q = kmem_cache_alloc(s, GFP_KERNEL);
	KTEST_EXPECT_EQ(t, slab_stats.bugs[SLAB_BUG_POISON], bugs + 1);
	KTEST_EXPECT_TRUE(t, logged(seq, "BUG ktest-dbg-poison (Not tainted): Poison overwritten"));
	KTEST_EXPECT_TRUE(t, logged(seq, "First byte 0x42 instead of 0x6b"));
	KTEST_EXPECT_TRUE(t, logged(seq, "INFO: Freed in test_write_after_free+"));
	KTEST_EXPECT_TRUE(t, logged(seq, "quarantined"));
	KTEST_EXPECT_TRUE(t, q != NULL && q != p);	/* the damaged object is out of use */
	KTEST_EXPECT_EQ(t, s->quarantined, 1);
	KTEST_EXPECT_EQ(t, in_use(s), 2);	/* q and the quarantined one */
	kmem_cache_free(s, q);
	expect_cache_works(t, s);
	kmem_cache_destroy(s);		/* only quarantined objects left: no leak */
	KTEST_EXPECT_EQ(t, slab_stats.bugs[SLAB_BUG_DESTROY_BUSY], destroy_bugs);
}

static void test_free_to_wrong_cache(struct ktest *t)
{
	struct kmem_cache *a = debug_cache("ktest-dbg-a"), *b = debug_cache("ktest-dbg-b");
	unsigned long bugs = slab_stats.bugs[SLAB_BUG_WRONG_CACHE];
	uint64_t seq = log_next_seq();
	void *p;

	KTEST_ASSERT_TRUE(t, a && b);
	p = kmem_cache_alloc(a, GFP_KERNEL);
	kmem_cache_free(b, p);
	KTEST_EXPECT_EQ(t, slab_stats.bugs[SLAB_BUG_WRONG_CACHE], bugs + 1);
	KTEST_EXPECT_TRUE(t, logged(seq, "BUG ktest-dbg-b (Not tainted): Wrong slab cache"));
	KTEST_EXPECT_TRUE(t, logged(seq, "but the object is from ktest-dbg-a"));
	KTEST_EXPECT_EQ(t, in_use(a), 1);	/* ignored: still allocated */
	KTEST_EXPECT_EQ(t, in_use(b), 0);
	kmem_cache_free(a, p);
	expect_cache_works(t, a);
	expect_cache_works(t, b);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
}

static void test_free_of_interior_pointer(struct ktest *t)
{
	struct kmem_cache *s = debug_cache("ktest-dbg-interior");
	unsigned long bugs = slab_stats.bugs[SLAB_BUG_INVALID_PTR];
	uint64_t seq = log_next_seq();
	char *p;

	KTEST_ASSERT_TRUE(t, s != NULL);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, p + 8);
	kfree(p + 16);
	KTEST_EXPECT_EQ(t, slab_stats.bugs[SLAB_BUG_INVALID_PTR], bugs + 2);
	KTEST_EXPECT_TRUE(t, logged(seq, "BUG ktest-dbg-interior (Not tainted): Invalid object"));
	KTEST_EXPECT_EQ(t, in_use(s), 1);
	kmem_cache_free(s, p);
	expect_cache_works(t, s);
	kmem_cache_destroy(s);
}

static void test_damaged_freelist_link(struct ktest *t)
{
	struct kmem_cache *s = debug_cache("ktest-dbg-freelist");
	unsigned long bugs = slab_stats.bugs[SLAB_BUG_FREELIST];
	uint64_t seq = log_next_seq();
	void *a, *b, *c;

	KTEST_ASSERT_TRUE(t, s != NULL);
	a = kmem_cache_alloc(s, GFP_KERNEL);
	b = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, a);
	set_freepointer(s, a, (void *)0x1234);	/* a stray write hits the link */
	c = kmem_cache_alloc(s, GFP_KERNEL);
	KTEST_EXPECT_TRUE(t, c == a);
	KTEST_EXPECT_EQ(t, slab_stats.bugs[SLAB_BUG_FREELIST], bugs + 1);
	KTEST_EXPECT_TRUE(t, logged(seq, "BUG ktest-dbg-freelist (Not tainted): Freepointer"));
	KTEST_EXPECT_EQ(t, s->quarantined, s->objects - 2);	/* the rest of the slab */
	kmem_cache_free(s, b);
	kmem_cache_free(s, c);
	expect_cache_works(t, s);
	kmem_cache_destroy(s);
}

static void test_double_free_without_debug(struct ktest *t)
{
	struct kmem_cache *s;
	unsigned long bugs = slab_stats.bugs[SLAB_BUG_DOUBLE_FREE];
	void *p;

	kmem_cache_init();
	s = kmem_cache_create("ktest-fast", 64, 0, 0, NULL);
	KTEST_ASSERT_TRUE(t, s != NULL);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, p);
	kmem_cache_free(s, p);		/* the last object freed: even the fast path sees it */
	KTEST_EXPECT_EQ(t, slab_stats.bugs[SLAB_BUG_DOUBLE_FREE], bugs + 1);
	KTEST_EXPECT_EQ(t, in_use(s), 0);
	expect_cache_works(t, s);
	kmem_cache_destroy(s);
}

static const struct ktest_case slab_debug_cases[] = {
	KTEST_CASE(test_double_free),
	KTEST_CASE(test_overrun_and_underrun),
	KTEST_CASE(test_write_after_free),
	KTEST_CASE(test_free_to_wrong_cache),
	KTEST_CASE(test_free_of_interior_pointer),
	KTEST_CASE(test_damaged_freelist_link),
	KTEST_CASE(test_double_free_without_debug),
	{}
};
KTEST_SUITE(slab_debug, slab_debug_cases);
