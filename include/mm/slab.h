/*
 * The slab allocator (mm/slab*.c) and kmalloc (mm/kmalloc.c): small objects carved out of
 * page blocks from the buddy allocator. This is SLUB's design, with Linux's names; the idea
 * is explained with pictures in docs/slab.md.
 *
 * A cache (struct kmem_cache) hands out objects of one size. It gets its memory in slabs:
 * 2^order contiguous pages from alloc_pages, cut into equal slots. A free object holds the
 * pointer to the next free object of its slab (the freelist lives inside the free objects),
 * and each CPU allocates from its own active slab, and frees into the slabs it holds, without
 * a lock.
 *
 * kmalloc(size) picks one of Linux's x86_64 size classes (8, 16, 32, 64, 96, 128, 192, 256,
 * 512, 1k, 2k, 4k, 8k: caches kmalloc-8 ... kmalloc-8k, and dma-kmalloc-N for GFP_DMA);
 * bigger requests get whole pages. ksize() says how much was really handed out.
 *
 * Debugging (slub_debug on the command line, or SLAB_DEBUG flags per cache): red zones,
 * poisoning and call-site tracking catch overruns, double frees, writes after free, frees of
 * bad pointers and frees to the wrong cache; each is reported in Linux's "BUG cache (Not
 * tainted): ..." style, counted in slab_stats, and the kernel carries on.
 */
#ifndef MM_SLAB_H
#define MM_SLAB_H

#include <kernel/percpu.h>
#include <kernel/spinlock.h>
#include <lib/list.h>
#include <mm/gfp.h>

typedef unsigned int slab_flags_t;

/* Flags of kmem_cache_create, with Linux's values. */
#define SLAB_CONSISTENCY_CHECKS	0x00000100u	/* check each free: pointer, cache, double free */
#define SLAB_RED_ZONE		0x00000400u	/* guard bytes before and after each object */
#define SLAB_POISON		0x00000800u	/* fill free objects with 0x6b ... 0xa5 */
#define SLAB_KMALLOC		0x00001000u	/* a kmalloc-N cache (set by mm/kmalloc.c only) */
#define SLAB_HWCACHE_ALIGN	0x00002000u	/* align objects to the 64-byte cache line */
#define SLAB_CACHE_DMA		0x00004000u	/* slabs come from ZONE_DMA (below 16 MiB) */
#define SLAB_STORE_USER		0x00010000u	/* remember who allocated and freed each object */

/* Everything slub_debug turns on: what a cache needs to catch all the bugs listed below. */
#define SLAB_DEBUG (SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)

/* The bytes debugging writes (Linux's include/linux/poison.h). */
#define POISON_FREE		0x6b	/* every byte of a free object ... */
#define POISON_END		0xa5	/* ... but the last */
#define SLUB_RED_INACTIVE	0xbb	/* red zones of a free object */
#define SLUB_RED_ACTIVE		0xcc	/* red zones of an allocated object */

/*
 * kmalloc(0) returns this: not NULL (which means failure), yet any access faults, because
 * nothing is mapped at address 16. kfree accepts it, ksize says 0.
 */
#define ZERO_SIZE_PTR		((void *)16)
#define ZERO_OR_NULL_PTR(x)	((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

#define KMALLOC_SHIFT_LOW	3	/* the smallest class: 8 bytes */
#define KMALLOC_SHIFT_HIGH	13	/* the largest class: 8 KiB; above, whole pages */
#define KMALLOC_MAX_CACHE_SIZE	(1ul << KMALLOC_SHIFT_HIGH)
/* The largest kmalloc: the largest block of pages, 4 MiB. */
#define KMALLOC_MAX_SIZE	((unsigned long)PAGE_SIZE << (MAX_ORDER - 1))

#define SLAB_MAX_ORDER		3	/* a slab is at most 8 pages (32 KiB) */
#define SLAB_MAX_OBJECTS	(PAGE_SIZE / 8)	/* per slab: the order rule never gives more */
#define KMEM_CACHE_NAME_LEN	24	/* a longer name is cut to 23 characters */

struct kmem_cache;

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     slab_flags_t flags, void (*ctor)(void *));
void kmem_cache_destroy(struct kmem_cache *s);
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *s, void *object);
int kmem_cache_shrink(struct kmem_cache *s);	/* 0 when no slab is left */
void kmem_cache_shrink_all(void);		/* every cache (vm.drop_caches=2) */
/* Pages in the slabs of every cache (only the empty ones kept for reuse: @empty_only). */
unsigned long kmem_cache_pages(bool empty_only);
/* Free up to @nr pages of those empty slabs; returns the pages freed. */
unsigned long kmem_cache_free_empty(unsigned long nr);

static inline void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp)
{
	return kmem_cache_alloc(s, gfp | __GFP_ZERO);
}

/* A cache for a struct, named after it: KMEM_CACHE(foo, 0). */
#define KMEM_CACHE(__struct, __flags)                                                        \
	kmem_cache_create(#__struct, sizeof(struct __struct), __alignof__(struct __struct),   \
			  (__flags), NULL)

/* Creates "kmem_cache" and the kmalloc caches. After mm_init; safe to call again. */
void kmem_cache_init(void);

void *kmalloc(size_t size, gfp_t gfp);
void *krealloc(const void *p, size_t new_size, gfp_t gfp);
void kfree(const void *p);
size_t ksize(const void *p);	/* bytes usable at @p: the class size, or the pages */

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

/* n * size zeroed bytes, or NULL when n * size does not fit in a size_t. */
static inline void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kzalloc(bytes, gfp);
}

/*
 * Bugs found and reported (each with one "BUG <cache> (Not tainted): <title>" block). The
 * bad operation is not carried out: the free is ignored, a damaged free object is taken out
 * of use (quarantined), damaged red zones are restored. Tests read the counts.
 */
enum slab_bug {
	SLAB_BUG_REDZONE,	/* "Redzone overwritten": a write past either end of an object */
	SLAB_BUG_POISON,	/* "Poison overwritten": a write to a free object */
	SLAB_BUG_DOUBLE_FREE,	/* "Object already free" */
	SLAB_BUG_INVALID_PTR,	/* "Invalid object pointer": not the start of an object */
	SLAB_BUG_WRONG_CACHE,	/* "Wrong slab cache": freed to another cache than its own */
	SLAB_BUG_FREELIST,	/* "Freepointer corrupt": a free object's link is damaged */
	SLAB_BUG_NOT_SLAB,	/* kfree/ksize/kmem_cache_free of memory that is not from slab */
	SLAB_BUG_DESTROY_BUSY,	/* kmem_cache_destroy with objects still allocated */
	NR_SLAB_BUGS,
};

struct slab_stats {
	unsigned long bugs[NR_SLAB_BUGS];
	unsigned long alloc_fail;	/* allocations that found no memory for a new slab */
};

extern struct slab_stats slab_stats;
extern const char *const slab_bug_names[NR_SLAB_BUGS];	/* the titles above */

/* slub_debug=[FZPU-][,cache,...]: which debug flags, for which caches (all if none named). */
int slub_debug_setup(const char *val);

/*
 * One cache's numbers, as /proc/slabinfo, `vmstat -m` and the waste view show them.
 * Objects and slabs are exact (see kmem_cache_get_info); the kmalloc figures count since boot.
 */
struct slabinfo {
	const char *name;
	unsigned long active_objs;	/* allocated and not yet freed (quarantined included) */
	unsigned long num_objs;		/* slots in all slabs */
	unsigned long active_slabs;	/* slabs not on the empty list */
	unsigned long num_slabs;
	unsigned int objsize;		/* bytes per slot, metadata included */
	unsigned int object_size;	/* bytes the caller may use */
	unsigned int objperslab, pagesperslab;
	unsigned long allocs, frees;	/* since the cache was created */
	unsigned long long requested;	/* kmalloc caches: bytes asked for, since creation */
	bool kmalloc;
};

void kmem_cache_get_info(struct kmem_cache *s, struct slabinfo *si);

/*
 * The reports, written into @buf (at most @size bytes, NUL-terminated); each returns the
 * length stored (scnprintf). mm/slabinfo.c:
 *   slabinfo_format   /proc/slabinfo, version 2.1 (caches newest first, as Linux lists them)
 *   vmstat_m_format   procps `vmstat -m` (caches sorted by name)
 *   slabwaste_format  per cache: slab bytes against bytes in use, and for kmalloc the bytes
 *                     requested against the bytes handed out (internal fragmentation)
 */
int slabinfo_format(char *buf, size_t size);
int vmstat_m_format(char *buf, size_t size);
int slabwaste_format(char *buf, size_t size);
int slabinfo_format_row(char *buf, size_t size, const struct slabinfo *si);

/* The cache called @name (the newest if several), or NULL. */
struct kmem_cache *kmem_cache_find(const char *name);

/*
 * Is @s consistent? Walks every slab: lists and counters, freelists, and for debug caches
 * the red zones and poison of every free object. Returns the number of problems reported.
 * Other CPUs must not be allocating from @s meanwhile (true while only the boot CPU runs).
 */
int kmem_cache_check(struct kmem_cache *s);
int kmem_cache_check_all(void);	/* every cache; the sum of their problems */

/* Large kmalloc (whole pages): counted here, shown by the waste view. */
struct kmalloc_large_stats {
	unsigned long calls;		/* since boot */
	unsigned long long requested;	/* bytes asked for, since boot */
	unsigned long long given;	/* bytes handed out (PAGE_SIZE << order), since boot */
	unsigned long pages;		/* pages held now */
};
extern struct kmalloc_large_stats kmalloc_large_stats;

#ifdef HOSTED_TEST
/* Host tests boot a new fake machine per test: forget every cache and debug setting. */
void slab_host_reset(void);
#endif

/* ------------------------------------------------------------------------------------------
 * The rest is the allocator's own: mm/slab*.c and mm/kmalloc.c share it. Other code reads
 * caches only through the functions above.
 */

/*
 * A CPU's share of a cache: its active slab, the other slabs it holds, and its counters.
 * Only its CPU touches it, and only from inside (slab_cpu_enter: c->busy), except inbox,
 * where other CPUs push the objects they free into this CPU's slabs. Two cache lines: the
 * first is all the fast paths touch, the second (inbox, which other CPUs write, and the
 * lists) is for the slow paths. Padded rather than __aligned(64): list_for_each_entry forms
 * a kmem_cache pointer from a list head, which must not break the type's alignment; struct
 * kmem_cache is cache-line aligned anyway (the "kmem_cache" cache has SLAB_HWCACHE_ALIGN),
 * so CPUs never share a line.
 */
struct kmem_cache_cpu {
	void *freelist;		/* the next free object of the active slab; NULL: none left */
	unsigned long base;	/* address of the active slab, or SLAB_NO_BASE */
	unsigned long busy;	/* contexts of this CPU inside the allocator for this cache */
	unsigned long allocs;	/* objects handed out on this CPU */
	unsigned long frees;	/* objects taken back on this CPU */
	unsigned long requested;	/* kmalloc: bytes asked for on this CPU */
	unsigned long pad0[2];

	struct page *page;	/* the active slab, or NULL */
	void *inbox;		/* objects freed into this CPU's slabs from elsewhere (atomic) */
	struct list_head partial;	/* held slabs with free objects: 0 < inuse < objects */
	unsigned int frozen;	/* 1 + this CPU: page->frozen of the slabs it holds */
	unsigned int pad1[7];
};

_Static_assert(sizeof(struct kmem_cache_cpu) == 128, "two cache lines per CPU");

/*
 * No active slab: a base so high that (x - base) < slab_bytes holds for no valid pointer
 * (addresses there are non-canonical on x86_64), so the fast free needs no extra test.
 */
#define SLAB_NO_BASE (1ul << 63)

/* A remembered call site: who allocated or freed an object (SLAB_STORE_USER). */
struct slab_track {
	unsigned long addr;	/* return address into the caller; 0: never */
	unsigned int cpu;
	unsigned int size;	/* alloc: the bytes asked for (kmalloc) or the object size */
};

enum track_item { TRACK_ALLOC, TRACK_FREE };

_Static_assert(sizeof(struct slab_track) == 16, "two tracks are 32 bytes per object");

/*
 * A cache. The layout of one slot of s->size bytes, in offsets from the object pointer
 * (what callers get), with every debug flag on:
 *
 *   -red_left_pad  0             object_size       inuse = offset  +8          +40
 *   | left red zone | object ...  | right red zone  | free pointer | 2 tracks   | pad to align |
 *
 * Without debug flags and without a constructor the slot is just the object rounded up to
 * 8 bytes, and the free pointer is the object's first word (offset 0): a free object's bytes
 * are unused, so they can hold it, and the first line of an object is the one its next owner
 * writes first anyway. With a constructor the object's bytes must keep their constructed
 * state while free, and with poisoning they hold the poison, so the free pointer moves
 * behind the object.
 */
struct kmem_cache {
	struct kmem_cache_cpu cpu_slab[NR_CPUS];	/* first: the fast paths index it */

	/* fixed at creation */
	unsigned int size;		/* bytes per slot, metadata included */
	unsigned int object_size;	/* bytes the caller may use (ksize) */
	unsigned int offset;		/* where a free object keeps the free pointer */
	unsigned int inuse;		/* object + right red zone */
	unsigned int red_left_pad;	/* bytes of left red zone before each object */
	unsigned int align;
	unsigned int order;		/* a slab is 2^order pages */
	unsigned int objects;		/* per slab */
	unsigned int reciprocal_size;	/* ceil(2^32 / size): slab_object_index divides by it */
	unsigned long slab_bytes;	/* PAGE_SIZE << order */
	slab_flags_t flags;
	gfp_t allocflags;		/* added to alloc_pages' gfp: __GFP_DMA for DMA caches */
	unsigned int min_empty;		/* empty slabs kept for reuse; more go back to the buddy */
	void (*ctor)(void *object);
	char name[KMEM_CACHE_NAME_LEN];
	struct list_head list;		/* on slab_caches, newest first */

	/*
	 * The slabs no CPU holds (page->frozen 0). Each is on exactly one list, by its inuse:
	 * partial (0 < inuse < objects), full, or empty (inuse 0). nr_slabs counts these and
	 * the slabs CPUs hold (struct kmem_cache_cpu). Under list_lock.
	 */
	spinlock_t list_lock;
	struct list_head partial, full, empty;
	unsigned long nr_partial, nr_full, nr_empty, nr_slabs;
	unsigned long quarantined;	/* damaged objects kept out of use: counted in inuse */
	bool leaked;			/* destroyed with objects in use: kept, never freed */
};

extern struct list_head slab_caches;	/* every cache, newest first; under slab_lock */
extern spinlock_t slab_lock;
extern struct kmem_cache *kmem_cache;	/* the cache of struct kmem_cache */

static inline bool kmem_cache_debug(const struct kmem_cache *s)
{
	return s->flags & SLAB_DEBUG;
}

#ifndef _RET_IP_
#define _RET_IP_ ((unsigned long)__builtin_return_address(0))	/* the caller, for reports */
#endif

/* This CPU's part of @s. The asm keeps the address in a register. */
static __always_inline struct kmem_cache_cpu *this_cpu_slab(struct kmem_cache *s)
{
	struct kmem_cache_cpu *c = &s->cpu_slab[smp_processor_id()];

	__asm__("" : "+r"(c));
	return c;
}

/*
 * *counter += n, in one instruction (as Linux's this_cpu_add): code that finds c busy still
 * counts into c (c->allocs, c->frees), so an interrupt must find a count done or not begun.
 */
static __always_inline void slab_stat_add(unsigned long *counter, unsigned long n)
{
	if (__builtin_constant_p(n) && n == 0)
		return;
	__asm__("addq %1, %0" : "+m"(*counter) : "er"(n));
}

/*
 * Enter this CPU's part of @s, or return NULL when this CPU is inside the allocator for @s
 * already. Only code running on this CPU touches c, so the one thing that can come in
 * between is an interrupt, and an interrupt handler may kmalloc and kfree too. c->busy
 * settles it without switching interrupts off (pushf, cli and sti cost as much as the rest
 * of the fast path): it counts the contexts inside, and one that does not find itself alone
 * leaves c alone and takes a path that needs no per-CPU state (mm/slab.c: node_alloc,
 * free_foreign). Entering is one add and a read, leaving one decrement, so the rule
 * holds with interrupts and with preemption alike, in any order. The barriers keep the
 * compiler from moving c's accesses outside. (One CPU runs today. On SMP a task must not
 * migrate between this_cpu_slab and slab_cpu_exit: the SMP issue takes busy with
 * migration off, as Linux's this_cpu operations do.)
 */
static __always_inline struct kmem_cache_cpu *slab_cpu_enter(struct kmem_cache *s)
{
	struct kmem_cache_cpu *c = this_cpu_slab(s);

	/*
	 * Owner: the context that, with its own increment counted, reads 1. Two contexts can
	 * never both read 1 while both are inside, whatever the order of interrupts and
	 * preemptions between the add and the read, because exit decrements (never stores 0):
	 * an increment counts from its add until its own decrement.
	 */
	slab_stat_add(&c->busy, 1);
	if (unlikely(c->busy != 1)) {	/* a fresh load: the asm above wrote it */
		slab_stat_add(&c->busy, -1ul);
		return NULL;
	}
	barrier();
	return c;
}

/* Leave c, entered by slab_cpu_enter. */
static __always_inline void slab_cpu_exit(struct kmem_cache_cpu *c)
{
	barrier();
	slab_stat_add(&c->busy, -1ul);
}

static __always_inline void *get_freepointer(const struct kmem_cache *s, const void *object)
{
	void *p;

	__builtin_memcpy(&p, (const char *)object + s->offset, sizeof(p));
	return p;
}

static __always_inline void set_freepointer(const struct kmem_cache *s, void *object, void *fp)
{
	__builtin_memcpy((char *)object + s->offset, &fp, sizeof(fp));
}

/*
 * Start loading the free pointer of @object, the next to be allocated, now (as Linux's
 * prefetch_freepointer): when that allocation comes, the object's line is in the cache
 * rather than a miss that stalls it. A prefetch never faults, so NULL does no harm.
 */
static __always_inline void prefetch_freepointer(const struct kmem_cache *s, const void *object)
{
	__builtin_prefetch((const char *)object + s->offset);
}

/* The struct page of @x if @x is in the direct map of RAM, else NULL (never faults). */
static inline struct page *slab_virt_to_page(const void *x)
{
	unsigned long pfn = (unsigned long)(__pa(x) >> PAGE_SHIFT);

	return pfn < max_pfn ? pfn_to_page(pfn) : NULL;
}

/* The first page of the slab holding @page: slabs are buddy blocks, naturally aligned. */
static inline struct page *slab_head(const struct kmem_cache *s, struct page *page)
{
	return pfn_to_page(page_to_pfn(page) & ~((1ul << s->order) - 1));
}

static inline char *slab_base(const struct page *head)
{
	return page_address(head);
}

/*
 * The index of the object starting at @x in the slab at @head, or -1 if none starts there.
 * Every free that misses the fast path asks, so no division: off / size is
 * (off * ceil(2^32 / size)) >> 32, exact here because off < slab_bytes <= 2^15 and
 * size <= 2^15 (the error, off * (ceil(2^32 / size) * size - 2^32) / 2^32 < 2^30 / 2^32,
 * stays below the 1 / size that would carry into the quotient).
 */
static inline long slab_object_index(const struct kmem_cache *s, struct page *head, const void *x)
{
	unsigned long off = (unsigned long)((const char *)x - slab_base(head)) - s->red_left_pad;
	unsigned long i = (off * s->reciprocal_size) >> 32;

	if (off >= s->slab_bytes || i >= s->objects || i * s->size != off)
		return -1;
	return (long)i;
}

static inline void *slab_object(const struct kmem_cache *s, struct page *head, unsigned int i)
{
	return slab_base(head) + (unsigned long)i * s->size + s->red_left_pad;
}

/* The slow paths (mm/slab_cpu.c), out of line so the fast paths stay small. */
void *__slab_alloc(struct kmem_cache *s, gfp_t gfp, unsigned long caller, size_t orig_size,
		   struct kmem_cache_cpu *c);
void __slab_free(struct kmem_cache *s, void *x, struct kmem_cache_cpu *c, struct page *page,
		 unsigned long caller);
void *slab_zero(struct kmem_cache *s, void *object);	/* clears the object, returns it */

/*
 * The fast paths, shared by kmem_cache_alloc/free and kmalloc/kfree. Allocation pops this
 * CPU's freelist; a free pushes onto it when the object lies in this CPU's active slab and
 * is not the object just freed (the cheapest double-free test there is). c->busy is all
 * the locking (slab_cpu_enter): no other CPU touches this CPU's kmem_cache_cpu, and an
 * interrupt that finds it busy goes elsewhere. @orig_size: the bytes kmalloc was asked for
 * (counted for the waste view), 0 from kmem_cache_alloc.
 */
static __always_inline void *slab_alloc(struct kmem_cache *s, gfp_t gfp, unsigned long caller,
					size_t orig_size)
{
	struct kmem_cache_cpu *c = slab_cpu_enter(s);
	void *object;

	if (unlikely(!c))
		return __slab_alloc(s, gfp, caller, orig_size, NULL);
	object = c->freelist;
	if (unlikely(!object))
		return __slab_alloc(s, gfp, caller, orig_size, c);
	c->freelist = get_freepointer(s, object);
	prefetch_freepointer(s, c->freelist);
	slab_stat_add(&c->allocs, 1);
	slab_stat_add(&c->requested, orig_size);	/* nothing where orig_size is 0 */
	slab_cpu_exit(c);
	if (unlikely(gfp & __GFP_ZERO))
		return slab_zero(s, object);	/* out of line: the fast path needs no frame */
	return object;
}

/*
 * @page: the struct page of @x if the caller knows it (kfree does: it found @s there), or
 * NULL. A miss goes on to __slab_free still inside c, which checks @x as every slow free is.
 */
static __always_inline void slab_free(struct kmem_cache *s, struct page *page, void *x,
				      unsigned long caller)
{
	struct kmem_cache_cpu *c = slab_cpu_enter(s);
	void *head;

	if (unlikely(!c)) {
		__slab_free(s, x, NULL, page, caller);
		return;
	}
	head = c->freelist;
	if (likely((unsigned long)x - c->base < s->slab_bytes && x != head)) {
		set_freepointer(s, x, head);
		c->freelist = x;
		slab_stat_add(&c->frees, 1);
		slab_cpu_exit(c);
		return;
	}
	__slab_free(s, x, c, page, caller);
}

/* What became of a free that missed the fast path (mm/slab.c, mm/slab_cpu.c). */
enum free_result {
	FREE_DONE,		/* the object is on a freelist again */
	FREE_REFUSED,		/* a double free: reported and ignored */
	FREE_ELSEWHERE,		/* a CPU holds the slab now: the object goes to its inbox */
};

/* mm/slab.c: slabs and their lists, for mm/slab_common.c and mm/slab_debug.c. */
struct page *new_slab(struct kmem_cache *s, gfp_t gfp);
void discard_slabs(struct kmem_cache *s, struct list_head *discard);
bool file_slab(struct kmem_cache *s, struct page *page, struct list_head *discard);
void unlink_slab(struct kmem_cache *s, struct page *page);
bool grow_cache(struct kmem_cache *s, gfp_t gfp, unsigned long *flags);
struct page *node_slab_with_free(struct kmem_cache *s, gfp_t gfp, unsigned long *flags);
/* The next slab of @s from frame *pfn on, by walking mem_map, or NULL; *pfn moves past it. */
struct page *slab_next(struct kmem_cache *s, unsigned long *pfn);
void slab_free_rare(struct kmem_cache *s, void *x, struct kmem_cache_cpu *c, struct page *page,
		    unsigned long caller);
void *slab_alloc_rare(struct kmem_cache *s, gfp_t gfp, unsigned long caller, size_t orig_size,
		      struct kmem_cache_cpu *c);
void *slab_alloc_failed(struct kmem_cache *s, gfp_t gfp);
enum free_result free_to_node_slab(struct kmem_cache *s, struct page *head, void *x,
				   unsigned long caller, struct list_head *discard);
bool free_foreign(struct kmem_cache *s, struct page *head, void *x, unsigned long caller);

/* mm/slab_cpu.c: the slabs a CPU holds, and their inboxes. */
bool inbox_push(struct kmem_cache *s, struct kmem_cache_cpu *owner, struct page *head, void *x,
		unsigned long caller);
/*
 * The slabs CPUs hold back onto the cache's lists, but for full ones, and every inbox emptied
 * (list_lock held, interrupts off; not from an interrupt handler, which could find a CPU's
 * state half-way).
 */
void flush_cpu_slabs(struct kmem_cache *s, struct list_head *discard);

/* mm/slab_common.c */
extern bool slab_is_up;		/* kmem_cache_init has run */
bool kmem_cache_setup(struct kmem_cache *s, const char *name, unsigned int size,
		      unsigned int align, slab_flags_t flags, void (*ctor)(void *));

/* mm/kmalloc.c */
enum kmalloc_cache_type { KMALLOC_NORMAL, KMALLOC_DMA, NR_KMALLOC_TYPES };
extern struct kmem_cache *kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1];
void create_kmalloc_caches(void);

/* mm/slab_debug.c: what debug caches do instead of the fast paths; slub_debug. */
slab_flags_t slub_debug_for(const char *name, slab_flags_t flags);
void debug_init_object(struct kmem_cache *s, void *object);
void *debug_slab_alloc(struct kmem_cache *s, gfp_t gfp, unsigned long caller, size_t orig_size);
void debug_slab_free(struct kmem_cache *s, struct page *head, void *x, unsigned long caller);
bool check_object(struct kmem_cache *s, struct page *head, uint8_t *object, uint8_t val,
		  unsigned long caller);
/*
 * One "BUG <s->name> (Not tainted): <title>" block (mm/slab_report.c): @fmt's line, then
 * what is known of @object in its slab @head (either may be NULL): its call sites, the slab,
 * and its bytes around @fault (the first bad byte, or NULL). Counts the bug. @s NULL: the title
 * says "kmalloc".
 */
void slab_report(enum slab_bug bug, struct kmem_cache *s, struct page *head, const void *object,
		 const void *fault, unsigned long caller, const char *fmt, ...) __printf(7, 8);
/* "FIX <s->name>: ...": what was done about the bug just reported. */
void slab_fix(struct kmem_cache *s, const char *fmt, ...) __printf(2, 3);
/* kmem_cache_destroy found @live objects still allocated: report them (list_lock held). */
void slab_report_leak(struct kmem_cache *s, unsigned long live, unsigned long caller);
struct slab_track *get_track(const struct kmem_cache *s, const void *object,
			     enum track_item item);

#endif
