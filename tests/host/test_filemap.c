/*
 * mm/filemap.c over a fake disk (a byte array whose readpage/writepage count calls):
 * a read fills the cache once and hits it after; a partial write reads the page first, a
 * whole-page write does not; a write only dirties (the disk is unchanged) until
 * filemap_write_and_wait, which writes each dirty page once and then flushes; a failed
 * write-back leaves the page dirty; invalidation drops clean pages only; a page read
 * twice moves to the active list; every counter returns to 0 and every page is freed.
 */
#include <criterion/criterion.h>
#include <lib/err.h>
#include <lib/errno.h>
#include <lib/radix_tree.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <mm/slab.h>

void slab_machine_boot(const char *slub_debug);
void slab_machine_teardown(void);

#define DISK_PAGES 8
static uint8_t disk[DISK_PAGES * PAGE_SIZE];
static unsigned int reads, writes, flushes;
static int fail_writes;
static struct address_space mapping;

static int fake_readpage(struct address_space *m, struct page *page)
{
	(void)m;
	reads++;
	memcpy(page_address(page), disk + page->index * PAGE_SIZE, PAGE_SIZE);
	return 0;
}

static int fake_writepage(struct address_space *m, struct page *page)
{
	(void)m;
	if (fail_writes)
		return -EIO;
	writes++;
	memcpy(disk + page->index * PAGE_SIZE, page_address(page), PAGE_SIZE);
	return 0;
}

static int fake_flush(struct address_space *m)
{
	(void)m;
	flushes++;
	return 0;
}

/* The host has no clock: time moves a microsecond a call. */
uint64_t ktime_get_ns(void)
{
	static uint64_t now;

	return now += 1000;
}

/* mm/page-writeback.c (the flusher, the dirty limits, waiting for writeback) is not on
 * the host: there is no other task, so nothing is ever under writeback when fsync looks. */
void balance_dirty_pages(struct address_space *m)
{
	(void)m;
}

void writeback_page_done(void)
{
}

void wait_on_writeback(struct address_space *m)
{
	cr_assert(!mapping_tagged(m, PAGECACHE_TAG_WRITEBACK));
}

static const struct address_space_operations fake_aops = {
	.readpage = fake_readpage, .writepage = fake_writepage, .flush = fake_flush,
};

static void boot(void)
{
	slab_machine_boot(NULL);
	filemap_host_reset();
	radix_tree_init();
	for (size_t i = 0; i < sizeof(disk); i++)
		disk[i] = (uint8_t)(i / PAGE_SIZE + 'A');
	reads = writes = flushes = 0;
	fail_writes = 0;
	address_space_init(&mapping, &fake_aops, NULL, sizeof(disk));
}

TestSuite(filemap, .init = boot, .fini = slab_machine_teardown);

Test(filemap, reads_fill_once_then_hit)
{
	char buf[100];
	loff_t pos = PAGE_SIZE + 10;
	unsigned long free_before;
	struct pagecache_stats s;

	kmem_cache_shrink_all();
	free_before = nr_free_pages();

	cr_assert_eq(filemap_read(&mapping, buf, sizeof(buf), &pos), 100);
	cr_assert_eq(pos, PAGE_SIZE + 110);
	cr_assert(buf[0] == 'B' && buf[99] == 'B');
	cr_assert_eq(reads, 1);
	pos = PAGE_SIZE;
	cr_assert_eq(filemap_read(&mapping, buf, sizeof(buf), &pos), 100);
	cr_assert_eq(reads, 1, "the second read is a hit");
	pagecache_get_stats(&s);
	cr_assert_eq(s.cached, 1);
	cr_assert_eq(s.active, 1, "read twice: active");
	cr_assert_eq(s.inactive, 0);
	pos = sizeof(disk) - 10;
	cr_assert_eq(filemap_read(&mapping, buf, sizeof(buf), &pos), 10, "stops at the end");
	cr_assert_eq(filemap_read(&mapping, buf, sizeof(buf), &pos), 0);
	cr_assert_eq(invalidate_mapping_pages(&mapping), 2);
	pagecache_get_stats(&s);
	cr_assert(s.cached == 0 && s.active == 0 && s.inactive == 0);
	kmem_cache_shrink_all();	/* the tree's node slab too */
	cr_assert_eq(nr_free_pages(), free_before, "every cached page freed");
	cr_assert_eq(mapping.pages.node, NULL);
}

Test(filemap, writes_dirty_until_writeback)
{
	static char page[PAGE_SIZE];
	loff_t pos = 2 * PAGE_SIZE + 100;
	struct pagecache_stats s;

	cr_assert_eq(filemap_write(&mapping, "xyz", 3, &pos), 3);
	cr_assert_eq(reads, 1, "a partial write reads the page first");
	memset(page, 'W', sizeof(page));
	pos = 5 * PAGE_SIZE;
	cr_assert_eq(filemap_write(&mapping, page, sizeof(page), &pos), PAGE_SIZE);
	cr_assert_eq(reads, 1, "a whole-page write does not");
	cr_assert(disk[2 * PAGE_SIZE + 100] == 'C' && disk[5 * PAGE_SIZE] == 'F',
		  "the disk is unchanged before writeback");
	pagecache_get_stats(&s);
	cr_assert_eq(s.dirty, 2);
	cr_assert_eq(invalidate_mapping_pages(&mapping), 0, "dirty pages are not dropped");
	cr_assert(radix_tree_tagged(&mapping.pages, PAGECACHE_TAG_DIRTY));
	fail_writes = 1;
	cr_assert_eq(filemap_write_and_wait(&mapping), -EIO);
	pagecache_get_stats(&s);
	cr_assert_eq(s.dirty, 2, "a failed write-back leaves the pages dirty");
	cr_assert_eq(flushes, 0, "no flush after a failure");
	fail_writes = 0;
	cr_assert_eq(filemap_write_and_wait(&mapping), 0);
	cr_assert_eq(writes, 2);
	cr_assert_eq(flushes, 1);
	cr_assert(!memcmp(disk + 2 * PAGE_SIZE + 100, "xyz", 3) && disk[5 * PAGE_SIZE] == 'W');
	cr_assert_eq(disk[2 * PAGE_SIZE + 99], 'C', "the rest of the page as it was");
	pagecache_get_stats(&s);
	cr_assert(s.dirty == 0 && s.writeback == 0);
	cr_assert(!radix_tree_tagged(&mapping.pages, PAGECACHE_TAG_DIRTY));
	cr_assert_eq(filemap_write_and_wait(&mapping), 0);
	cr_assert_eq(writes, 2, "nothing dirty: nothing written");
	pos = sizeof(disk);
	cr_assert_eq(filemap_write(&mapping, "x", 1, &pos), -ENOSPC);
	cr_assert_eq(invalidate_mapping_pages(&mapping), 2);
}
