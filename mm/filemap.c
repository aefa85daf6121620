/*
 * The page cache (include/mm/pagemap.h). A read asks for each page of the range: a page
 * in the tree and up to date is copied out at once (a "hit"); otherwise a page is
 * allocated, put in the tree and on the inactive LRU, filled by the mapping's readpage
 * (one bio of 4 KiB) and marked up to date. A write copies into the page (reading it in
 * first unless the write covers it whole) and marks it dirty: the write is done when the
 * memory is, and the disk sees it only at writeback, here fsync (later the flusher
 * thread): every page tagged DIRTY is found through the tree's tags, cleared, tagged
 * WRITEBACK, written with writepage, and untagged; then the device's cache is flushed.
 * Counters: Buffers/Cached (pages in caches of disks/files), Dirty, Writeback, and vmstat's
 * pgpgin/pgpgout (KiB read and written). drop_caches=1 frees every clean page.
 */
#include <lib/err.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/gfp.h>
#include <kernel/time.h>
#include <mm/pagemap.h>

static DEFINE_SPINLOCK(lru_lock);
static struct list_head lru_active = LIST_HEAD_INIT(lru_active);
static struct list_head lru_inactive = LIST_HEAD_INIT(lru_inactive);
static struct list_head mappings = LIST_HEAD_INIT(mappings);	/* under lru_lock */
struct pagecache_stats pagecache_stats;	/* LRU counts under lru_lock, the rest atomic */

void address_space_init(struct address_space *mapping, const struct address_space_operations *ops,
			void *host, uint64_t size)
{
	unsigned long flags;

	mapping->pages = (struct radix_tree_root)RADIX_TREE_INIT(GFP_ATOMIC);
	mutex_init(&mapping->lock);
	spin_lock_init(&mapping->tree_lock);
	mapping->nrpages = 0;
	mapping->a_ops = ops;
	mapping->host = host;
	mapping->size = size;
	flags = spin_lock_irqsave(&lru_lock);
	list_add_tail(&mapping->node, &mappings);
	spin_unlock_irqrestore(&lru_lock, flags);
}

void pagecache_count(unsigned long *counter, long delta)
{
	__atomic_add_fetch(counter, (unsigned long)delta, __ATOMIC_RELAXED);
}

/*
 * A cached page's flags change from several places at once (a writer under the mapping's
 * mutex, the flusher without it, the LRU under its lock), so every change here is atomic.
 */
static void set_flag(struct page *p, enum pageflags f)
{
	__atomic_fetch_or(&p->flags, 1ul << f, __ATOMIC_RELAXED);
}

static void clear_flag(struct page *p, enum pageflags f)
{
	__atomic_fetch_and(&p->flags, ~(1ul << f), __ATOMIC_RELAXED);
}

static bool test_and_clear_flag(struct page *p, enum pageflags f)
{
	return __atomic_fetch_and(&p->flags, ~(1ul << f), __ATOMIC_ACQ_REL) & (1ul << f);
}

static bool test_and_set_flag(struct page *p, enum pageflags f)
{
	return __atomic_fetch_or(&p->flags, 1ul << f, __ATOMIC_ACQ_REL) & (1ul << f);
}

static bool flag(const struct page *p, enum pageflags f)
{
	return __atomic_load_n(&p->flags, __ATOMIC_ACQUIRE) & (1ul << f);
}

/*
 * References: the cache holds one (refcount 1 while the page is only cached); whoever
 * uses a page's bytes (a read, a write, a writeback) holds one more meanwhile, taken under
 * the tree lock, so reclaim, which frees only pages at refcount 1, never frees one in use.
 */
static void page_ref_get(struct page *p)
{
	__atomic_fetch_add(&p->refcount, 1, __ATOMIC_ACQ_REL);
}

void pagecache_put_page(struct page *p)
{
	__atomic_fetch_sub(&p->refcount, 1, __ATOMIC_ACQ_REL);
}

static bool page_idle(const struct page *p)
{
	return __atomic_load_n(&p->refcount, __ATOMIC_ACQUIRE) == 1 && !flag(p, PG_dirty) &&
	       !flag(p, PG_writeback);
}

/* Buffers (a disk's pages) or Cached (a file's). */
static unsigned long *pages_counter(const struct address_space *mapping)
{
	return mapping->is_bdev ? &pagecache_stats.buffers : &pagecache_stats.cached;
}

/* A new page goes on the inactive list: one access proves nothing yet. */
static void lru_add(struct page *page)
{
	unsigned long flags = spin_lock_irqsave(&lru_lock);

	set_flag(page, PG_lru);
	list_add(&page->lru, &lru_inactive);
	pagecache_stats.inactive++;
	spin_unlock_irqrestore(&lru_lock, flags);
}

static void lru_del(struct page *page)
{
	unsigned long flags = spin_lock_irqsave(&lru_lock);

	list_del(&page->lru);
	if (flag(page, PG_active))
		pagecache_stats.active--;
	else
		pagecache_stats.inactive--;
	clear_flag(page, PG_lru);
	clear_flag(page, PG_active);
	clear_flag(page, PG_referenced);
	spin_unlock_irqrestore(&lru_lock, flags);
}

/* A page out of its tree and off the LRU: back to the page allocator. */
static void free_cache_page(struct page *page)
{
	pagecache_count(pages_counter(page->mapping), -1);
	clear_flag(page, PG_uptodate);
	page->mapping = NULL;
	__free_page(page);
}

/*
 * Reclaim (mm/vmscan.c) of the page at the inactive list's tail: the clean, unused pages
 * are taken out of their mapping and freed; a page referenced since it was put there gets
 * a second chance (to the head, unreferenced); others stay. Up to @nr_to_scan pages are
 * looked at; returns how many were freed, and *@scanned how many were looked at.
 */
unsigned long shrink_inactive_list(unsigned long nr_to_scan, unsigned long *scanned)
{
	unsigned long freed = 0, n = 0, flags = spin_lock_irqsave(&lru_lock);

	while (n < nr_to_scan && !list_empty(&lru_inactive)) {
		struct page *page = list_last_entry(&lru_inactive, struct page, lru);
		struct address_space *mapping = page->mapping;
		bool taken;

		n++;
		list_del(&page->lru);
		if (test_and_clear_flag(page, PG_referenced)) {
			list_add(&page->lru, &lru_inactive);	/* second chance */
			continue;
		}
		spin_lock(&mapping->tree_lock);	/* lock order: lru_lock, then a tree_lock */
		taken = page_idle(page) && radix_tree_lookup(&mapping->pages, page->index) == page;
		if (taken) {
			radix_tree_delete(&mapping->pages, page->index);
			mapping->nrpages--;
		}
		spin_unlock(&mapping->tree_lock);
		if (!taken) {
			list_add(&page->lru, &lru_inactive);	/* dirty or in use: later */
			continue;
		}
		pagecache_stats.inactive--;
		clear_flag(page, PG_lru);
		spin_unlock_irqrestore(&lru_lock, flags);
		free_cache_page(page);
		freed++;
		flags = spin_lock_irqsave(&lru_lock);
	}
	spin_unlock_irqrestore(&lru_lock, flags);
	*scanned = n;
	return freed;
}

/* Move up to @nr pages from the active list's tail to the inactive list's head. */
void deactivate_pages(unsigned long nr)
{
	unsigned long flags = spin_lock_irqsave(&lru_lock);

	while (nr-- && !list_empty(&lru_active)) {
		struct page *page = list_last_entry(&lru_active, struct page, lru);

		list_del(&page->lru);
		list_add(&page->lru, &lru_inactive);
		clear_flag(page, PG_active);
		pagecache_stats.active--;
		pagecache_stats.inactive++;
	}
	spin_unlock_irqrestore(&lru_lock, flags);
}

/*
 * Linux's mark_page_accessed: inactive and unreferenced -> referenced; inactive and
 * referenced -> active (to the head of the active list); active -> referenced.
 */
static void mark_page_accessed(struct page *page)
{
	unsigned long flags = spin_lock_irqsave(&lru_lock);

	if (!flag(page, PG_active) && flag(page, PG_referenced)) {
		list_del(&page->lru);
		list_add(&page->lru, &lru_active);
		set_flag(page, PG_active);
		clear_flag(page, PG_referenced);
		pagecache_stats.inactive--;
		pagecache_stats.active++;
	} else {
		set_flag(page, PG_referenced);
	}
	spin_unlock_irqrestore(&lru_lock, flags);
}

/* The page at @index with a reference for the caller, or NULL. */
static struct page *find_get(struct address_space *mapping, unsigned long index)
{
	unsigned long flags = spin_lock_irqsave(&mapping->tree_lock);
	struct page *page = radix_tree_lookup(&mapping->pages, index);

	if (page)
		page_ref_get(page);
	spin_unlock_irqrestore(&mapping->tree_lock, flags);
	return page;
}

bool mapping_tagged(struct address_space *mapping, unsigned int t)
{
	unsigned long flags = spin_lock_irqsave(&mapping->tree_lock);
	bool any = radix_tree_tagged(&mapping->pages, t);

	spin_unlock_irqrestore(&mapping->tree_lock, flags);
	return any;
}

static unsigned int gang(struct address_space *mapping, void **items, unsigned long *idx,
			 unsigned long first, unsigned int max, unsigned int t)
{
	unsigned long flags = spin_lock_irqsave(&mapping->tree_lock);
	unsigned int n = radix_tree_gang_lookup(&mapping->pages, items, idx, first, max, t);

	spin_unlock_irqrestore(&mapping->tree_lock, flags);
	return n;
}

struct page *pagecache_get_page(struct address_space *mapping, unsigned long index, bool fill)
{
	struct page *page = find_get(mapping, index);
	unsigned long flags;
	int err;

	if (!page) {
		page = alloc_page(GFP_KERNEL);
		if (!page)
			return ERR_PTR(-ENOMEM);
		page->mapping = mapping;
		page->index = index;
		page->refcount = 2;	/* the cache's and the caller's */
		flags = spin_lock_irqsave(&mapping->tree_lock);
		err = radix_tree_insert(&mapping->pages, index, page);	/* nodes: GFP_ATOMIC */
		if (!err)
			mapping->nrpages++;
		spin_unlock_irqrestore(&mapping->tree_lock, flags);
		if (err) {
			page->mapping = NULL;
			page->refcount = 1;
			__free_page(page);
			return ERR_PTR(err);
		}
		pagecache_count(pages_counter(mapping), 1);
		lru_add(page);
	}
	if (!flag(page, PG_uptodate)) {
		if (fill) {
			memset(page_address(page), 0, PAGE_SIZE);
		} else {
			err = mapping->a_ops->readpage(mapping, page);
			if (err) {
				pagecache_put_page(page);
				return ERR_PTR(err);	/* stays in the cache, not up to date */
			}
			pagecache_count(&pagecache_stats.pgpgin, PAGE_SIZE / 1024);
		}
		set_flag(page, PG_uptodate);
	}
	mark_page_accessed(page);
	return page;
}

void set_page_dirty(struct page *page)
{
	struct address_space *mapping = page->mapping;
	unsigned long flags;

	if (test_and_set_flag(page, PG_dirty))
		return;
	page->private = (unsigned long)ktime_get_ns();	/* dirtied_when: for expiry */
	flags = spin_lock_irqsave(&mapping->tree_lock);
	radix_tree_tag_set(&mapping->pages, page->index, PAGECACHE_TAG_DIRTY);
	spin_unlock_irqrestore(&mapping->tree_lock, flags);
	pagecache_count(&pagecache_stats.dirty, 1);
	pagecache_count(&pagecache_stats.dirtied, 1);
}

/* The bytes of the next step at @pos: to the page's end, the request's or the mapping's. */
static size_t chunk(const struct address_space *mapping, loff_t pos, size_t off, size_t left)
{
	size_t n = PAGE_SIZE - off;

	if (n > left)
		n = left;
	if (n > mapping->size - (uint64_t)pos)
		n = (size_t)(mapping->size - (uint64_t)pos);
	return n;
}

ssize_t filemap_read(struct address_space *mapping, void *buf, size_t count_, loff_t *pos)
{
	size_t done = 0;
	ssize_t err = 0;

	if (*pos < 0)
		return -EINVAL;
	mutex_lock(&mapping->lock);
	while (done < count_ && (uint64_t)*pos < mapping->size) {
		unsigned long index = (unsigned long)((uint64_t)*pos / PAGE_SIZE);
		size_t off = (size_t)((uint64_t)*pos % PAGE_SIZE);
		size_t n = chunk(mapping, *pos, off, count_ - done);
		struct page *page;

		page = pagecache_get_page(mapping, index, false);
		if (IS_ERR(page)) {
			err = PTR_ERR(page);
			break;
		}
		memcpy((char *)buf + done, (char *)page_address(page) + off, n);
		pagecache_put_page(page);
		done += n;
		*pos += (loff_t)n;
	}
	mutex_unlock(&mapping->lock);
	return done ? (ssize_t)done : err;
}

ssize_t filemap_write(struct address_space *mapping, const void *buf, size_t count_, loff_t *pos)
{
	size_t done = 0;
	ssize_t err = 0;

	if (*pos < 0)
		return -EINVAL;
	if ((uint64_t)*pos >= mapping->size)
		return count_ ? -ENOSPC : 0;	/* a disk does not grow */
	mutex_lock(&mapping->lock);
	while (done < count_ && (uint64_t)*pos < mapping->size) {
		unsigned long index = (unsigned long)((uint64_t)*pos / PAGE_SIZE);
		size_t off = (size_t)((uint64_t)*pos % PAGE_SIZE);
		size_t n = chunk(mapping, *pos, off, count_ - done);
		struct page *page;

		/* A whole page is overwritten: no need to read what was there. */
		page = pagecache_get_page(mapping, index, off == 0 && n == PAGE_SIZE);
		if (IS_ERR(page)) {
			err = PTR_ERR(page);
			break;
		}
		memcpy((char *)page_address(page) + off, (const char *)buf + done, n);
		set_page_dirty(page);
		pagecache_put_page(page);
		done += n;
		*pos += (loff_t)n;
		/* Above the limits: help, or be throttled; without the mutex, so that readers
		 * of this disk are not held up by this writer's writeback. */
		mutex_unlock(&mapping->lock);
		balance_dirty_pages(mapping);
		mutex_lock(&mapping->lock);
	}
	mutex_unlock(&mapping->lock);
	return done ? (ssize_t)done : err;
}

/*
 * Write @page (index @idx of @mapping) back if it is still there, not being written, old
 * enough and dirty: 1 when written, 0 when it was not ours to write, or -errno.
 */
static int writeback_page(struct address_space *mapping, struct page *page, unsigned long idx,
			  uint64_t older_than_ns)
{
	unsigned long flags = spin_lock_irqsave(&mapping->tree_lock);
	bool mine;
	int err;

	/* Still this page (invalidation did not take it), not being written, old enough,
	 * and dirty: then its writeback is ours. */
	mine = radix_tree_lookup(&mapping->pages, idx) == page && !flag(page, PG_writeback) &&
	       (!older_than_ns || page->private < older_than_ns) &&
	       test_and_clear_flag(page, PG_dirty);
	if (mine) {
		page_ref_get(page);	/* reclaim keeps off it while it is written */
		set_flag(page, PG_writeback);
		radix_tree_tag_clear(&mapping->pages, idx, PAGECACHE_TAG_DIRTY);
		radix_tree_tag_set(&mapping->pages, idx, PAGECACHE_TAG_WRITEBACK);
	}
	spin_unlock_irqrestore(&mapping->tree_lock, flags);
	if (!mine)
		return 0;
	pagecache_count(&pagecache_stats.dirty, -1);
	pagecache_count(&pagecache_stats.writeback, 1);
	err = mapping->a_ops->writepage(mapping, page);
	flags = spin_lock_irqsave(&mapping->tree_lock);
	if (flag(page, PG_dirty))	/* written into meanwhile: tagged again */
		radix_tree_tag_set(&mapping->pages, idx, PAGECACHE_TAG_DIRTY);
	radix_tree_tag_clear(&mapping->pages, idx, PAGECACHE_TAG_WRITEBACK);
	clear_flag(page, PG_writeback);
	spin_unlock_irqrestore(&mapping->tree_lock, flags);
	pagecache_put_page(page);
	pagecache_count(&pagecache_stats.writeback, -1);
	writeback_page_done();
	if (err) {
		set_page_dirty(page);	/* still newer than the disk */
		return err;
	}
	pagecache_count(&pagecache_stats.written, 1);
	pagecache_count(&pagecache_stats.pgpgout, PAGE_SIZE / 1024);
	return 1;
}

/*
 * Write back up to @max dirty pages of @mapping in index order, only those dirtied before
 * @older_than_ns (0: any). Needs no lock of the caller's: the flusher runs it without the
 * mapping's mutex, so writers are never held up by its I/O. Each page is moved from dirty
 * to writeback atomically (whoever clears PG_dirty owns its write), written, and ends its
 * writeback; a write into it meanwhile dirties it again, and it is written once more
 * later. A failed write makes it dirty again. Returns the pages written, or the first
 * error if none was.
 */
long writeback_mapping(struct address_space *mapping, unsigned long max, uint64_t older_than_ns)
{
	void *batch[16];
	unsigned long idx[16], next = 0, written = 0;
	unsigned int n;
	int ret = 0;

	while (written < max &&
	       (n = gang(mapping, batch, idx, next, 16, PAGECACHE_TAG_DIRTY)) > 0) {
		for (unsigned int i = 0; i < n && written < max; i++) {
			int r = writeback_page(mapping, batch[i], idx[i], older_than_ns);

			if (r > 0)
				written++;
			else if (r < 0 && !ret)
				ret = r;
		}
		next = idx[n - 1] + 1;
		if (!next)
			break;	/* the last index: wrapped */
	}
	return written ? (long)written : ret;
}

unsigned long pageout_inactive(unsigned long nr_to_scan)
{
	unsigned long written = 0;

	for (;;) {
		struct page *batch[32], *page;
		unsigned long flags = spin_lock_irqsave(&lru_lock), looked = 0, done = 0;
		unsigned int n = 0;

		/* The dirty pages among the @nr_to_scan at the tail, that reclaim would take
		 * (not referenced), a batch at a time; a reference keeps each. */
		list_for_each_entry_reverse(page, &lru_inactive, lru) {
			if (n == ARRAY_SIZE(batch) || looked++ == nr_to_scan)
				break;
			if (flag(page, PG_dirty) && !flag(page, PG_writeback) &&
			    !flag(page, PG_referenced)) {
				page_ref_get(page);
				batch[n++] = page;
			}
		}
		spin_unlock_irqrestore(&lru_lock, flags);
		for (unsigned int i = 0; i < n; i++) {
			if (writeback_page(batch[i]->mapping, batch[i], batch[i]->index, 0) > 0)
				done++;
			pagecache_put_page(batch[i]);
		}
		written += done;
		if (!done)
			return written;	/* nothing (more) to write in the window */
	}
}

int filemap_write_and_wait(struct address_space *mapping)
{
	long ret;

	mutex_lock(&mapping->lock);	/* no writer adds pages meanwhile */
	ret = writeback_mapping(mapping, ~0ul, 0);
	/* Pages the flusher is writing are not on the disk yet either: wait for them. */
	wait_on_writeback(mapping);
	/* A page that failed is dirty again: report the failure, flush only on success. */
	if (ret >= 0 && mapping_tagged(mapping, PAGECACHE_TAG_DIRTY))
		ret = -EIO;
	if (ret >= 0 && mapping->a_ops->flush)
		ret = mapping->a_ops->flush(mapping);
	mutex_unlock(&mapping->lock);
	return ret < 0 ? (int)ret : 0;
}

unsigned long invalidate_mapping_pages(struct address_space *mapping)
{
	void *batch[16];
	unsigned long idx[16], next = 0, freed = 0;
	unsigned int n;

	mutex_lock(&mapping->lock);
	while ((n = gang(mapping, batch, idx, next, 16, RADIX_TREE_ANY)) > 0) {
		for (unsigned int i = 0; i < n; i++) {
			struct page *page = batch[i];
			unsigned long flags = spin_lock_irqsave(&mapping->tree_lock);

			/* Under the tree lock: the flusher cannot take it for writeback now. */
			if (!page_idle(page)) {
				spin_unlock_irqrestore(&mapping->tree_lock, flags);
				continue;	/* in use, or the disk does not have it */
			}
			radix_tree_delete(&mapping->pages, idx[i]);
			mapping->nrpages--;
			spin_unlock_irqrestore(&mapping->tree_lock, flags);
			lru_del(page);
			free_cache_page(page);
			freed++;
		}
		next = idx[n - 1] + 1;
		if (!next)
			break;
	}
	mutex_unlock(&mapping->lock);
	return freed;
}

unsigned long drop_pagecache(void)
{
	struct address_space *m;
	unsigned long freed = 0;

	/* Mappings are made at boot and never freed: the walk needs no lock. */
	list_for_each_entry(m, &mappings, node)
		freed += invalidate_mapping_pages(m);
	return freed;
}

#ifdef HOSTED_TEST
void filemap_host_reset(void)
{
	INIT_LIST_HEAD(&lru_active);
	INIT_LIST_HEAD(&lru_inactive);
	INIT_LIST_HEAD(&mappings);
	memset(&pagecache_stats, 0, sizeof(pagecache_stats));
}
#endif

void pagecache_get_stats(struct pagecache_stats *s)
{
	unsigned long flags = spin_lock_irqsave(&lru_lock);

	*s = pagecache_stats;
	spin_unlock_irqrestore(&lru_lock, flags);
}
