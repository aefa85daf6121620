/*
 * The page cache (mm/filemap.c): pages of a disk (later of files) kept in memory, found by
 * their index in an address_space, so that a second read of the same bytes costs no I/O
 * and a write only dirties memory until writeback. Each cached page has
 *   page->mapping, page->index   whose page it is, and which
 *   PG_uptodate                  it holds the data (else it must be read first)
 *   PG_dirty (and the tree's DIRTY tag)          newer than the disk
 *   PG_writeback (and the WRITEBACK tag)         being written out
 *   PG_lru, PG_active, PG_referenced             its place on the LRU lists
 * Two LRU lists as Linux's: a page starts on the inactive list; a second access while it
 * is there (PG_referenced already set) moves it to the active list. Reclaim (later) takes
 * from the inactive tail; drop_caches takes every clean page.
 * Locking: a mapping's mutex serialises its readers and writers (they sleep on I/O);
 * writeback takes no mutex (the flusher must not hold writers up): the tree and its tags
 * are under the mapping's tree_lock, a page's flags change atomically, and a page is
 * written by whoever cleared its PG_dirty. The LRU lists have a spinlock; counters are
 * atomic.
 */
#ifndef MM_PAGEMAP_H
#define MM_PAGEMAP_H

#include <fs/fs.h>
#include <lib/radix_tree.h>
#include <mm/page.h>
#include <kernel/spinlock.h>
#include <sched/mutex.h>

#define PAGECACHE_TAG_DIRTY	0
#define PAGECACHE_TAG_WRITEBACK	1

struct address_space;

struct address_space_operations {
	/* Fill @page (locked by the mapping's mutex) from the backing store: 0 or -errno. */
	int (*readpage)(struct address_space *mapping, struct page *page);
	/* Write @page out, synchronously: 0 or -errno. */
	int (*writepage)(struct address_space *mapping, struct page *page);
	int (*flush)(struct address_space *mapping);	/* the device's write cache; may be NULL */
};

struct address_space {
	struct radix_tree_root pages;		/* index -> struct page, under tree_lock */
	spinlock_t tree_lock;			/* the tree, its tags, nrpages */
	struct mutex lock;			/* readers and writers: one at a time */
	unsigned long nrpages;
	uint64_t size;				/* bytes: reads stop there */
	const struct address_space_operations *a_ops;
	void *host;				/* the gendisk */
	bool is_bdev;				/* counts as Buffers in meminfo (else Cached) */
	struct list_head node;			/* on the list of every mapping */
};

void address_space_init(struct address_space *mapping, const struct address_space_operations *ops,
			void *host, uint64_t size);

/* The page at @index, read in if it is not up to date (the mapping's mutex held): a page
 * with a reference for the caller (pagecache_put_page it when done), or an ERR_PTR. @fill: the caller overwrites the whole page,
 * so do not read it first. */
struct page *pagecache_get_page(struct address_space *mapping, unsigned long index, bool fill);
void set_page_dirty(struct page *page);		/* the mapping's mutex held */
/* Write every dirty page of @mapping and wait (fsync): 0 or the first error. */
int filemap_write_and_wait(struct address_space *mapping);
long writeback_mapping(struct address_space *mapping, unsigned long max, uint64_t older_than_ns);
void pagecache_count(unsigned long *counter, long delta);	/* on a pagecache_stats field */
extern struct pagecache_stats pagecache_stats;

/*
 * Writeback (mm/page-writeback.c): the flusher thread and the dirty limits, as Linux's
 * vm.dirty_* sysctls. balance_dirty_pages is called by a writer after each page it
 * dirties, without the mapping's mutex: above vm.dirty_ratio the writer writes back itself
 * (throttled), above vm.dirty_background_ratio it wakes the flusher.
 */
void balance_dirty_pages(struct address_space *mapping);
void writeback_init(void);		/* the flusher thread */
void dirty_thresholds(unsigned long *background, unsigned long *hard);	/* in pages */
void wakeup_flusher(void);
void writeback_page_done(void);		/* a page's writeback ended: wake the waiters */
void wait_on_writeback(struct address_space *mapping);	/* until no page is being written */
bool mapping_tagged(struct address_space *mapping, unsigned int tag);	/* any page with it */
/* Drop the clean pages nobody holds: how many were freed (drop_caches, later reclaim). */
unsigned long invalidate_mapping_pages(struct address_space *mapping);

/* Reads and writes of a mapping's bytes through the cache (the mutex taken inside). */
ssize_t filemap_read(struct address_space *mapping, void *buf, size_t count, loff_t *pos);
ssize_t filemap_write(struct address_space *mapping, const void *buf, size_t count, loff_t *pos);

struct pagecache_stats {
	unsigned long cached, buffers;	/* pages in caches: of files, of block devices */
	unsigned long dirty, writeback;	/* pages now */
	unsigned long active, inactive;	/* on the LRU lists */
	unsigned long pgpgin, pgpgout;	/* KiB read in and written out, since boot */
	unsigned long dirtied, written;	/* pages made dirty, written back: since boot */
	unsigned long wb_expired, wb_background, wb_throttled;	/* written by whom, why */
	unsigned long throttle_events;	/* writes that had to write back themselves */
};
void pagecache_get_stats(struct pagecache_stats *s);
void pagecache_put_page(struct page *page);	/* the reference pagecache_get_page gave */
/* Reclaim's side of the LRU (mm/vmscan.c calls them). */
unsigned long shrink_inactive_list(unsigned long nr_to_scan, unsigned long *scanned);
void deactivate_pages(unsigned long nr);
/*
 * Reclaim's writeback: write the dirty, unreferenced pages among the @nr_to_scan at the
 * inactive list's tail, so that the next scan finds them clean and can free them. Sleeps.
 * Returns the pages written.
 */
unsigned long pageout_inactive(unsigned long nr_to_scan);
unsigned long drop_pagecache(void);	/* every mapping's clean pages; how many freed */
#ifdef HOSTED_TEST
void filemap_host_reset(void);		/* a new fake machine: forget every mapping */
#endif

#endif
