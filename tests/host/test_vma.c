/*
 * Host unit tests of the VMA core (mm/vma.c, mm/vma_gap.c, mm/vma_maps.c), Criterion under
 * ASan/UBSan.
 *
 * The random test keeps a model of a window of NPAGES pages: for each page, whether it is
 * mapped and with which flags, file, name and file offset. The VMAs an mm must have are then
 * the maximal runs of pages that could form one VMA (same flags, file and name, offsets going
 * up by one), computed here with the test's own merge rule. Random insert, unmap, protect,
 * split(+re-merge), get_unmapped_area and dup operations run on both; after every step the
 * tree must list exactly those runs (which makes it sorted, non-overlapping and fully merged),
 * map_count, total_vm and the VmData/VmExe/VmStk counters must match, every VMA allocated must
 * be in the tree (no leak), and find_vma must agree with the model. Allocation failures are
 * injected and the max map count is lowered in some phases: a failing operation must return
 * the model's error and change nothing. TEST_SEED replays, TEST_ITERS lengthens.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lib/errno.h>
#include <mm/vma.h>

#include "rng.h"

/* ---- the allocator hook: calloc, a live count for leaks, and injected failures ---- */

static long live_vmas;
static int fail_in;	/* > 0: the fail_in-th allocation from now fails */

static struct vm_area_struct *test_alloc(void)
{
	if (fail_in > 0 && --fail_in == 0)
		return NULL;
	live_vmas++;
	return calloc(1, sizeof(struct vm_area_struct));
}

static void test_free(struct vm_area_struct *vma)
{
	live_vmas--;
	free(vma);
}

static const struct vma_allocator test_allocator = { test_alloc, test_free };

static void setup(void)
{
	vma_set_allocator(&test_allocator);
	live_vmas = 0;
	fail_in = 0;
}

TestSuite(vma, .init = setup);

/* ---- the model ---- */

#define NPAGES		160
#define BASE		0x10000000ul
#define ADDR(i)		(BASE + (unsigned long)(i) * PAGE_SIZE)
#define PAGE_OF(a)	((long)(((a) - BASE) / PAGE_SIZE))
#define GUARD_PAGES	3
#define MAX_OP_PAGES	24

#define MAY3	(VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)
static const unsigned long flag_choices[] = {
	VM_READ | MAY3,
	VM_READ | VM_WRITE | MAY3,
	VM_READ | VM_WRITE | MAY3,
	VM_READ | VM_EXEC | MAY3,
	VM_READ | VM_MAYREAD,				/* can never be made writable */
	VM_READ | VM_WRITE | VM_SHARED | VM_MAYSHARE | MAY3,
	VM_STACK_DEFAULT_FLAGS,
	VM_READ | VM_WRITE | VM_DONTCOPY | MAY3,
	MAY3,						/* PROT_NONE */
};
static const char *const name_choices[] = { NULL, NULL, NULL, "[anon:a]", "[anon:b]" };
/* Two files: each VMA over one holds a reference, which check() counts. */
static unsigned int files_released;
static void file_release(struct vm_backing *b) { (void)b; files_released++; }
static struct vm_backing file_a = { .release = file_release }, file_b = { .release = file_release };

enum { OP_INSERT, OP_UNMAP, OP_PROTECT, OP_SPLIT, OP_GUA, OP_DUP, OP_DESTROY, NR_OPS };
static const char *const op_names[NR_OPS] = {
	"insert", "unmap", "protect", "split", "get_unmapped_area", "dup", "destroy",
};

struct mpage {
	bool mapped;
	unsigned long flags, pgoff;
	void *file;
	const char *name;
};

struct run {
	long first, end;	/* pages [first, end) */
	const struct mpage *p;	/* the first page */
};

struct model {
	struct mm_struct mm;
	struct mpage pg[NPAGES];
	struct run runs[NPAGES];
	int nruns;
	unsigned long long seed;
	long step;
	unsigned long done[NR_OPS], failed[NR_OPS], eacces, enomem, merged;
};

#define require(m, cond, fmt, ...) \
	cr_assert(cond, "seed %llu step %ld: " fmt, (m)->seed, (m)->step, ##__VA_ARGS__)

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The test's own merge rule, page by page. */
static bool continues(const struct mpage *a, const struct mpage *b)
{
	return a->mapped && b->mapped && a->flags == b->flags && a->file == b->file &&
	       same_str(a->name, b->name) && b->pgoff == a->pgoff + 1;
}

static void compute_runs(struct model *m)
{
	long i;

	m->nruns = 0;
	for (i = 0; i < NPAGES; i++) {
		if (!m->pg[i].mapped)
			continue;
		if (i && continues(&m->pg[i - 1], &m->pg[i])) {
			m->runs[m->nruns - 1].end = i + 1;
			continue;
		}
		m->runs[m->nruns++] = (struct run){ i, i + 1, &m->pg[i] };
	}
}

static int run_at(const struct model *m, long page)
{
	for (int r = 0; r < m->nruns; r++)
		if (m->runs[r].first <= page && page < m->runs[r].end)
			return r;
	return -1;
}

/* ---- checking ---- */

static void check_counters(struct model *m)
{
	unsigned long total = 0, data = 0, exec = 0, stack = 0;

	for (int r = 0; r < m->nruns; r++) {
		unsigned long n = (unsigned long)(m->runs[r].end - m->runs[r].first);
		unsigned long f = m->runs[r].p->flags;

		total += n;
		if (f & VM_GROWSDOWN)
			stack += n;
		else if ((f & VM_EXEC) && !(f & VM_WRITE))
			exec += n;
		else if ((f & VM_WRITE) && !(f & VM_SHARED))
			data += n;
	}
	require(m, m->mm.map_count == m->nruns, "map_count %d, want %d", m->mm.map_count,
		m->nruns);
	require(m, m->mm.total_vm == total, "total_vm %lu, want %lu", m->mm.total_vm, total);
	require(m, m->mm.data_vm == data && m->mm.exec_vm == exec && m->mm.stack_vm == stack,
		"data/exec/stack %lu/%lu/%lu, want %lu/%lu/%lu", m->mm.data_vm, m->mm.exec_vm,
		m->mm.stack_vm, data, exec, stack);
	require(m, m->mm.hiwater_vm >= total, "hiwater_vm below total_vm");
	require(m, m->mm.highest_vm_end == (m->nruns ? ADDR(m->runs[m->nruns - 1].end) : 0),
		"highest_vm_end %#lx", m->mm.highest_vm_end);
	require(m, live_vmas == m->nruns, "%ld VMAs allocated, %d in the tree", live_vmas,
		m->nruns);
}

static void check(struct model *m)
{
	struct vm_area_struct *vma, *prev = NULL;
	int r = 0;

	compute_runs(m);
	for_each_vma(&m->mm, vma) {
		const struct run *run = &m->runs[r];

		require(m, r < m->nruns, "more VMAs than runs (%d)", m->nruns);
		require(m, vma->vm_start == ADDR(run->first) && vma->vm_end == ADDR(run->end),
			"VMA %d is %#lx-%#lx, want %#lx-%#lx", r, vma->vm_start, vma->vm_end,
			ADDR(run->first), ADDR(run->end));
		require(m, vma->vm_flags == run->p->flags && vma->vm_file == run->p->file &&
			same_str(vma->anon_name, run->p->name) && vma->vm_pgoff == run->p->pgoff,
			"VMA %d at %#lx: flags %#lx pgoff %#lx, want %#lx %#lx", r, vma->vm_start,
			vma->vm_flags, vma->vm_pgoff, run->p->flags, run->p->pgoff);
		require(m, vma->vm_mm == &m->mm, "vm_mm");
		/* Implied by matching maximal runs; stated for the reader. */
		require(m, !prev || (prev->vm_end <= vma->vm_start && !vma_can_merge(prev, vma)),
			"VMAs %d and %d overlap or should have merged", r - 1, r);
		prev = vma;
		r++;
	}
	require(m, r == m->nruns, "%d VMAs, want %d", r, m->nruns);
	for (struct vm_backing *f = &file_a; f; f = f == &file_a ? &file_b : NULL) {
		unsigned int users = 0;

		for_each_vma(&m->mm, vma)
			users += vma->vm_file == f;
		require(m, f->refcount == users, "file %c: %u references, %u VMAs over it",
			f == &file_a ? 'a' : 'b', f->refcount, users);
	}
	check_counters(m);
	for (int i = 0; i < 4; i++) {
		long page = (long)rnd_below(NPAGES + 2) - 1;
		unsigned long addr = ADDR(page) + rnd_below(PAGE_SIZE);
		int want = -1;

		for (int k = 0; k < m->nruns && want < 0; k++)
			if (ADDR(m->runs[k].end) > addr)
				want = k;
		vma = find_vma(&m->mm, addr);
		require(m, want < 0 ? !vma : vma && vma->vm_start == ADDR(m->runs[want].first),
			"find_vma(%#lx)", addr);
	}
}

/* Allocations the next operation may make before the injected failure (0: none). */
static bool fails(int needed)
{
	return fail_in > 0 && fail_in <= needed;
}

/* ---- operations ---- */

/* Often copies a neighbour's attributes, so that the insertion has something to merge with. */
static void like_neighbour(const struct model *m, struct vm_area_struct *vma, long s, long n)
{
	const struct mpage *nb = NULL;
	unsigned long pgoff = 0;

	if (s > 0 && m->pg[s - 1].mapped && rnd_below(2)) {
		nb = &m->pg[s - 1];
		pgoff = nb->pgoff + 1;
	} else if (s + n < NPAGES && m->pg[s + n].mapped && rnd_below(2)) {
		nb = &m->pg[s + n];
		pgoff = nb->pgoff - (unsigned long)n;
	}
	if (!nb)
		return;
	vma->vm_flags = nb->flags;
	vma->anon_name = nb->name;
	vma->vm_file = nb->file;
	vma->vm_pgoff = rnd_below(8) ? pgoff : pgoff + 1;
}

static int op_insert(struct model *m)
{
	long s = (long)rnd_below(NPAGES), n = 1 + (long)rnd_below(MAX_OP_PAGES), i, q;
	int err, want, saved_fail_in = fail_in;
	struct vm_area_struct *vma;
	bool overlap = false;

	fail_in = 0;	/* the caller's allocation; insert_vm_struct itself allocates nothing */
	vma = vm_area_alloc(&m->mm);
	fail_in = saved_fail_in;
	cr_assert(vma);
	for (i = 0; i < 8 && m->pg[s].mapped && rnd_below(4); i++)
		s = (long)rnd_below(NPAGES);
	if (!m->pg[s].mapped && rnd_below(4)) {
		/* Mostly fill (part of) a hole, often up to a neighbour. */
		for (q = s; q < NPAGES && !m->pg[q].mapped; q++)
			;
		n = rnd_below(2) ? q - s : 1 + (long)rnd_below((uint64_t)(q - s));
	}
	n = MIN(n, NPAGES - s);
	vma->vm_start = ADDR(s);
	vma->vm_end = ADDR(s + n);
	vma->vm_flags = flag_choices[rnd_below(ARRAY_SIZE(flag_choices))];
	vma->anon_name = name_choices[rnd_below(ARRAY_SIZE(name_choices))];
	vma->vm_pgoff = vma->vm_start >> PAGE_SHIFT;
	if (rnd_below(4) == 0) {
		vma->vm_file = rnd_below(2) ? &file_a : &file_b;
		vma->vm_pgoff += rnd_below(3) ? 0 : 1000;	/* mostly contiguous */
	}
	like_neighbour(m, vma, s, n);
	if (vma->vm_file)
		vma->vm_file->refcount++;	/* the new VMA's reference, as mmap takes one */
	for (i = s; i < s + n; i++)
		overlap |= m->pg[i].mapped;
	want = overlap ? -EEXIST : m->nruns >= sysctl_max_map_count ? -ENOMEM : 0;
	err = insert_vm_struct(&m->mm, vma);
	require(m, err == want, "insert %#lx-%#lx: %d, want %d", ADDR(s), ADDR(s + n), err, want);
	if (err) {
		vm_area_free(vma);
		return err;
	}
	require(m, vma_lookup(&m->mm, ADDR(s)) == vma && vma->vm_end >= ADDR(s + n),
		"the inserted VMA does not cover its range");
	m->merged += vma->vm_start < ADDR(s) || vma->vm_end > ADDR(s + n);
	for (i = s; i < s + n; i++) {
		unsigned long pgoff = vma->vm_pgoff + (unsigned long)(i - PAGE_OF(vma->vm_start));

		m->pg[i] = (struct mpage){ true, vma->vm_flags, pgoff, vma->vm_file,
					   vma->anon_name };
	}
	return 0;
}

struct unmap_log {
	struct model *m;
	struct mpage before[NPAGES];
	unsigned long start, end, pages;
};

static void unmap_cb(struct vm_area_struct *vma, void *arg)
{
	struct unmap_log *log = arg;
	struct model *m = log->m;
	const struct mpage *p = &log->before[PAGE_OF(vma->vm_start)];

	require(m, vma->vm_start >= log->start && vma->vm_end <= log->end &&
		RB_EMPTY_NODE(&vma->vm_rb), "unmapped piece %#lx-%#lx outside the range or linked",
		vma->vm_start, vma->vm_end);
	require(m, p->mapped && p->flags == vma->vm_flags && p->pgoff == vma->vm_pgoff,
		"unmapped piece %#lx-%#lx is not what was there", vma->vm_start, vma->vm_end);
	log->pages += vma_pages(vma);
}

/* A random range inside the window; the end is sometimes not page aligned (rounded up). */
static void random_range(long *s, long *e, unsigned long *start, unsigned long *end)
{
	*s = (long)rnd_below(NPAGES);
	*e = *s + 1 + (long)rnd_below(MAX_OP_PAGES);	/* not inside MIN: evaluated twice */
	*e = MIN(*e, NPAGES);
	*start = ADDR(*s);
	*end = ADDR(*e) - (rnd_below(4) ? 0 : rnd_below(PAGE_SIZE));
}

static int op_unmap(struct model *m)
{
	static struct unmap_log log;
	unsigned long start, end, mapped = 0;
	int rs, re, err, want = 0;
	bool split_start, split_end;
	long s, e, i;

	random_range(&s, &e, &start, &end);
	if (rnd_below(3) == 0) {
		e += (long)rnd_below(MAX_OP_PAGES);	/* a longer one */
		e = MIN(e, NPAGES);
		end = ADDR(e);
	}
	rs = run_at(m, s);
	re = run_at(m, e - 1);
	split_start = rs >= 0 && m->runs[rs].first < s;
	split_end = re >= 0 && m->runs[re].end > e;

	for (i = s; i < e; i++)
		mapped += m->pg[i].mapped;
	if (mapped && split_start && split_end && rs == re && m->nruns >= sysctl_max_map_count)
		want = -ENOMEM;
	else if (mapped && fails(split_start + split_end))
		want = -ENOMEM;
	memcpy(log.before, m->pg, sizeof(m->pg));
	log.m = m;
	log.start = start;
	log.end = ADDR(e);
	log.pages = 0;
	err = vma_unmap_range(&m->mm, start, end, unmap_cb, &log);
	require(m, err == want, "unmap %#lx-%#lx: %d, want %d", start, end, err, want);
	if (err)
		return err;
	require(m, log.pages == mapped, "callback saw %lu pages, %lu were mapped", log.pages,
		mapped);
	for (i = s; i < e; i++)
		m->pg[i].mapped = false;
	return 0;
}

static unsigned long new_flags(unsigned long flags, unsigned long prot)
{
	return (flags & ~VM_ACCESS_FLAGS) | prot;
}

static void protect_cb(struct vm_area_struct *vma, unsigned long oldflags, void *arg)
{
	struct unmap_log *log = arg;
	struct model *m = log->m;
	const struct mpage *p = &log->before[PAGE_OF(vma->vm_start)];

	require(m, vma->vm_start >= log->start && vma->vm_end <= log->end,
		"protect piece %#lx-%#lx outside the range", vma->vm_start, vma->vm_end);
	require(m, oldflags == p->flags && vma->vm_flags != oldflags,
		"protect piece %#lx: old flags %#lx (was %#lx), new %#lx", vma->vm_start, oldflags,
		p->flags, vma->vm_flags);
	log->pages += vma_pages(vma);
}

/* The error mprotect must give, scanning pages in address order; 0 if none. */
static int protect_expect(struct model *m, long s, long e, unsigned long prot,
			  unsigned long *changing)
{
	int rs = run_at(m, s), re = run_at(m, e - 1), splits = 0;

	*changing = 0;
	for (long i = s; i < e; i++) {
		unsigned long f = new_flags(m->pg[i].flags, prot);

		if (!m->pg[i].mapped)
			return -ENOMEM;
		if ((f & ~(f >> 4)) & VM_ACCESS_FLAGS)
			return -EACCES;
		*changing += f != m->pg[i].flags;
	}
	if (m->runs[rs].first < s && new_flags(m->runs[rs].p->flags, prot) != m->runs[rs].p->flags)
		splits++;
	if (m->runs[re].end > e && new_flags(m->runs[re].p->flags, prot) != m->runs[re].p->flags)
		splits++;
	if (m->nruns + splits > sysctl_max_map_count || fails(splits))
		return -ENOMEM;
	return 0;
}

static int op_protect(struct model *m)
{
	static struct unmap_log log;
	unsigned long start, end, prot = rnd_below(8), changing;
	long s, e, q;
	int err, want;

	random_range(&s, &e, &start, &end);
	if (m->nruns && rnd_below(8)) {
		/* Mostly ranges without holes, so that most calls get through. */
		const struct run *run = &m->runs[rnd_below((uint64_t)m->nruns)];

		s = run->first + (long)rnd_below((uint64_t)(run->end - run->first));
		start = ADDR(s);
		for (q = s; q < NPAGES && m->pg[q].mapped; q++)
			;
		e = s + 1 + (long)rnd_below((uint64_t)(q - s));
		end = ADDR(e);
	}
	want = protect_expect(m, s, e, prot, &changing);
	memcpy(log.before, m->pg, sizeof(m->pg));
	log.m = m;
	log.start = start;
	log.end = ADDR(e);
	log.pages = 0;
	err = vma_protect_range(&m->mm, start, end, prot, protect_cb, &log);
	require(m, err == want, "protect %#lx-%#lx to %lx: %d, want %d", start, end, prot, err,
		want);
	if (err)
		return err;
	require(m, log.pages == changing, "callback saw %lu pages, %lu changed", log.pages,
		changing);
	for (long i = s; i < e; i++)
		m->pg[i].flags = new_flags(m->pg[i].flags, prot);
	return 0;
}

/* Split a random VMA, check both halves, then merge them back with vma_merge_range. */
static int op_split(struct model *m)
{
	struct vm_area_struct *vma, *lo, *hi;
	const struct run *run;
	unsigned long addr;
	int new_below = (int)rnd_below(2), err, want;

	if (!m->nruns)
		return 0;
	run = &m->runs[rnd_below((uint64_t)m->nruns)];
	if (run->end - run->first < 2)
		return 0;
	addr = ADDR(run->first + 1 + (long)rnd_below((uint64_t)(run->end - run->first - 1)));
	vma = vma_lookup(&m->mm, addr);
	want = m->nruns >= sysctl_max_map_count || fails(1) ? -ENOMEM : 0;
	err = split_vma(&m->mm, vma, addr, new_below);
	require(m, err == want, "split at %#lx: %d, want %d", addr, err, want);
	if (err)
		return err;
	lo = vma_lookup(&m->mm, addr - 1);
	hi = vma_lookup(&m->mm, addr);
	require(m, lo && hi && lo != hi && lo->vm_end == addr && hi->vm_start == addr &&
		lo->vm_start == ADDR(run->first) && hi->vm_end == ADDR(run->end) &&
		(new_below ? hi : lo) == vma && vma_can_merge(lo, hi) &&
		hi->vm_pgoff == lo->vm_pgoff + vma_pages(lo) && lo->vm_pgoff == run->p->pgoff,
		"split at %#lx (new_below %d) gave %#lx-%#lx and %#lx-%#lx", addr, new_below,
		lo ? lo->vm_start : 0, lo ? lo->vm_end : 0, hi ? hi->vm_start : 0,
		hi ? hi->vm_end : 0);
	require(m, m->mm.map_count == m->nruns + 1, "map_count after split");
	vma_merge_range(&m->mm, addr, addr);
	return 0;
}

/* Whether page p is free for a new mapping: unmapped and not in the guard gap of a stack. */
static bool page_free(const struct model *m, long p)
{
	long q;

	if (m->pg[p].mapped)
		return false;
	for (q = p + 1; q < NPAGES && !m->pg[q].mapped; q++)
		;
	return q == NPAGES || !(m->pg[q].flags & VM_GROWSDOWN) || q - p > GUARD_PAGES;
}

static bool model_range_free(const struct model *m, unsigned long addr, unsigned long len)
{
	for (long p = PAGE_OF(addr); p < PAGE_OF(addr + len); p++)
		if (!page_free(m, p))
			return false;
	return true;
}

static unsigned long gua_expect(const struct model *m, unsigned long len, unsigned long hint)
{
	const struct mm_struct *mm = &m->mm;
	unsigned long low = mmap_min_addr, a;

	len = ALIGN_UP(len, PAGE_SIZE);
	if (len > mm->task_size - low)
		return (unsigned long)-ENOMEM;
	hint = ALIGN_UP(hint, PAGE_SIZE);
	if (hint >= low && hint <= mm->task_size - len && model_range_free(m, hint, len))
		return hint;
	if ((mm->flags & (1ul << MMF_TOPDOWN)) && mm->mmap_base >= low + len)
		for (a = mm->mmap_base - len; a >= low; a -= PAGE_SIZE)
			if (model_range_free(m, a, len))
				return a;
	for (a = MAX(low, mm->mmap_legacy_base); a + len <= mm->task_size; a += PAGE_SIZE)
		if (model_range_free(m, a, len))
			return a;
	return (unsigned long)-ENOMEM;
}

static int op_get_unmapped_area(struct model *m)
{
	unsigned long len = 1 + rnd_below((rnd_below(8) ? 12 : 60) * PAGE_SIZE), hint = 0;
	unsigned long got, want;

	if (rnd_below(2))
		hint = ADDR(rnd_below(NPAGES)) + (rnd_below(4) ? 0 : rnd_below(PAGE_SIZE));
	if (rnd_below(8) == 0)
		m->mm.flags ^= 1ul << MMF_TOPDOWN;
	want = gua_expect(m, len, hint);
	got = get_unmapped_area(&m->mm, len, hint);
	require(m, got == want, "get_unmapped_area(%#lx, hint %#lx, %s) = %#lx, want %#lx", len,
		hint, m->mm.flags & (1ul << MMF_TOPDOWN) ? "top-down" : "bottom-up", got, want);
	if (!IS_ERR_VALUE(got))
		require(m, !find_vma_intersection(&m->mm, got, got + len), "overlapping result");
	return IS_ERR_VALUE(got) ? (int)got : 0;
}

static int copy_calls, copy_fail_at;

static int copy_cb(struct vm_area_struct *dst, struct vm_area_struct *src, void *arg)
{
	(void)arg;
	cr_assert(dst != src && dst->vm_start == src->vm_start && dst->vm_end == src->vm_end);
	return ++copy_calls == copy_fail_at ? -EIO : 0;
}

static void count_cb(struct vm_area_struct *vma, void *arg)
{
	(void)vma;
	(*(int *)arg)++;
}

static int op_dup(struct model *m)
{
	struct mm_struct *child = calloc(1, sizeof(*child));
	struct vm_area_struct *a, *b;
	int copies = 0, err, want = 0, destroyed = 0;
	long live_before = live_vmas;

	cr_assert(child);
	mm_struct_init(child, NULL);
	for_each_vma(&m->mm, a)
		copies += !(a->vm_flags & VM_DONTCOPY);
	copy_calls = 0;
	copy_fail_at = rnd_below(4) ? 0 : 1 + (int)rnd_below((uint64_t)copies + 1);
	/* Each VMA is allocated, then copied: whichever failure comes first wins. */
	if (fails(copies) && (!copy_fail_at || fail_in <= copy_fail_at))
		want = -ENOMEM;
	else if (copy_fail_at && copy_fail_at <= copies)
		want = -EIO;
	err = dup_vmas(child, &m->mm, copy_cb, NULL);
	require(m, err == want, "dup_vmas: %d, want %d", err, want);
	if (err) {
		require(m, child->map_count == 0 && RB_EMPTY_ROOT(&child->mm_rb) &&
			child->total_vm == 0 && live_vmas == live_before, "failed dup left VMAs");
		free(child);
		return err;
	}
	b = vma_first(child);
	for_each_vma(&m->mm, a) {
		if (a->vm_flags & VM_DONTCOPY)
			continue;
		require(m, b && b != a && b->vm_mm == child && b->vm_start == a->vm_start &&
			b->vm_end == a->vm_end && b->vm_flags == a->vm_flags &&
			b->vm_pgoff == a->vm_pgoff, "child VMA differs at %#lx", a->vm_start);
		b = vma_next(b);
	}
	require(m, !b && child->map_count == copies && copy_calls == copies, "child VMA count");
	mm_vmas_destroy(child, count_cb, &destroyed);
	require(m, destroyed == copies && live_vmas == live_before && child->total_vm == 0 &&
		child->map_count == 0 && child->data_vm + child->exec_vm + child->stack_vm == 0,
		"destroying the child");
	free(child);
	return 0;
}

static void model_init(struct model *m);

static int op_destroy(struct model *m)
{
	int destroyed = 0;

	mm_vmas_destroy(&m->mm, count_cb, &destroyed);
	require(m, destroyed == m->nruns, "destroyed %d VMAs", destroyed);
	model_init(m);
	return 0;
}

static int (*const ops[NR_OPS])(struct model *m) = {
	op_insert, op_unmap, op_protect, op_split, op_get_unmapped_area, op_dup, op_destroy,
};

static void model_init(struct model *m)
{
	mm_struct_init(&m->mm, NULL);
	m->mm.task_size = ADDR(NPAGES);
	m->mm.mmap_base = ADDR(NPAGES - 16);
	m->mm.mmap_legacy_base = ADDR(20);
	memset(m->pg, 0, sizeof(m->pg));
}

static void run(long dflt)
{
	struct model *m = calloc(1, sizeof(*m));
	long iters = test_iters(dflt);
	int op, err;

	cr_assert(m);
	m->seed = test_seed("vma/random");
	mmap_min_addr = BASE;
	stack_guard_gap = GUARD_PAGES * PAGE_SIZE;
	model_init(m);
	check(m);
	for (m->step = 0; m->step < iters; m->step++) {
		unsigned int r = (unsigned int)rnd_below(100);

		if (m->step % 1000 == 0)
			sysctl_max_map_count = rnd_below(5) ? DEFAULT_MAX_MAP_COUNT :
				8 + (int)rnd_below(24);
		fail_in = rnd_below(10) ? 0 : 1 + (int)rnd_below(2);
		op = r < 32 ? OP_INSERT : r < 56 ? OP_UNMAP : r < 78 ? OP_PROTECT :
		     r < 86 ? OP_SPLIT : r < 96 ? OP_GUA : r < 99 ? OP_DUP :
		     rnd_below(10) ? OP_GUA : OP_DESTROY;
		err = ops[op](m);
		fail_in = 0;
		m->done[op]++;
		m->failed[op] += err != 0;
		m->eacces += err == -EACCES;
		m->enomem += err == -ENOMEM;
		check(m);
	}
	fprintf(stderr, "vma/random: %ld steps, ended with %d VMAs;", iters, m->nruns);
	for (op = 0; op < NR_OPS; op++)
		fprintf(stderr, " %s %lu (%lu failed)", op_names[op], m->done[op], m->failed[op]);
	fprintf(stderr, "; %lu -EACCES, %lu -ENOMEM; %lu inserts merged\n", m->eacces, m->enomem,
		m->merged);
	mm_vmas_destroy(&m->mm, NULL, NULL);
	cr_assert(live_vmas == 0, "seed %llu: %ld VMAs leaked", m->seed, live_vmas);
	free(m);
}

Test(vma, random_operations)
{
	run(100000);
}

/* ---- hand-written cases ---- */

static struct vm_area_struct *new_vma(struct mm_struct *mm, unsigned long start,
				      unsigned long end, unsigned long flags)
{
	struct vm_area_struct *vma = vm_area_alloc(mm);

	cr_assert(vma);
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_flags = flags;
	vma->vm_pgoff = start >> PAGE_SHIFT;
	return vma;
}

static int insert(struct mm_struct *mm, unsigned long start, unsigned long end,
		  unsigned long flags)
{
	struct vm_area_struct *vma = new_vma(mm, start, end, flags);
	int err = insert_vm_struct(mm, vma);

	if (err)
		vm_area_free(vma);
	return err;
}

#define RW	(VM_READ | VM_WRITE | MAY3)

Test(vma, edges)
{
	struct mm_struct mm;
	struct vm_area_struct *v;

	mm_struct_init(&mm, NULL);
	cr_assert(!find_vma(&mm, 0) && !vma_first(&mm) && mm.highest_vm_end == 0);
	cr_assert(insert(&mm, 0x1000, 0x1000, RW) == -EINVAL, "empty");
	cr_assert(insert(&mm, 0x1800, 0x3000, RW) == -EINVAL, "unaligned");
	cr_assert(insert(&mm, TASK_SIZE, TASK_SIZE + 0x1000, RW) == -EINVAL, "above task_size");
	cr_assert(insert(&mm, 0x10000, 0x20000, RW) == 0);
	cr_assert(insert(&mm, 0x1f000, 0x21000, RW) == -EEXIST);
	v = find_vma(&mm, 0x10000);
	cr_assert(split_vma(&mm, v, 0x10000, 0) == -EINVAL);
	cr_assert(split_vma(&mm, v, 0x20000, 0) == -EINVAL);
	cr_assert(split_vma(&mm, v, 0x10800, 0) == -EINVAL);
	cr_assert(vma_unmap_range(&mm, 0x10800, 0x11000, NULL, NULL) == -EINVAL);
	cr_assert(vma_unmap_range(&mm, 0x30000, 0x30000, NULL, NULL) == -EINVAL);
	cr_assert(vma_protect_range(&mm, 0x10000, 0x11000, VM_SHARED, NULL, NULL) == -EINVAL);
	cr_assert(vma_protect_range(&mm, 0x10000, 0x21000, VM_READ, NULL, NULL) == -ENOMEM);
	cr_assert(get_unmapped_area(&mm, 0, 0) == (unsigned long)-EINVAL);
	cr_assert(get_unmapped_area(&mm, TASK_SIZE, 0) == (unsigned long)-ENOMEM);
	/* A hole in the middle of one VMA: three pieces, then mprotect back merges them. */
	cr_assert(vma_protect_range(&mm, 0x14000, 0x15000, VM_READ, NULL, NULL) == 0);
	cr_assert(mm.map_count == 3 && mm.data_vm == 15 && mm.total_vm == 16);
	cr_assert(vma_protect_range(&mm, 0x14000, 0x15000, VM_READ | VM_WRITE, NULL, NULL) == 0);
	cr_assert(mm.map_count == 1 && mm.data_vm == 16);
	/* find_vma: the first VMA ending above, even if it starts above. */
	cr_assert(find_vma(&mm, 0x5000) == vma_first(&mm) && !vma_lookup(&mm, 0x5000));
	cr_assert(!find_vma(&mm, 0x20000) && mm.highest_vm_end == 0x20000);
	mm_vmas_destroy(&mm, NULL, NULL);
	cr_assert(live_vmas == 0);
}

Test(vma, insert_merges_both_sides_and_keeps_the_new_vma)
{
	struct mm_struct mm;
	struct vm_area_struct *mid;

	mm_struct_init(&mm, NULL);
	cr_assert(insert(&mm, 0x10000, 0x12000, RW) == 0);
	cr_assert(insert(&mm, 0x13000, 0x15000, RW) == 0);
	mid = new_vma(&mm, 0x12000, 0x13000, RW);
	cr_assert(insert_vm_struct(&mm, mid) == 0);
	cr_assert(mm.map_count == 1 && vma_first(&mm) == mid);
	cr_assert(mid->vm_start == 0x10000 && mid->vm_end == 0x15000 && mid->vm_pgoff == 0x10);
	cr_assert(live_vmas == 1 && mm.total_vm == 5);
	mm_vmas_destroy(&mm, NULL, NULL);
}

Test(vma, special_and_named_vmas_do_not_merge)
{
	struct mm_struct mm;
	struct vm_area_struct *v;

	mm_struct_init(&mm, NULL);
	cr_assert(insert(&mm, 0x10000, 0x11000, RW | VM_IO) == 0);
	cr_assert(insert(&mm, 0x11000, 0x12000, RW | VM_IO) == 0);
	cr_assert(mm.map_count == 2, "VM_IO is never merged");
	v = new_vma(&mm, 0x12000, 0x13000, RW);
	v->anon_name = "[anon:x]";
	cr_assert(insert_vm_struct(&mm, v) == 0);
	v = new_vma(&mm, 0x13000, 0x14000, RW);
	cr_assert(insert_vm_struct(&mm, v) == 0);
	cr_assert(mm.map_count == 4, "names differ");
	v = new_vma(&mm, 0x14000, 0x15000, RW);
	v->vm_pgoff += 5;
	cr_assert(insert_vm_struct(&mm, v) == 0);
	cr_assert(mm.map_count == 5, "offsets not contiguous");
	mm_vmas_destroy(&mm, NULL, NULL);
	cr_assert(live_vmas == 0);
}

Test(vma, unmapped_area_default_layout)
{
	struct mm_struct mm;
	unsigned long a;

	mm_struct_init(&mm, NULL);
	a = get_unmapped_area(&mm, 5000, 0);
	cr_assert(a == MMAP_BASE_DEFAULT - 0x2000, "top-down from mmap_base: %#lx", a);
	cr_assert(insert(&mm, a, a + 0x2000, RW) == 0);
	cr_assert(get_unmapped_area(&mm, 0x1000, 0) == a - 0x1000, "just below the last one");
	cr_assert(get_unmapped_area(&mm, 0x1000, a) == a - 0x1000, "a taken hint is ignored");
	cr_assert(get_unmapped_area(&mm, 0x1000, 0x400000) == 0x400000, "a free hint is used");
	cr_assert(get_unmapped_area(&mm, 0x1000, 0x1000) != 0x1000, "below mmap_min_addr");
	/* A stack right below mmap_base keeps its guard gap free. */
	cr_assert(insert(&mm, a - 0x8000, a, VM_STACK_DEFAULT_FLAGS) == 0);
	cr_assert(get_unmapped_area(&mm, 0x1000, 0) == a - 0x8000 - stack_guard_gap - 0x1000);
	cr_assert(get_unmapped_area(&mm, 0x1000, a - 0x8000 - 0x1000) ==
		  a - 0x8000 - stack_guard_gap - 0x1000, "a hint inside the guard gap is refused");
	mm.flags &= ~(1ul << MMF_TOPDOWN);
	cr_assert(get_unmapped_area(&mm, 0x1000, 0) == TASK_UNMAPPED_BASE);
	mm_vmas_destroy(&mm, NULL, NULL);
}

Test(vma, rss_counters)
{
	struct mm_struct mm;

	mm_struct_init(&mm, NULL);
	inc_mm_counter(&mm, MM_ANONPAGES);
	add_mm_counter(&mm, MM_FILEPAGES, 3);
	add_mm_counter(&mm, MM_SWAPENTS, 7);
	cr_assert(get_mm_rss(&mm) == 4 && mm.hiwater_rss == 4);
	dec_mm_counter(&mm, MM_ANONPAGES);
	add_mm_counter(&mm, MM_FILEPAGES, -3);
	cr_assert(get_mm_rss(&mm) == 0 && mm.hiwater_rss == 4);
	cr_assert(get_mm_counter(&mm, MM_SWAPENTS) == 7);
}

/* ---- /proc/PID/maps lines, compared with Linux's (names start in column 73) ---- */

static const char *maps_line(const struct vm_area_struct *vma)
{
	static char buf[256];
	int n = vma_format_maps_line(vma, buf, sizeof(buf));

	cr_assert(n == (int)strlen(buf) && n > 0 && buf[n - 1] == '\n');
	return buf;
}

Test(vma, maps_format)
{
	struct mm_struct mm;
	struct vm_area_struct *v;
	char small[20];
	const char *line;

	mm_struct_init(&mm, NULL);
	mm.start_brk = 0x602000;
	mm.brk = 0x623000;
	mm.start_stack = 0x7ffffffde100;
	cr_assert(insert(&mm, 0x400000, 0x401000, VM_READ | VM_EXEC | MAY3) == 0);
	cr_assert(insert(&mm, 0x602000, 0x623000, RW) == 0);
	cr_assert(insert(&mm, 0x7ffff7ff0000, 0x7ffff7ff2000, RW) == 0);
	cr_assert(insert(&mm, 0x7ffffffde000, 0x7ffffffff000, VM_STACK_DEFAULT_FLAGS) == 0);
	v = new_vma(&mm, 0x7ffff7fc0000, 0x7ffff7fc4000, VM_READ | VM_MAYREAD | VM_MAYSHARE |
		    VM_SHARED);
	v->vm_file = &file_a;
	file_a.refcount++;
	v->vm_pgoff = 0x1a;
	v->anon_name = "/usr/lib/locale/C.utf8/LC_CTYPE";
	cr_assert(insert_vm_struct(&mm, v) == 0);

	line = maps_line(find_vma(&mm, 0x400000));
	cr_assert_str_eq(line, "00400000-00401000 r-xp 00000000 00:00 0 \n");
	line = maps_line(find_vma(&mm, 0x602000));
	cr_assert_str_eq(line, "00602000-00623000 rw-p 00000000 00:00 0"
			       "                                  [heap]\n");
	cr_assert(strstr(line, "[heap]") - line == 73);
	line = maps_line(find_vma(&mm, 0x7ffff7fc0000));
	cr_assert_str_eq(line, "7ffff7fc0000-7ffff7fc4000 r--s 0001a000 00:00 0"
			       "                          /usr/lib/locale/C.utf8/LC_CTYPE\n");
	line = maps_line(find_vma(&mm, 0x7ffff7ff0000));
	cr_assert_str_eq(line, "7ffff7ff0000-7ffff7ff2000 rw-p 00000000 00:00 0 \n");
	line = maps_line(find_vma(&mm, 0x7ffffffde000));
	cr_assert_str_eq(line, "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0"
			       "                          [stack]\n");
	cr_assert(strstr(line, "[stack]") - line == 73);
	/* Truncation as scnprintf: what was stored, NUL-terminated. */
	cr_assert(vma_format_maps_line(find_vma(&mm, 0x400000), small, sizeof(small)) == 19);
	cr_assert_str_eq(small, "00400000-00401000 r");
	mm_vmas_destroy(&mm, NULL, NULL);
}

Test(vma, dup_failure_frees_the_copies)
{
	struct mm_struct parent, child;

	mm_struct_init(&parent, NULL);
	for (unsigned long a = 0x10000; a < 0x20000; a += 0x2000)
		cr_assert(insert(&parent, a, a + 0x1000, RW) == 0);
	mm_struct_init(&child, NULL);
	copy_calls = 0;
	copy_fail_at = 3;
	cr_assert(dup_vmas(&child, &parent, copy_cb, NULL) == -EIO);
	cr_assert(child.map_count == 0 && live_vmas == parent.map_count);
	mm_struct_init(&child, NULL);
	fail_in = 5;
	cr_assert(dup_vmas(&child, &parent, NULL, NULL) == -ENOMEM);
	cr_assert(child.map_count == 0 && live_vmas == parent.map_count);
	fail_in = 0;
	cr_assert(dup_vmas(&child, &parent, NULL, NULL) == 0 && child.map_count == 8);
	cr_assert(child.total_vm == parent.total_vm && child.highest_vm_end == 0x1f000);
	mm_vmas_destroy(&child, NULL, NULL);
	mm_vmas_destroy(&parent, NULL, NULL);
	cr_assert(live_vmas == 0);
}
