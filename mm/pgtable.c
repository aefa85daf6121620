/*
 * The page-table core: map, unmap, change protection and look up over x86_64's four
 * levels, with 4 KiB, 2 MiB and 1 GiB pages. Plain C that touches no hardware: table pages
 * come from a page source (struct pt_ops) and what the TLB must forget is recorded in a
 * struct tlb_batch for the caller to flush, so this file builds unchanged into the kernel
 * and into tests/host.
 *
 * One recursive walk serves the upper levels: a call handles the part of [va, end) that one
 * table covers, entry by entry, and descends into the next table for each span it covers
 * only in part. The PTE level has its own tight loops: that is where the time goes.
 *
 * Invariants, true between any two calls on the same tables:
 *  - this file is the only writer of entries (boot/entry32.S's early tables aside), and an
 *    entry is either 0 or present;
 *  - no table page is empty except the PGD and the kernel half's PUD tables. A table that an
 *    unmap (or a failed map) leaves empty is unlinked from its parent at once and given back
 *    to the page source after the caller's TLB flush (tlb_batch_done). The PGD belongs to its
 *    owner. The PUD tables under PGD entries 256..511 map the kernel half, which every address
 *    space shares by copying those PGD entries: they are never freed, or a copy would point
 *    to a freed page. A caller may ask to keep the tables its unmaps empty (tlb->keep_tables:
 *    the vmalloc area does), and then they stay linked, empty or not.
 * Callers serialise the calls on one set of tables, lookups included (the owner's lock,
 * later): nothing in here takes a lock.
 * docs/paging.md walks through it.
 */
#include <lib/errno.h>
#include <mm/pgtable.h>

pteval_t supported_pte_mask = ~0ull;
uint64_t kernel_map_bytes[3];

#define PGD_LEVEL	4	/* levels: PGD 4, PUD 3, PMD 2, PTE 1 */
#define PHYS_ADDR_LAST	(PTE_ADDR_MASK | (PAGE_SIZE - 1))	/* 2^52 - 1: an entry's limit */

/* What one call carries down the walk. */
struct pt_walk {
	struct tlb_batch *tlb;
	uint64_t delta;		/* map: pa - va, the same for every page of the range */
	pteval_t prot;		/* map: leaf flags */
	unsigned int flags;	/* map: MAP_PAGES_* */
	uint64_t mapped[3];	/* map: bytes mapped with 4K, 2M, 1G leaves */
	uint64_t failed_at;	/* map: the address it stopped at with an error */
	pteval_t set, clear;	/* protect */
};

static inline unsigned int level_shift(int level) { return PAGE_SHIFT + 9 * (level - 1); }
static inline uint64_t level_size(int level) { return 1ull << level_shift(level); }

static inline pteval_t *level_entry(pteval_t *table, uint64_t va, int level)
{
	return &table[(va >> level_shift(level)) & (PTRS_PER_TABLE - 1)];
}

/*
 * The end of the span of @level's entry that holds @va, or @end if that comes first.
 * Comparing the last bytes keeps it right for a span that ends at 2^64 (boundary 0).
 */
static inline uint64_t span_end(uint64_t va, uint64_t end, int level)
{
	uint64_t boundary = (va | (level_size(level) - 1)) + 1;

	return boundary - 1 < end - 1 ? boundary : end;
}

static inline pteval_t *entry_table(pteval_t e) { return __va(e & PTE_ADDR_MASK); }

/* A present entry above the PTE level that points to a table instead of mapping a page. */
static inline bool entry_is_table(pteval_t e, int level)
{
	return level > 1 && (e & _PAGE_PRESENT) && !(e & _PAGE_PSE);
}

/*
 * Entries that point to tables allow everything and the leaf decides: the CPU grants a
 * right only if every level grants it. In the user half they must allow user access too.
 */
static inline pteval_t table_entry(uint64_t pa, uint64_t va)
{
	return pa | _PAGE_PRESENT | _PAGE_RW | (va_is_kernel(va) ? 0 : _PAGE_USER);
}

/* Scans until the first used entry: quick for a table in use, 512 loads for an empty one. */
static bool table_empty(const pteval_t *t)
{
	for (int i = 0; i < PTRS_PER_TABLE; i++)
		if (t[i])
			return false;
	return true;
}

/* May a table at @level (3 = PUD ... 1 = PTE) that covers @va be freed? */
static inline bool table_freeable(int level, uint64_t va)
{
	return !(level == 3 && va_is_kernel(va));
}

/* ---- recording for the TLB ---- */

/* Translations of [start, end), pages of 1 << @shift bytes, changed; @seen: old | new entries. */
static void tlb_add(struct tlb_batch *tlb, uint64_t start, uint64_t end, unsigned int shift,
		    pteval_t seen, uint64_t nr_pages)
{
	if (tlb->start == tlb->end) {
		tlb->start = start;
		tlb->end = end;
		tlb->stride_shift = shift;
	} else {
		tlb->start = MIN(tlb->start, start);
		tlb->end = MAX(tlb->end, end);
		tlb->stride_shift = MIN(tlb->stride_shift, shift);
	}
	tlb->nr_pages += nr_pages;
	if (seen & _PAGE_GLOBAL)
		tlb->global = true;
}

/*
 * @table (which translated @va) is empty and was just unlinked: keep it until the flush. The
 * paging-structure caches may still hold the entry that pointed to it, and an invlpg of an
 * address that entry translated drops it, so the range must reach @va.
 */
static void tlb_add_table(struct tlb_batch *tlb, pteval_t *table, uint64_t va)
{
	uint64_t stride, base;

	table[0] = tlb->tables;	/* page aligned, so not present for a CPU that still walks here */
	tlb->tables = __pa(table);
	tlb->nr_tables++;
	if (tlb->start == tlb->end) {
		tlb->stride_shift = PAGE_SHIFT;
		tlb->start = va & ~(uint64_t)(PAGE_SIZE - 1);
		tlb->end = tlb->start + PAGE_SIZE;
		return;
	}
	stride = 1ull << tlb->stride_shift;
	base = va & ~(stride - 1);
	if (base + stride == 0) {	/* the last block of the address space: use its page */
		tlb->stride_shift = PAGE_SHIFT;
		stride = PAGE_SIZE;
		base = va & ~(stride - 1);
	}
	tlb->start = MIN(tlb->start, base);
	tlb->end = MAX(tlb->end, base + stride);
}

void tlb_batch_done(struct tlb_batch *tlb)
{
	while (tlb->nr_tables) {
		uint64_t pa = tlb->tables;
		pteval_t *t = __va(pa);

		tlb->tables = t[0];
		t[0] = 0;
		tlb->nr_tables--;
		tlb->ops->free_table(tlb->ops, pa);
	}
	/* Empty again; what the owner set up (page source, mm, hook, keep_tables) stays. */
	tlb->start = tlb->end = 0;
	tlb->stride_shift = 12;
	tlb->global = false;
	tlb->nr_pages = 0;
	tlb->tables = 0;
}

/* ---- tables: create, unlink, split ---- */

static pteval_t *new_table(struct tlb_batch *tlb, pteval_t *e, uint64_t va)
{
	uint64_t pa = tlb->ops->alloc_table(tlb->ops);

	if (!pa)
		return NULL;
	*e = table_entry(pa, va);
	return __va(pa);
}

int pgd_populate_table(pteval_t *pgd, uint64_t va, struct pt_ops *ops)
{
	pteval_t *e = level_entry(pgd, va, 4);
	uint64_t pa;

	if (*e & _PAGE_PRESENT)
		return 0;
	pa = ops->alloc_table(ops);
	if (!pa)
		return -ENOMEM;
	*e = table_entry(pa, va);
	return 0;
}

/* The table at @e (one level below, covering @va) is empty: unlink it, free it after the flush. */
static void unlink_table(struct tlb_batch *tlb, pteval_t *e, uint64_t va)
{
	pteval_t *t = entry_table(*e);

	*e = 0;
	tlb_add_table(tlb, t, va);
}

/*
 * Replace the large page at @e (@level 3 or 2) with a table of 512 pages one level down,
 * the same frames and flags, so that a part of it can change. Nothing to record: every
 * address translates as before. The pages changed next are recorded, and an invlpg of one
 * of them drops the large translation too, since it covers that address. (Linux flushes
 * right after splitting kernel pages as well, because some CPUs misbehave when a 2 MiB and
 * a 4 KiB translation of one address meet in their TLB; here the caller's flush follows.)
 */
static int split_leaf(struct tlb_batch *tlb, pteval_t *e, uint64_t va, int level)
{
	uint64_t frame = *e & PTE_ADDR_MASK & ~(level_size(level) - 1);
	uint64_t step = level_size(level - 1), pa = tlb->ops->alloc_table(tlb->ops);
	pteval_t flags = *e & PTE_FLAGS_MASK;
	pteval_t *t;

	if (!pa)
		return -ENOMEM;
	if (level == 2)
		flags &= ~_PAGE_PSE;	/* a PTE has no size bit (its bit 7 is PAT) */
	t = __va(pa);
	for (int i = 0; i < PTRS_PER_TABLE; i++)
		t[i] = (frame + i * step) | flags;
	*e = table_entry(pa, va);
	return 0;
}

/* ---- argument checks ---- */

static inline bool canonical(uint64_t va) { return (uint64_t)(((int64_t)va >> 47) + 1) <= 1; }

/*
 * A page-aligned, non-empty range that stays in one canonical half and ends below 2^64: the
 * last page of the address space is never mapped, so every end (and TLB range) is a number.
 */
static int check_range(uint64_t va, uint64_t size)
{
	uint64_t last = va + size - 1;

	if ((va | size) & (PAGE_SIZE - 1) || !size || last < va || last == ~0ull)
		return -EINVAL;
	if (!canonical(va) || !canonical(last) || va_is_kernel(va) != va_is_kernel(last))
		return -EINVAL;
	return 0;
}

/* ---- unmap ---- */

/* Clear the PTEs of [va, end), all in @pt, and record the span of those that were mapped. */
static void unmap_ptes(struct tlb_batch *tlb, pteval_t *pt, uint64_t va, uint64_t end)
{
	pteval_t *e = level_entry(pt, va, 1), seen = 0;
	uint64_t n = (end - va) >> PAGE_SHIFT, first = 0, last = 0, count = 0;

	while (first < n && !(e[first] & _PAGE_PRESENT))
		first++;
	for (uint64_t i = 0; i < n; i++) {
		pteval_t old = e[i];

		if (!old)
			continue;
		e[i] = 0;
		if (tlb->release)	/* a swap entry too: its slot is freed */
			tlb->release(tlb, va + i * PAGE_SIZE, old, PAGE_SIZE);
		if (!(old & _PAGE_PRESENT))
			continue;	/* the CPU never cached it: nothing to flush */
		seen |= old;
		last = i;
		count++;
	}
	if (count)
		tlb_add(tlb, va + first * PAGE_SIZE, va + (last + 1) * PAGE_SIZE, PAGE_SHIFT, seen,
			count);
}

static void clear_leaf(struct tlb_batch *tlb, pteval_t *e, uint64_t va, int level)
{
	pteval_t old = *e;

	*e = 0;
	if (tlb->release)
		tlb->release(tlb, va, old & ~_PAGE_PSE, level_size(level));
	tlb_add(tlb, va, va + level_size(level), level_shift(level), old,
		level_size(level) >> PAGE_SHIFT);
}

/*
 * After an unmap in the table that @e points to (at @level, covering @va): unlink it if it is
 * empty now. @whole: the unmap covered its entire span, so it is empty without looking.
 */
static void release_if_empty(struct tlb_batch *tlb, pteval_t *e, int level, uint64_t va,
			     bool whole)
{
	if (!tlb->keep_tables && table_freeable(level, va) &&
	    (whole || table_empty(entry_table(*e))))
		unlink_table(tlb, e, va);
}

static int unmap_level(struct pt_walk *w, pteval_t *table, int level, uint64_t va, uint64_t end)
{
	if (level == 1) {
		unmap_ptes(w->tlb, table, va, end);
		return 0;
	}
	for (uint64_t next; va != end; va = next) {
		pteval_t *e = level_entry(table, va, level);
		bool whole;
		int err;

		next = span_end(va, end, level);
		whole = next - va == level_size(level);
		if (!(*e & _PAGE_PRESENT))
			continue;
		if (*e & _PAGE_PSE) {
			if (whole) {
				clear_leaf(w->tlb, e, va, level);
				continue;
			}
			err = split_leaf(w->tlb, e, va, level);
			if (err)
				return err;
		}
		err = unmap_level(w, entry_table(*e), level - 1, va, next);
		release_if_empty(w->tlb, e, level - 1, va, whole && !err);
		if (err)
			return err;
	}
	return 0;
}

int unmap_range(pteval_t *pgd, uint64_t va, uint64_t size, struct tlb_batch *tlb)
{
	struct pt_walk w = { .tlb = tlb };
	int err = check_range(va, size);

	return err ? err : unmap_level(&w, pgd, PGD_LEVEL, va, va + size);
}

/* ---- map ---- */

/* Whether map may put a leaf at @level for [va, next), one entry's span or less. */
static bool leaf_fits(const struct pt_walk *w, int level, uint64_t va, uint64_t next)
{
	uint64_t size = level_size(level);

	if (level == 3 && !(w->flags & MAP_PAGES_1G))
		return false;
	if (level == 2 && !(w->flags & MAP_PAGES_2M))
		return false;
	/* The whole span (so va is aligned), and pa aligned alike. */
	return level < PGD_LEVEL && next - va == size && !((va + w->delta) & (size - 1));
}

static int map_failed(struct pt_walk *w, uint64_t va, int err)
{
	w->failed_at = va;
	return err;
}

static int map_ptes(struct pt_walk *w, pteval_t *pt, uint64_t va, uint64_t end)
{
	pteval_t *e = level_entry(pt, va, 1), leaf = (va + w->delta) | w->prot;
	uint64_t n = (end - va) >> PAGE_SHIFT;

	for (uint64_t i = 0; i < n; i++, leaf += PAGE_SIZE) {
		if (e[i]) {
			w->mapped[0] += i * PAGE_SIZE;
			return map_failed(w, va + i * PAGE_SIZE, -EEXIST);
		}
		e[i] = leaf;
	}
	w->mapped[0] += n * PAGE_SIZE;
	return 0;
}

static int map_level(struct pt_walk *w, pteval_t *table, int level, uint64_t va, uint64_t end)
{
	if (level == 1)
		return map_ptes(w, table, va, end);
	for (uint64_t next; va != end; va = next) {
		pteval_t *e = level_entry(table, va, level);
		int err;

		next = span_end(va, end, level);
		if (leaf_fits(w, level, va, next)) {
			if (*e)
				return map_failed(w, va, -EEXIST);
			*e = (va + w->delta) | w->prot | _PAGE_PSE;
			w->mapped[level - 1] += next - va;
			continue;
		}
		/* A large page here, or (no table is empty) a table with a page in the span. */
		if (*e & _PAGE_PSE)
			return map_failed(w, va, -EEXIST);
		if (!*e && !new_table(w->tlb, e, va))
			return map_failed(w, va, -ENOMEM);
		err = map_level(w, entry_table(*e), level - 1, va, next);
		if (err)
			return err;
	}
	return 0;
}

/* Unlink the tables on the way to @va that are empty, deepest first. */
static void prune_path(struct tlb_batch *tlb, pteval_t *table, int level, uint64_t va)
{
	pteval_t *e = level_entry(table, va, level);

	if (!entry_is_table(*e, level))
		return;
	prune_path(tlb, entry_table(*e), level - 1, va);
	if (!tlb->keep_tables && table_freeable(level - 1, va) && table_empty(entry_table(*e)))
		unlink_table(tlb, e, va);
}

/*
 * Undo a failed map_pages that started at @va: every page in [va, failed_at) is one it
 * mapped (whole leaves: nothing to split), and the tables it created on the way to failed_at
 * are empty (an unmap of the pages before only visits those that overlap them).
 */
static void map_undo(struct pt_walk *w, pteval_t *pgd, uint64_t va)
{
	void (*release)(struct tlb_batch *, uint64_t, uint64_t, uint64_t) = w->tlb->release;

	w->tlb->release = NULL;	/* the frames are still the caller's: it never got them mapped */
	if (w->failed_at != va)
		unmap_level(w, pgd, PGD_LEVEL, va, w->failed_at);
	prune_path(w->tlb, pgd, PGD_LEVEL, w->failed_at);
	w->tlb->release = release;
}

int map_pages(pteval_t *pgd, uint64_t va, uint64_t pa, uint64_t size, pteval_t prot,
	      unsigned int flags, struct tlb_batch *tlb)
{
	struct pt_walk w = { .tlb = tlb, .delta = pa - va, .flags = flags };
	int err = check_range(va, size);

	if (err)
		return err;
	if (pa & (PAGE_SIZE - 1) || pa + size - 1 < pa || pa + size - 1 > PHYS_ADDR_LAST)
		return -EINVAL;
	if (!(prot & _PAGE_PRESENT) || (prot & (PTE_ADDR_MASK | _PAGE_PSE)))
		return -EINVAL;
	w.prot = prot & supported_pte_mask;
	err = map_level(&w, pgd, PGD_LEVEL, va, va + size);
	if (err) {
		map_undo(&w, pgd, va);
		return err;
	}
	for (int i = 0; i < 3; i++)
		kernel_map_bytes[i] += w.mapped[i];
	return 0;
}

/* ---- protect ---- */

static inline pteval_t new_flags(const struct pt_walk *w, pteval_t e)
{
	return (e & ~w->clear) | w->set;
}

static void protect_ptes(struct pt_walk *w, pteval_t *pt, uint64_t va, uint64_t end)
{
	pteval_t *e = level_entry(pt, va, 1), seen = 0;
	uint64_t n = (end - va) >> PAGE_SHIFT, first = n, last = 0, count = 0;

	for (uint64_t i = 0; i < n; i++) {
		pteval_t old = e[i], new = new_flags(w, old);

		if (!(old & _PAGE_PRESENT) || new == old)
			continue;	/* empty, or a swap entry: no rights to change */
		e[i] = new;
		seen |= old | new;
		first = MIN(first, i);
		last = i;
		count++;
	}
	if (count)
		tlb_add(w->tlb, va + first * PAGE_SIZE, va + (last + 1) * PAGE_SIZE, PAGE_SHIFT,
			seen, count);
}

static int protect_level(struct pt_walk *w, pteval_t *table, int level, uint64_t va,
			 uint64_t end)
{
	if (level == 1) {
		protect_ptes(w, table, va, end);
		return 0;
	}
	for (uint64_t next; va != end; va = next) {
		pteval_t *e = level_entry(table, va, level), new = new_flags(w, *e);
		int err;

		next = span_end(va, end, level);
		if (!(*e & _PAGE_PRESENT))
			continue;
		if (*e & _PAGE_PSE) {
			if (new == *e)
				continue;	/* no change: no reason to split */
			if (next - va == level_size(level)) {
				tlb_add(w->tlb, va, next, level_shift(level), *e | new,
					(next - va) >> PAGE_SHIFT);
				*e = new;
				continue;
			}
			err = split_leaf(w->tlb, e, va, level);
			if (err)
				return err;
		}
		err = protect_level(w, entry_table(*e), level - 1, va, next);
		if (err)
			return err;
	}
	return 0;
}

int protect_range(pteval_t *pgd, uint64_t va, uint64_t size, pteval_t set, pteval_t clear,
		  struct tlb_batch *tlb)
{
	struct pt_walk w = { .tlb = tlb, .set = set & supported_pte_mask, .clear = clear };
	int err = check_range(va, size);

	if (err)
		return err;
	if ((set | clear) & (PTE_ADDR_MASK | _PAGE_PSE | _PAGE_PRESENT))
		return -EINVAL;
	return protect_level(&w, pgd, PGD_LEVEL, va, va + size);
}

/* ---- look up ---- */

/* The leaf entry that maps @va and its level, or NULL. */
static pteval_t *walk_to_leaf(pteval_t *pgd, uint64_t va, int *level)
{
	pteval_t *table = pgd;

	for (int l = PGD_LEVEL;; l--) {
		pteval_t *e = level_entry(table, va, l);

		if (!(*e & _PAGE_PRESENT))
			return NULL;
		if (!entry_is_table(*e, l) && l < PGD_LEVEL) {
			*level = l;
			return e;
		}
		table = entry_table(*e);
	}
}

pteval_t *lookup_address(pteval_t *pgd, uint64_t va, uint64_t *page_size)
{
	int level;
	pteval_t *e = walk_to_leaf(pgd, va, &level);

	if (e)
		*page_size = level_size(level);
	return e;
}

uint64_t follow_pte(pteval_t *pgd, uint64_t va, uint64_t *pa, pteval_t *prot)
{
	int level;
	pteval_t *e = walk_to_leaf(pgd, va, &level);
	uint64_t size;

	if (!e)
		return 0;
	size = level_size(level);
	*pa = (*e & PTE_ADDR_MASK & ~(size - 1)) + (va & (size - 1));
	*prot = *e & PTE_FLAGS_MASK & ~_PAGE_PSE;
	return size;
}

/* The slot of the 4 KiB entry for @va, or NULL where a table is missing (or a large page). */
static pteval_t *pte_slot(pteval_t *pgd, uint64_t va)
{
	pteval_t *table = pgd;

	for (int l = PGD_LEVEL; l > 1; l--) {
		pteval_t e = *level_entry(table, va, l);

		if (!(e & _PAGE_PRESENT) || !entry_is_table(e, l))
			return NULL;
		table = entry_table(e);
	}
	return level_entry(table, va, 1);
}

pteval_t read_pte(pteval_t *pgd, uint64_t va)
{
	pteval_t *e = pte_slot(pgd, va);

	return e ? READ_ONCE(*e) : 0;
}

int exchange_pte(pteval_t *pgd, uint64_t va, pteval_t old, pteval_t new, struct tlb_batch *tlb)
{
	pteval_t *e = pte_slot(pgd, va);

	if (!e || *e != old)
		return -EAGAIN;
	*e = new;
	if (old & _PAGE_PRESENT)
		tlb_add(tlb, va, va + PAGE_SIZE, PAGE_SHIFT, old, 1);
	return 0;
}

int install_swap_pte(pteval_t *pgd, uint64_t va, pteval_t swp, struct tlb_batch *tlb)
{
	pteval_t *table = pgd, *e;
	int err = check_range(va, PAGE_SIZE);

	if (err || !is_swap_pte(swp) || va_is_kernel(va))
		return err ? err : -EINVAL;
	for (int l = PGD_LEVEL; l > 1; l--) {
		e = level_entry(table, va, l);
		if (!*e && !new_table(tlb, e, va))
			return -ENOMEM;
		if (!entry_is_table(*e, l))
			return -EEXIST;
		table = entry_table(*e);
	}
	e = level_entry(table, va, 1);
	if (*e)
		return -EEXIST;
	*e = swp;
	return 0;
}

uint64_t hole_end(pteval_t *pgd, uint64_t va)
{
	pteval_t *table = pgd;

	for (int l = PGD_LEVEL;; l--) {
		pteval_t e = *level_entry(table, va, l);

		if (!(e & _PAGE_PRESENT))	/* nothing below this entry: skip all it covers */
			return (va | (level_size(l) - 1)) + 1;
		if (!entry_is_table(e, l) && l < PGD_LEVEL)
			return va;
		table = entry_table(e);
	}
}
