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
#include <mm/pagemap.h>

static DEFINE_SPINLOCK(lru_lock);
static struct list_head lru_active = LIST_HEAD_INIT(lru_active);
static struct list_head lru_inactive = LIST_HEAD_INIT(lru_inactive);
static struct list_head mappings = LIST_HEAD_INIT(mappings);	/* under lru_lock */
static struct pagecache_stats stats;	/* under lru_lock, except the atomic counters */

void address_space_init(struct address_space *mapping, const struct address_space_operations *ops,
			void *host, uint64_t size)
{
	unsigned long flags;

	mapping->pages = (struct radix_tree_root)RADIX_TREE_INIT(GFP_KERNEL);
	mutex_init(&mapping->lock);
	mapping->nrpages = 0;
	mapping->a_ops = ops;
	mapping->host = host;
	mapping->size = size;
	flags = spin_lock_irqsave(&lru_lock);
	list_add_tail(&mapping->node, &mappings);
	spin_unlock_irqrestore(&lru_lock, flags);
}

static void count(unsigned long *counter, long delta)
{
	__atomic_add_fetch(counter, (unsigned long)delta, __ATOMIC_RELAXED);
}

/* A new page goes on the inactive list: one access proves nothing yet. */
static void lru_add(struct page *page)
{
	unsigned long flags = spin_lock_irqsave(&lru_lock);

	SetPageFlag(page, PG_lru);
	list_add(&page->lru, &lru_inactive);
	stats.inactive++;
	spin_unlock_irqrestore(&lru_lock, flags);
}

static void lru_del(struct page *page)
{
	unsigned long flags = spin_lock_irqsave(&lru_lock);

	list_del(&page->lru);
	if (PageFlag(page, PG_active))
		stats.active--;
	else
		stats.inactive--;
	ClearPageFlag(page, PG_lru);
	ClearPageFlag(page, PG_active);
	ClearPageFlag(page, PG_referenced);
	spin_unlock_irqrestore(&lru_lock, flags);
}

/*
 * Linux's mark_page_accessed: inactive and unreferenced -> referenced; inactive and
 * referenced -> active (to the head of the active list); active -> referenced.
 */
static void mark_page_accessed(struct page *page)
{
	unsigned long flags = spin_lock_irqsave(&lru_lock);

	if (!PageFlag(page, PG_active) && PageFlag(page, PG_referenced)) {
		list_del(&page->lru);
		list_add(&page->lru, &lru_active);
		SetPageFlag(page, PG_active);
		ClearPageFlag(page, PG_referenced);
		stats.inactive--;
		stats.active++;
	} else {
		SetPageFlag(page, PG_referenced);
	}
	spin_unlock_irqrestore(&lru_lock, flags);
}

struct page *pagecache_get_page(struct address_space *mapping, unsigned long index, bool fill)
{
	struct page *page = radix_tree_lookup(&mapping->pages, index);
	int err;

	if (!page) {
		page = alloc_page(GFP_KERNEL);
		if (!page)
			return ERR_PTR(-ENOMEM);
		page->mapping = mapping;
		page->index = index;
		err = radix_tree_insert(&mapping->pages, index, page);
		if (err) {
			page->mapping = NULL;
			__free_page(page);
			return ERR_PTR(err);
		}
		mapping->nrpages++;
		count(mapping->is_bdev ? &stats.buffers : &stats.cached, 1);
		lru_add(page);
	}
	if (!PageFlag(page, PG_uptodate)) {
		if (fill) {
			memset(page_address(page), 0, PAGE_SIZE);
		} else {
			err = mapping->a_ops->readpage(mapping, page);
			if (err)
				return ERR_PTR(err);	/* stays in the cache, not up to date */
			count(&stats.pgpgin, PAGE_SIZE / 1024);
		}
		SetPageFlag(page, PG_uptodate);
	}
	mark_page_accessed(page);
	return page;
}

void set_page_dirty(struct page *page)
{
	struct address_space *mapping = page->mapping;

	if (PageFlag(page, PG_dirty))
		return;
	SetPageFlag(page, PG_dirty);
	radix_tree_tag_set(&mapping->pages, page->index, PAGECACHE_TAG_DIRTY);
	count(&stats.dirty, 1);
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
		size_t off = (size_t)((uint64_t)*pos % PAGE_SIZE), n = PAGE_SIZE - off;
		struct page *page;

		if (n > count_ - done)
			n = count_ - done;
		if (n > mapping->size - (uint64_t)*pos)
			n = (size_t)(mapping->size - (uint64_t)*pos);
		page = pagecache_get_page(mapping, index, false);
		if (IS_ERR(page)) {
			err = PTR_ERR(page);
			break;
		}
		memcpy((char *)buf + done, (char *)page_address(page) + off, n);
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
		size_t off = (size_t)((uint64_t)*pos % PAGE_SIZE), n = PAGE_SIZE - off;
		struct page *page;

		if (n > count_ - done)
			n = count_ - done;
		if (n > mapping->size - (uint64_t)*pos)
			n = (size_t)(mapping->size - (uint64_t)*pos);
		/* A whole page is overwritten: no need to read what was there. */
		page = pagecache_get_page(mapping, index, off == 0 && n == PAGE_SIZE);
		if (IS_ERR(page)) {
			err = PTR_ERR(page);
			break;
		}
		memcpy((char *)page_address(page) + off, (const char *)buf + done, n);
		set_page_dirty(page);
		done += n;
		*pos += (loff_t)n;
	}
	mutex_unlock(&mapping->lock);
	return done ? (ssize_t)done : err;
}

int filemap_write_and_wait(struct address_space *mapping)
{
	void *batch[16];
	unsigned long idx[16], next = 0;
	unsigned int n;
	int ret = 0;

	mutex_lock(&mapping->lock);
	while ((n = radix_tree_gang_lookup(&mapping->pages, batch, idx, next, 16,
					   PAGECACHE_TAG_DIRTY)) > 0) {
		for (unsigned int i = 0; i < n; i++) {
			struct page *page = batch[i];
			int err;

			/* Clean before the write: a write during it would dirty it again. */
			ClearPageFlag(page, PG_dirty);
			radix_tree_tag_clear(&mapping->pages, idx[i], PAGECACHE_TAG_DIRTY);
			count(&stats.dirty, -1);
			SetPageFlag(page, PG_writeback);
			radix_tree_tag_set(&mapping->pages, idx[i], PAGECACHE_TAG_WRITEBACK);
			count(&stats.writeback, 1);
			err = mapping->a_ops->writepage(mapping, page);
			ClearPageFlag(page, PG_writeback);
			radix_tree_tag_clear(&mapping->pages, idx[i], PAGECACHE_TAG_WRITEBACK);
			count(&stats.writeback, -1);
			if (err) {
				set_page_dirty(page);	/* still newer than the disk */
				if (!ret)
					ret = err;
			} else {
				count(&stats.pgpgout, PAGE_SIZE / 1024);
			}
		}
		next = idx[n - 1] + 1;
		if (!next)
			break;	/* the last index: wrapped */
	}
	if (!ret && mapping->a_ops->flush)
		ret = mapping->a_ops->flush(mapping);
	mutex_unlock(&mapping->lock);
	return ret;
}

unsigned long invalidate_mapping_pages(struct address_space *mapping)
{
	void *batch[16];
	unsigned long idx[16], next = 0, freed = 0;
	unsigned int n;

	mutex_lock(&mapping->lock);
	while ((n = radix_tree_gang_lookup(&mapping->pages, batch, idx, next, 16,
					   RADIX_TREE_ANY)) > 0) {
		for (unsigned int i = 0; i < n; i++) {
			struct page *page = batch[i];

			if (PageFlag(page, PG_dirty) || PageFlag(page, PG_writeback))
				continue;	/* not ours to drop: the disk does not have it */
			radix_tree_delete(&mapping->pages, idx[i]);
			mapping->nrpages--;
			count(mapping->is_bdev ? &stats.buffers : &stats.cached, -1);
			lru_del(page);
			ClearPageFlag(page, PG_uptodate);
			page->mapping = NULL;
			__free_page(page);
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
	memset(&stats, 0, sizeof(stats));
}
#endif

void pagecache_get_stats(struct pagecache_stats *s)
{
	unsigned long flags = spin_lock_irqsave(&lru_lock);

	*s = stats;
	spin_unlock_irqrestore(&lru_lock, flags);
}
