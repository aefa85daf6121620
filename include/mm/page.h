/*
 * struct page: one per physical page frame (4 KiB), in one virtually contiguous
 * array indexed by frame number (mem_map; in the kernel at VMEMMAP_START, backed for
 * every frame below max_pfn, holes included: mm/init.c). 64 bytes, as in Linux:
 * 1.6% of RAM. The union holds what the page's current owner needs: the page
 * allocator and (later) the page cache use lru/mapping/index, the slab allocator
 * its own fields.
 */
#ifndef MM_PAGE_H
#define MM_PAGE_H

#include <asm/layout.h>
#include <kernel/compiler.h>
#include <lib/list.h>

struct kmem_cache;

/* Page flags: bit numbers in page->flags. */
enum pageflags {
	PG_reserved,	/* never handed to the allocator: firmware, kernel image, holes */
	PG_buddy,	/* the first page of a free block on a buddy free list; order in page->order */
	PG_pcp,		/* a free order-0 page on a per-CPU list */
	PG_head,	/* the first page of an allocated block; its order in page->order */
	PG_slab,	/* owned by the slab allocator */
	PG_lru,		/* on an LRU list (page cache and reclaim, later) */
	PG_dirty,	/* page cache: newer than the disk */
	PG_writeback,	/* page cache: being written to the disk */
	PG_uptodate,	/* page cache: holds the disk's data (read in, or written whole) */
	PG_active,	/* on the active LRU list (else the inactive one) */
	PG_referenced,	/* accessed once on the inactive list: the next access activates */
	NR_PAGEFLAGS,
};

struct page {
	unsigned long flags;
	union {
		struct {	/* free pages, and later the page cache and LRU */
			struct list_head lru;	/* buddy free list, per-CPU list, LRU */
			void *mapping;		/* page cache: the owning address space */
			unsigned long index;	/* page cache: offset in it, in pages */
			unsigned long private;
		};
		struct {	/* slab pages */
			struct list_head slab_list;
			struct kmem_cache *slab_cache;
			void *freelist;
			unsigned int inuse;
			uint16_t objects;	/* at most SLAB_MAX_OBJECTS */
			uint16_t frozen;	/* 1 + the CPU that holds the slab; 0: none */
		};
	};
	int refcount;		/* 0: free; 1 once allocated; get/put later */
	int mapcount;		/* user page-table mappings (later) */
	uint8_t zone;		/* enum zone_type of the frame */
	uint8_t order;		/* with PG_buddy or PG_head: the block's order */
	uint16_t pad0;
	uint32_t pad1;
};

_Static_assert(sizeof(struct page) == 64, "struct page should stay 64 bytes");

extern struct page *mem_map;	/* mem_map[pfn] is the struct page of frame pfn */
extern unsigned long max_pfn;	/* one past the highest frame with a struct page */

static inline bool PageFlag(const struct page *p, enum pageflags f) { return p->flags & (1ul << f); }
static inline void SetPageFlag(struct page *p, enum pageflags f) { p->flags |= 1ul << f; }
static inline void ClearPageFlag(struct page *p, enum pageflags f) { p->flags &= ~(1ul << f); }

static inline struct page *pfn_to_page(unsigned long pfn) { return mem_map + pfn; }
static inline unsigned long page_to_pfn(const struct page *p) { return (unsigned long)(p - mem_map); }
static inline uint64_t page_to_phys(const struct page *p) { return (uint64_t)page_to_pfn(p) << PAGE_SHIFT; }
static inline void *page_address(const struct page *p) { return __va(page_to_phys(p)); }
static inline struct page *virt_to_page(const void *addr) { return pfn_to_page(__pa(addr) >> PAGE_SHIFT); }

/*
 * Clear or copy whole pages 8 bytes at a time (rep stosq / rep movsq): a page is 512 moves
 * instead of 4096 byte moves, which is also what QEMU's -icount counts. Host tests use libc.
 */
static inline void clear_pages(void *addr, unsigned long nr_pages)
{
#ifdef HOSTED_TEST
	__builtin_memset(addr, 0, nr_pages * PAGE_SIZE);
#else
	unsigned long n = nr_pages * (PAGE_SIZE / 8);

	__asm__ volatile("rep stosq" : "+D"(addr), "+c"(n) : "a"(0ul) : "memory");
#endif
}

static inline void copy_page(void *to, const void *from)
{
#ifdef HOSTED_TEST
	__builtin_memcpy(to, from, PAGE_SIZE);
#else
	unsigned long n = PAGE_SIZE / 8;

	__asm__ volatile("rep movsq" : "+D"(to), "+S"(from), "+c"(n) : : "memory");
#endif
}

#define PFN_UP(x)	(((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x)	((x) >> PAGE_SHIFT)
#define PFN_PHYS(x)	((uint64_t)(x) << PAGE_SHIFT)

#endif
