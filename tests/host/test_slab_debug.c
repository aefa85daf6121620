/*
 * Host tests of the slab allocator's debugging and reports (mm/slab_debug.c, slab_report.c,
 * slab_check.c) and of its outputs (mm/slabinfo.c), on the fake machine of test_slab.c.
 * Every detection is provoked: double free, overrun and underrun, write after free (found on
 * the next allocation and by kmem_cache_check), free to the wrong cache, interior pointers,
 * damaged freelist links, and the double free a cache without debugging catches. Each test
 * checks the counter, the report block (title, what, where, both call sites: the addresses
 * must lie in the helper functions that allocated and freed), that the bad operation was not
 * carried out, and that the cache still works and passes kmem_cache_check. Then slub_debug=
 * parsing, and /proc/slabinfo, vmstat -m and the waste view to the character.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/percpu.h>
#include <mm/mmzone.h>
#include <mm/slab.h>

#include "printk_stub.h"

/* tests/host/test_slab.c */
void slab_machine_boot(const char *slub_debug);
void slab_machine_teardown(void);

static void boot_plain(void)
{
	slab_machine_boot(NULL);
}

TestSuite(slab_debug, .init = boot_plain, .fini = slab_machine_teardown);

/* Out of line, so a track's address must fall inside one of them. */
static __attribute__((noinline)) void *do_alloc(struct kmem_cache *s)
{
	void *p = kmem_cache_alloc(s, GFP_KERNEL);

	__asm__ volatile("" ::: "memory");
	return p;
}

static __attribute__((noinline)) void do_free(struct kmem_cache *s, void *p)
{
	kmem_cache_free(s, p);
	__asm__ volatile("" ::: "memory");
}

/* Does the report say "INFO: <what> 0x<addr>" with addr inside @fn? (No symbols here.) */
static bool site_in(const char *what, void *fn)
{
	char needle[64];
	const char *at;
	unsigned long long addr;

	snprintf(needle, sizeof(needle), "INFO: %s 0x", what);
	at = strstr(printk_captured(), needle);
	if (!at || sscanf(at + strlen(needle) - 2, "%llx", &addr) != 1)
		return false;
	return addr > (uintptr_t)fn && addr < (uintptr_t)fn + 0x400;
}

#define EQUALS "============================================================================="
#define DASHES "-----------------------------------------------------------------------------"

/* The report's first lines, in order: the frame, the title, what was wrong. */
static void expect_block(const char *title_line, const char *info)
{
	const char *log = printk_captured(), *frame = strstr(log, EQUALS "\n");
	const char *title = strstr(log, title_line), *what = strstr(log, info);

	cr_assert(frame && title && what, "want \"%s\" and \"%s\" in:\n%s", title_line, info, log);
	cr_assert(frame < title && title < what, "%s", log);
	cr_assert(strstr(title, DASHES "\n\nINFO: "), "%s", log);
}

static unsigned long in_use(struct kmem_cache *s)
{
	struct slabinfo si;

	kmem_cache_get_info(s, &si);
	return si.active_objs;
}

static void expect_works(struct kmem_cache *s)
{
	void *a = kmem_cache_alloc(s, GFP_KERNEL), *b = kmem_cache_alloc(s, GFP_KERNEL);

	cr_assert(a && b && a != b);
	kmem_cache_free(s, b);
	kmem_cache_free(s, a);
	cr_assert_eq(kmem_cache_check(s), 0, "%s", printk_captured());
}

Test(slab_debug, double_free)
{
	struct kmem_cache *s = kmem_cache_create("dbg", 64, 0, SLAB_DEBUG, NULL);
	void *p = do_alloc(s);

	do_free(s, p);
	kmem_cache_free(s, p);
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_DOUBLE_FREE], 1);
	expect_block("BUG dbg (Not tainted): Object already free\n", "already free");
	cr_assert(site_in("Allocated in", (void *)do_alloc), "%s", printk_captured());
	cr_assert(site_in("Freed in", (void *)do_free), "%s", printk_captured());
	cr_assert(strstr(printk_captured(), "FIX dbg: Object at 0x"));
	cr_assert_eq(in_use(s), 0);
	expect_works(s);
	kmem_cache_destroy(s);
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_DESTROY_BUSY], 0);
}

Test(slab_debug, overrun_and_underrun)
{
	struct kmem_cache *s = kmem_cache_create("dbg", 60, 0, SLAB_DEBUG, NULL);
	char *p = do_alloc(s), line[160];

	cr_assert_eq(s->inuse - s->object_size, 12, "60 bytes: a 12-byte right red zone");
	p[61] = 'A';
	do_free(s, p);
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_REDZONE], 1);
	snprintf(line, sizeof(line), "INFO: Right Redzone 0x%016lx-0x%016lx @offset=61. First "
		 "byte 0x41 instead of 0xcc\n", (unsigned long)(p + 61), (unsigned long)(p + 61));
	expect_block("BUG dbg (Not tainted): Redzone overwritten\n", line);
	cr_assert(site_in("Allocated in", (void *)do_alloc), "%s", printk_captured());
	cr_assert(strstr(printk_captured(), "INFO: Freed in: not freed since it was allocated"));
	snprintf(line, sizeof(line), "Redzone  %016lx: cc 41 cc cc cc cc cc cc cc cc cc cc",
		 (unsigned long)(p + 60));
	cr_assert(strstr(printk_captured(), line), "%s", printk_captured());
	cr_assert(strstr(printk_captured(), "FIX dbg: Restoring Right Redzone"));
	cr_assert_eq(in_use(s), 0, "the free went ahead");
	cr_assert_eq(kmem_cache_check(s), 0, "red zone restored");

	printk_capture_reset();
	p = do_alloc(s);
	p[-3] = 'B';
	do_free(s, p);
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_REDZONE], 2);
	expect_block("BUG dbg (Not tainted): Redzone overwritten\n", "INFO: Left Redzone");
	expect_works(s);
}

Test(slab_debug, write_after_free_is_quarantined)
{
	struct kmem_cache *s = kmem_cache_create("dbg", 100, 0, SLAB_DEBUG, NULL);
	char *p = do_alloc(s), *q, line[160];

	do_free(s, p);
	p[99] = 0;		/* the last byte, 0xa5 while free */
	p[40] = 'x';
	q = do_alloc(s);
	cr_assert_neq(q, p, "the damaged object must not be handed out");
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_POISON], 2, "two damaged ranges, two reports");
	snprintf(line, sizeof(line), "INFO: Poison 0x%016lx-0x%016lx @offset=40. First byte 0x78 "
		 "instead of 0x6b\n", (unsigned long)(p + 40), (unsigned long)(p + 40));
	expect_block("BUG dbg (Not tainted): Poison overwritten\n", line);
	cr_assert(strstr(printk_captured(), "First byte 0 instead of 0xa5") ||
		  strstr(printk_captured(), "First byte 0x0 instead of 0xa5"), "%s",
		  printk_captured());
	cr_assert(site_in("Freed in", (void *)do_free), "%s", printk_captured());
	cr_assert(strstr(printk_captured(), "quarantined"));
	cr_assert_eq(s->quarantined, 1);
	cr_assert_eq(in_use(s), 2);
	cr_assert_eq(kmem_cache_check(s), 0, "%s", printk_captured());
	kmem_cache_free(s, p);	/* the stale pointer's owner frees it again */
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_DOUBLE_FREE], 1);
	kmem_cache_free(s, q);
	expect_works(s);
	kmem_cache_destroy(s);
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_DESTROY_BUSY], 0, "quarantine is not a leak");
}

Test(slab_debug, check_finds_write_after_free)
{
	struct kmem_cache *s = kmem_cache_create("dbg", 32, 0, SLAB_DEBUG, NULL);
	char *p = do_alloc(s);

	do_free(s, p);
	p[5] = 1;
	cr_assert_eq(kmem_cache_check(s), 1);
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_POISON], 1);
	cr_assert_eq(kmem_cache_check(s), 0, "restored");
}

Test(slab_debug, wrong_cache)
{
	struct kmem_cache *a = kmem_cache_create("dbg-a", 64, 0, SLAB_DEBUG, NULL);
	struct kmem_cache *b = kmem_cache_create("dbg-b", 64, 0, SLAB_DEBUG, NULL);
	struct kmem_cache *c = kmem_cache_create("plain", 64, 0, 0, NULL);
	void *p = do_alloc(a), *q = kmem_cache_alloc(c, GFP_KERNEL);

	do_free(b, p);
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_WRONG_CACHE], 1);
	expect_block("BUG dbg-b (Not tainted): Wrong slab cache\n",
		     "but the object is from dbg-a");
	cr_assert(site_in("Allocated in", (void *)do_alloc), "%s", printk_captured());
	cr_assert(strstr(printk_captured(), "INFO: Freed in: not freed since it was allocated"));
	cr_assert(site_in("Found in a call from", (void *)do_free), "%s", printk_captured());
	cr_assert_eq(in_use(a), 1, "not freed");
	kmem_cache_free(b, q);	/* without debugging too: the slow path asks the page */
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_WRONG_CACHE], 2);
	cr_assert_eq(in_use(c), 1);
	kmem_cache_free(a, p);
	kmem_cache_free(c, q);
	expect_works(a);
	expect_works(b);
	expect_works(c);
}

Test(slab_debug, interior_pointers)
{
	struct kmem_cache *s = kmem_cache_create("dbg", 64, 0, SLAB_DEBUG, NULL);
	struct kmem_cache *plain = kmem_cache_create("plain", 64, 0, 0, NULL);
	char *p = do_alloc(s), *q;

	do_free(s, p + 1);
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_INVALID_PTR], 1);
	expect_block("BUG dbg (Not tainted): Invalid object pointer\n",
		     "(1 bytes into slot 0)");
	cr_assert(site_in("Found in a call from", (void *)do_free), "%s", printk_captured());
	kfree(p + 63);
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_INVALID_PTR], 2);
	cr_assert_eq(in_use(s), 1);
	do_free(s, p);
	/* Without debugging an interior pointer is caught off the fast path: from another CPU. */
	cpus[0].id = 2;
	q = kmem_cache_alloc(plain, GFP_KERNEL);
	cpus[0].id = 0;
	kmem_cache_free(plain, q + 8);
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_INVALID_PTR], 3);
	kmem_cache_free(plain, q);
	expect_works(s);
	expect_works(plain);
}

Test(slab_debug, damaged_freelist_link)
{
	struct kmem_cache *s = kmem_cache_create("dbg", 64, 0, SLAB_DEBUG, NULL);
	void *a = do_alloc(s), *b = do_alloc(s), *c = do_alloc(s);

	do_free(s, a);
	set_freepointer(s, a, (char *)a + 3);	/* a stray write into the link */
	do_free(s, b);				/* walks the freelist: finds the damage */
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_FREELIST], 1);
	expect_block("BUG dbg (Not tainted): Freepointer corrupt\n", "points outside");
	cr_assert_eq(s->quarantined, s->objects - 3, "everything behind a: lost");
	cr_assert_eq(in_use(s), 1 + s->quarantined, "c, and the quarantined ones");
	cr_assert_eq(kmem_cache_check(s), 0, "%s", printk_captured());
	kmem_cache_free(s, c);
	expect_works(s);
	kmem_cache_destroy(s);
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_DESTROY_BUSY], 0);
}

Test(slab_debug, double_free_without_debugging)
{
	struct kmem_cache *s = kmem_cache_create("plain", 64, 0, 0, NULL);
	void *p = kmem_cache_alloc(s, GFP_KERNEL), *q = kmem_cache_alloc(s, GFP_KERNEL);

	kmem_cache_free(s, p);
	kmem_cache_free(s, p);		/* the fast path's one test */
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_DOUBLE_FREE], 1);
	expect_block("BUG plain (Not tainted): Object already free\n",
		     "already free (it is the last object freed)");
	cr_assert(strstr(printk_captured(), "no call sites kept"));
	cpus[0].id = 1;			/* from elsewhere, freed into the slab's own list */
	kmem_cache_free(s, q);
	kmem_cache_free(s, q);
	cpus[0].id = 0;
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_DOUBLE_FREE], 2);
	cr_assert_eq(in_use(s), 0);
	expect_works(s);
}

Test(slab_debug, double_free_into_an_empty_slab_without_debugging)
{
	struct kmem_cache *s = kmem_cache_create("plain", 64, 0, 0, NULL);
	void *objs[70];

	for (int i = 0; i < 70; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	for (int i = 0; i < 64; i++)	/* the first slab, no longer the CPU's: empty */
		kmem_cache_free(s, objs[i]);
	cr_assert_eq(s->nr_empty, 1);
	kmem_cache_free(s, objs[5]);	/* not the last freed, but its slab has none in use */
	cr_assert_eq(slab_stats.bugs[SLAB_BUG_DOUBLE_FREE], 1);
	cr_assert(strstr(printk_captured(), "its slab has none in use"), "%s", printk_captured());
	for (int i = 64; i < 70; i++)
		kmem_cache_free(s, objs[i]);
	cr_assert_eq(in_use(s), 0);
	expect_works(s);
}

Test(slab_debug, check_reports_broken_state)
{
	struct kmem_cache *s = kmem_cache_create("plain", 64, 0, 0, NULL);
	void *objs[100];

	for (int i = 0; i < 100; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	for (int i = 0; i < 100; i += 2)
		kmem_cache_free(s, objs[i]);
	cr_assert_eq(kmem_cache_check(s), 0);
	s->nr_partial++;
	cr_assert_geq(kmem_cache_check(s), 1);
	cr_assert(strstr(printk_captured(), "slab check: plain: nr_partial is"), "%s",
		  printk_captured());
	s->nr_partial--;
	s->cpu_slab[0].allocs++;
	cr_assert_geq(kmem_cache_check(s), 1);
	s->cpu_slab[0].allocs--;
	set_freepointer(s, objs[0], objs[0]);	/* a loop in a freelist */
	printk_capture_reset();
	cr_assert_geq(kmem_cache_check(s), 1);
	cr_assert(strstr(printk_captured(), "twice on the freelists"), "%s", printk_captured());
}

/* ---- slub_debug= ---- */

Test(slab_debug, slub_debug_parameter)
{
	static const struct {
		const char *val, *cache;
		slab_flags_t want;
	} cases[] = {
		{ NULL, "anything", SLAB_DEBUG },
		{ "", "anything", SLAB_DEBUG },
		{ "ZP", "x", SLAB_RED_ZONE | SLAB_POISON },
		{ "u", "x", SLAB_STORE_USER },
		{ "F,foo", "foo", SLAB_CONSISTENCY_CHECKS },
		{ "F,foo", "foobar", 0 },
		{ ",foo,kmalloc-*", "kmalloc-64", SLAB_DEBUG },
		{ ",foo,kmalloc-*", "dma-kmalloc-64", 0 },
		{ "Z,foo,bar", "bar", SLAB_RED_ZONE },
		{ "-", "x", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(slub_debug_setup(cases[i].val), 0, "%s", cases[i].val);
		cr_assert_eq(slub_debug_for(cases[i].cache, 0), cases[i].want, "slub_debug=%s, %s",
			     cases[i].val ? cases[i].val : "(none)", cases[i].cache);
	}
	cr_assert_eq(slub_debug_setup("ZQ"), -22);
	slub_debug_setup("-");
}

Test(slab_debug, slub_debug_reaches_kmalloc)
{
	char *p;

	slab_machine_teardown();
	slab_machine_boot("ZPU,kmalloc-64");
	cr_assert(kmem_cache_debug(kmem_cache_find("kmalloc-64")));
	cr_assert(!kmem_cache_debug(kmem_cache_find("kmalloc-32")));
	p = kmalloc(50, GFP_KERNEL);
	cr_assert_eq(ksize(p), 64);
	p[64] = 1;
	kfree(p);
	expect_block("BUG kmalloc-64 (Not tainted): Redzone overwritten\n", "Right Redzone");
	cr_assert(strstr(printk_captured(), "cpu=0 size=50"), "the size asked for: %s",
		  printk_captured());
}

/* ---- the outputs ---- */

static const char slabinfo_head[] =
	"slabinfo - version: 2.1\n"
	"# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : "
	"tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> "
	"<sharedavail>\n"
	"foo                  100    102    120   34    1 : tunables    0    0    0 : slabdata "
	"     3      3      0\n";

static const char vmstat_head[] =
	"Cache                       Num  Total   Size  Pages\n"
	"dma-kmalloc-128               0      0    128     32\n";

Test(slab_debug, slabinfo_vmstat_and_waste)
{
	struct kmem_cache *foo = kmem_cache_create("foo", 117, 0, 0, NULL);
	char *buf = malloc(16384), row[160];
	void *objs[100], *k[3];
	const char *at;

	for (int i = 0; i < 100; i++)
		objs[i] = kmem_cache_alloc(foo, GFP_KERNEL);
	for (int i = 0; i < 3; i++)
		k[i] = kmalloc(160, GFP_KERNEL);
	slabinfo_format(buf, 16384);
	cr_assert_eq(strncmp(buf, slabinfo_head, strlen(slabinfo_head)), 0, "%s", buf);
	cr_assert(strstr(buf, "\nkmalloc-192            3     21    192   21    1 : tunables    "
			      "0    0    0 : slabdata      1      1      0\n"), "%s", buf);
	cr_assert(strstr(buf, "\nkmalloc-8k             0      0   8192    4    8 : tunables    "
			      "0    0    0 : slabdata      0      0      0\n"), "%s", buf);

	vmstat_m_format(buf, 16384);
	cr_assert_eq(strncmp(buf, vmstat_head, strlen(vmstat_head)), 0, "%s", buf);
	cr_assert(strstr(buf, "\nfoo                         100    102    120     34\n"
			      "kmalloc-128"), "sorted by name: %s", buf);

	slabwaste_format(buf, 16384);
	at = strstr(buf, "\nkmalloc-192 ");
	cr_assert_not_null(at, "%s", buf);
	snprintf(row, sizeof(row), "\n%-17s %8d %7d %9d %9d %9d %3d%% %9d %11d %11d %4d%%\n",
		 "kmalloc-192", 3, 192, 4096, 576, 3520, 14, 3, 480, 576, 16);
	cr_assert_eq(strncmp(at, row, strlen(row)), 0, "%s", buf);
	snprintf(row, sizeof(row), "\n%-17s %8d %7d %9d %9d %9d %3d%% %9s %11s %11s %5s\n", "foo",
		 100, 117, 12288, 11700, 588, 95, "-", "-", "-", "-");
	cr_assert(strstr(buf, row), "%s", buf);
	cr_assert_lt(strstr(buf, "\nkmalloc-192 "), strstr(buf, "\nfoo "), "sorted by loss");
	for (int i = 0; i < 3; i++)
		kfree(k[i]);
	for (int i = 0; i < 100; i++)
		kmem_cache_free(foo, objs[i]);
	free(buf);
}
