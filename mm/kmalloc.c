/*
 * kmalloc and its family: memory of any size for the kernel, from a set of slab caches of
 * fixed sizes (docs/slab.md). kmalloc rounds a request up to the next of Linux's x86_64 size
 * classes (8, 16, 32, 64, 96, 128, 192, 256, 512, 1k, 2k, 4k, 8k bytes) and allocates from
 * that cache, kmalloc-N; GFP_DMA requests use dma-kmalloc-N, whose slabs lie below 16 MiB.
 * Above 8 KiB a request gets its own block of pages from the buddy allocator (a "large"
 * kmalloc, freed by order from its head page). So kmalloc(160) hands out 192 bytes:
 * ksize() reports that, and the waste view (`slabinfo -w`) adds up what is lost that way
 * (internal fragmentation) from the sizes requested, which each cache counts.
 *
 * Why 96 and 192: between 64 and 128, and 128 and 256, many requests would waste up to half
 * their object; the two extra classes cap that at a third.
 *
 * kfree finds everything from the struct page: a slab page names its cache, a large block's
 * head page its order (and a mark that kmalloc owns it). A pointer that is neither (the
 * stack, the kernel image, an interior pointer into a large block, a page from alloc_pages, a
 * block already freed) is reported ("BUG kmalloc (Not tainted): Not a slab object") and
 * ignored, never freed.
 *
 * GFP_DMA32 has no caches of its own (as in Linux): a small kmalloc comes from wherever its
 * cache's slabs are; a large one honours it. Memory below 4 GiB is alloc_pages(GFP_DMA32)'s job.
 */
#define pr_fmt(fmt) "kmalloc: " fmt

#include <kernel/printk.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/slab.h>

struct kmem_cache *kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1];
struct kmalloc_large_stats kmalloc_large_stats;

/*
 * The head page of a large kmalloc carries this in page->private (kmalloc owns the block, so
 * the field is its to use): it tells the block from one that alloc_pages handed to someone
 * else, which kfree must refuse. Cleared before the block goes back.
 */
#define KMALLOC_LARGE_MAGIC 0x6b6d616c6c6f6321ul	/* "kmalloc!" */

/*
 * The class of a request of 1..192 bytes, by (size - 1) / 8 (Linux's size_index). Class i
 * is 2^i bytes, except classes 1 (96 bytes) and 2 (192 bytes).
 */
static const uint8_t size_index[24] = {
	3, 4, 5, 5, 6, 6, 6, 6,	/* 1-8: 8, 9-16: 16, 17-32: 32, 33-64: 64 */
	1, 1, 1, 1, 7, 7, 7, 7,	/* 65-96: 96, 97-128: 128 */
	2, 2, 2, 2, 2, 2, 2, 2,	/* 129-192: 192 */
};

static unsigned int kmalloc_index(size_t size)
{
	if (size <= 192)
		return size_index[(size - 1) / 8];
	return (unsigned int)(64 - __builtin_clzl(size - 1));	/* fls: the next power of 2 */
}

/*
 * kmalloc_index for every request of 1..8192 bytes, by (size - 1) / 8: the classes are
 * multiples of 8, so the 8 sizes of a group share one. kmalloc looks it up here, one load
 * and no branch: with sizes that vary from call to call, the branch between size_index and
 * fls above would be mispredicted often, and a mispredicted branch costs more than the whole
 * lookup. 1 KiB, filled at boot (all 0 before: class 0 has no cache, so kmalloc says it is
 * too early).
 */
static uint8_t size_class[KMALLOC_MAX_CACHE_SIZE / 8];

static inline unsigned int kmalloc_size(unsigned int index)
{
	return index == 1 ? 96 : index == 2 ? 192 : 1u << index;
}

/* The buddy order for @size bytes: the smallest block of pages that holds them. */
static inline unsigned int size_order(size_t size)
{
	if (size <= PAGE_SIZE)
		return 0;
	return (unsigned int)(64 - __builtin_clzl((size - 1) >> PAGE_SHIFT));
}

static void new_kmalloc_cache(unsigned int index, enum kmalloc_cache_type type)
{
	unsigned int size = kmalloc_size(index);
	char name[KMEM_CACHE_NAME_LEN];
	slab_flags_t flags;

	if (size >= 1024)
		snprintf(name, sizeof(name), "%skmalloc-%uk", type == KMALLOC_DMA ? "dma-" : "",
			 size >> 10);
	else
		snprintf(name, sizeof(name), "%skmalloc-%u", type == KMALLOC_DMA ? "dma-" : "",
			 size);
	flags = SLAB_KMALLOC | (type == KMALLOC_DMA ? SLAB_CACHE_DMA : 0);
	kmalloc_caches[type][index] = kmem_cache_create(name, size, 0, flags, NULL);
	if (!kmalloc_caches[type][index])
		pr_err("cannot create %s: kmalloc of up to %u bytes will fail\n", name, size);
}

/* In Linux's order (96 after 64, 192 after 128), so slabinfo lists them as Linux does. */
void create_kmalloc_caches(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(size_class); i++)
		size_class[i] = (uint8_t)kmalloc_index(i * 8 + 1);
	for (int type = KMALLOC_NORMAL; type < NR_KMALLOC_TYPES; type++) {
		for (unsigned int i = KMALLOC_SHIFT_LOW; i <= KMALLOC_SHIFT_HIGH; i++) {
			new_kmalloc_cache(i, type);
			if (i == 6)
				new_kmalloc_cache(1, type);
			if (i == 7)
				new_kmalloc_cache(2, type);
		}
	}
}

static __noinline void *kmalloc_large(size_t size, gfp_t gfp)
{
	unsigned int order = size_order(size);
	struct page *page;

	if (size > KMALLOC_MAX_SIZE) {
		if (!(gfp & __GFP_NOWARN))
			pr_warn("kmalloc(%zu): larger than %lu bytes, the largest block of pages\n",
				size, KMALLOC_MAX_SIZE);
		return NULL;
	}
	page = alloc_pages(gfp, order);
	if (!page)
		return NULL;
	page->private = KMALLOC_LARGE_MAGIC;
	__atomic_fetch_add(&kmalloc_large_stats.calls, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&kmalloc_large_stats.requested, size, __ATOMIC_RELAXED);
	__atomic_fetch_add(&kmalloc_large_stats.given, PAGE_SIZE << order, __ATOMIC_RELAXED);
	__atomic_fetch_add(&kmalloc_large_stats.pages, 1ul << order, __ATOMIC_RELAXED);
	return page_address(page);
}

static __noinline void *kmalloc_too_early(size_t size)
{
	pr_err("kmalloc(%zu) before kmem_cache_init(): returning NULL\n", size);
	return NULL;
}

static __always_inline void *kmalloc_from(enum kmalloc_cache_type type, size_t size, gfp_t gfp,
					  unsigned long caller)
{
	struct kmem_cache *s = kmalloc_caches[type][size_class[(size - 1) / 8]];

	if (unlikely(!s))
		return kmalloc_too_early(size);
	return slab_alloc(s, gfp, caller, size);
}

static __noinline void *kmalloc_dma(size_t size, gfp_t gfp, unsigned long caller)
{
	return kmalloc_from(KMALLOC_DMA, size, gfp, caller);
}

static __always_inline void *__kmalloc(size_t size, gfp_t gfp, unsigned long caller)
{
	/* one test for 0 and for too big: size - 1 wraps around for 0 */
	if (unlikely(size - 1 >= KMALLOC_MAX_CACHE_SIZE))
		return size ? kmalloc_large(size, gfp) : ZERO_SIZE_PTR;
	if (unlikely(gfp & __GFP_DMA))
		return kmalloc_dma(size, gfp, caller);
	return kmalloc_from(KMALLOC_NORMAL, size, gfp, caller);
}

void *kmalloc(size_t size, gfp_t gfp)
{
	return __kmalloc(size, gfp, _RET_IP_);
}

/* Is @page the head of a large kmalloc that starts at @x? */
static bool is_large_kmalloc(const struct page *page, const void *x)
{
	return page && page->flags == (1ul << PG_head) && page->refcount == 1 &&
	       page->private == KMALLOC_LARGE_MAGIC && x == page_address(page);
}

/* Why @x, in the frame of @page, is not a kmalloc: for the report. */
static const char *not_kmalloc_reason(const struct page *page, const void *x)
{
	if (PageFlag(page, PG_reserved))
		return "a reserved frame: the kernel image, firmware or a hole";
	if (PageFlag(page, PG_buddy) || PageFlag(page, PG_pcp) || !page->refcount)
		return "a free frame: freed already?";
	if (PageFlag(page, PG_head) && x == page_address(page))
		return "the start of a block from alloc_pages, not from kmalloc";
	return "inside a block of pages, not at its start";
}

static void report_not_kmalloc(const char *fn, struct page *page, const void *x,
			       unsigned long caller)
{
	if (!page)
		slab_report(SLAB_BUG_NOT_SLAB, NULL, NULL, x, NULL, caller,
			    "%s(%p): not an address in the direct map of RAM", fn, x);
	else
		slab_report(SLAB_BUG_NOT_SLAB, NULL, NULL, x, NULL, caller,
			    "%s(%p): not from kmalloc: pfn %#lx is %s (flags %#lx order %u)", fn,
			    x, page_to_pfn(page), not_kmalloc_reason(page, x), page->flags,
			    page->order);
}

/* Not a slab object: a large kmalloc to free, or a mistake to report. */
static __noinline void kfree_nonslab(struct page *page, const void *x, unsigned long caller)
{
	unsigned int order;

	if (!is_large_kmalloc(page, x)) {
		report_not_kmalloc("kfree", page, x, caller);
		return;
	}
	order = page->order;
	page->private = 0;
	__atomic_fetch_sub(&kmalloc_large_stats.pages, 1ul << order, __ATOMIC_RELAXED);
	__free_pages(page, order);
}

static __always_inline void __kfree(const void *x, unsigned long caller)
{
	struct page *page;

	if (unlikely(ZERO_OR_NULL_PTR(x)))
		return;
	/*
	 * The free will write the object's first word (the free pointer, in a kmalloc cache).
	 * Ask for its line now, so that the miss overlaps the look-up of its struct page, which
	 * is a miss of its own more often than not. A prefetch never faults: any x will do.
	 */
	__builtin_prefetch(x, 1);
	page = slab_virt_to_page(x);
	if (likely(page && PageFlag(page, PG_slab)))
		slab_free(page->slab_cache, page, (void *)x, caller);
	else
		kfree_nonslab(page, x, caller);
}

void kfree(const void *x)
{
	__kfree(x, _RET_IP_);
}

static size_t __ksize(const void *x, unsigned long caller)
{
	struct page *page;

	if (ZERO_OR_NULL_PTR(x))
		return 0;
	page = slab_virt_to_page(x);
	if (page && PageFlag(page, PG_slab))
		return page->slab_cache->object_size;
	if (is_large_kmalloc(page, x))
		return PAGE_SIZE << page->order;
	report_not_kmalloc("ksize", page, x, caller);
	return 0;
}

size_t ksize(const void *x)
{
	return __ksize(x, _RET_IP_);
}

/*
 * Grow or shrink @p to @new_size bytes, keeping its contents (up to the smaller size). In
 * place while the object is big enough (shrinking never moves); otherwise a new object, a
 * copy, and the old one freed. krealloc(NULL, n) is kmalloc(n); krealloc(p, 0) frees p and
 * returns ZERO_SIZE_PTR. On failure NULL, and @p is untouched.
 */
void *krealloc(const void *p, size_t new_size, gfp_t gfp)
{
	size_t old;
	void *ret;

	if (unlikely(!new_size)) {
		__kfree(p, _RET_IP_);
		return ZERO_SIZE_PTR;
	}
	old = __ksize(p, _RET_IP_);
	if (!ZERO_OR_NULL_PTR(p) && !old)
		return NULL;	/* not from kmalloc: reported by __ksize */
	if (old >= new_size)
		return (void *)p;
	ret = __kmalloc(new_size, gfp, _RET_IP_);
	if (ret && old) {
		memcpy(ret, p, old);
		__kfree(p, _RET_IP_);
	}
	return ret;
}
