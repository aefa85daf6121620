/*
 * Reports of slab bugs, laid out as Linux's SLUB prints them (mm/slub.c: slab_bug,
 * print_trailer), so that after reading ours a student can read a real one:
 *
 *   =============================================================================
 *   BUG kmalloc-64 (Not tainted): Redzone overwritten
 *   -----------------------------------------------------------------------------
 *
 *   INFO: Right Redzone 0x...-0x... @offset=64. First byte 0x41 instead of 0xcc
 *   INFO: Allocated in test_overrun+0x2b/0x90 cpu=0 size=64
 *   INFO: Freed in: not freed since it was allocated
 *   INFO: Slab 0x... objects=34 used=1 fp=0x... flags=0x...
 *   INFO: Object 0x... @offset=2048 fp=0x...
 *   INFO: Found in a call from test_overrun+0x5d/0x90
 *   Redzone  ffff888001a3c7f8: bb bb bb bb bb bb bb bb                          ........
 *   Object   ffff888001a3c800: 41 41 41 ...
 *   Redzone  ffff888001a3c840: 41 cc cc cc cc cc cc cc                          A.......
 *   FIX kmalloc-64: Restoring Right Redzone 0x...-0x...=0xcc
 *
 * The call sites come from SLAB_STORE_USER's tracks, printed with sprint_symbol. Every report
 * counts in slab_stats.bugs[]. Nothing here changes the cache: the callers decide what to fix.
 * A report never reads memory that is not known to be a slab object (kfree of a wild
 * pointer prints the pointer, not what it points at).
 */
#include <kernel/ksyms.h>
#include <kernel/printk.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/slab.h>

const char *const slab_bug_names[NR_SLAB_BUGS] = {
	[SLAB_BUG_REDZONE] = "Redzone overwritten",
	[SLAB_BUG_POISON] = "Poison overwritten",
	[SLAB_BUG_DOUBLE_FREE] = "Object already free",
	[SLAB_BUG_INVALID_PTR] = "Invalid object pointer",
	[SLAB_BUG_WRONG_CACHE] = "Wrong slab cache",
	[SLAB_BUG_FREELIST] = "Freepointer corrupt",
	[SLAB_BUG_NOT_SLAB] = "Not a slab object",
	[SLAB_BUG_DESTROY_BUSY] = "Objects remaining on kmem_cache_destroy()",
};

#define LEAKS_SHOWN 8	/* objects listed by a kmem_cache_destroy report */

/* @none: what an empty track means ("never allocated", "not freed since ..."). */
static void print_track(const char *what, const struct slab_track *t, const char *none)
{
	char sym[KSYM_NAME_LEN + 32];

	if (!t->addr) {
		pr_err("INFO: %s in: %s\n", what, none);
		return;
	}
	sprint_symbol(sym, sizeof(sym), t->addr);
	if (t->size)
		pr_err("INFO: %s in %s cpu=%u size=%u\n", what, sym, t->cpu, t->size);
	else
		pr_err("INFO: %s in %s cpu=%u\n", what, sym, t->cpu);
}

/* One line of hex and ASCII, as print_hex_dump: at most 16 bytes. */
static void print_bytes(const char *label, const uint8_t *p, size_t len)
{
	char line[128];
	int n = scnprintf(line, sizeof(line), "%-8s %016lx:", label, (unsigned long)p);

	len = MIN(len, (size_t)16);
	for (size_t i = 0; i < 16; i++)
		n += i < len ? scnprintf(line + n, sizeof(line) - n, " %02x", p[i]) :
			       scnprintf(line + n, sizeof(line) - n, "   ");
	n += scnprintf(line + n, sizeof(line) - n, "  ");
	for (size_t i = 0; i < len; i++)
		n += scnprintf(line + n, sizeof(line) - n, "%c",
			       p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.');
	pr_err("%s\n", line);
}

/* The object's red zones and its first bytes, or those around @fault when it is inside. */
static void print_object(const struct kmem_cache *s, const uint8_t *object, const uint8_t *fault)
{
	const uint8_t *start = object;
	unsigned int left = MIN(s->red_left_pad, 16u);

	if (left)
		print_bytes("Redzone", object - left, left);
	if (fault && fault >= object && fault < object + s->object_size)
		start = object + ALIGN_DOWN((size_t)(fault - object), (size_t)16);
	print_bytes("Object", start, (size_t)(object + s->object_size - start));
	if (s->flags & SLAB_RED_ZONE)
		print_bytes("Redzone", object + s->object_size, s->inuse - s->object_size);
}

static void print_header(const char *name, const char *title)
{
	pr_err("=============================================================================\n");
	pr_err("BUG %s (Not tainted): %s\n", name, title);
	pr_err("-----------------------------------------------------------------------------\n");
	pr_err("\n");
}

static void print_slab(const struct page *head)
{
	pr_err("INFO: Slab %p objects=%u used=%u fp=%p flags=%#lx\n", head, head->objects,
	       head->inuse, head->freelist, head->flags);
}

void slab_report(enum slab_bug bug, struct kmem_cache *s, struct page *head, const void *object,
		 const void *fault, unsigned long caller, const char *fmt, ...)
{
	const struct kmem_cache *owner = head ? head->slab_cache : NULL;
	char msg[192], sym[KSYM_NAME_LEN + 32];
	va_list ap;

	slab_stats.bugs[bug]++;
	va_start(ap, fmt);
	vscnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_header(s ? s->name : "kmalloc", slab_bug_names[bug]);
	pr_err("INFO: %s\n", msg);
	if (owner && object) {
		if (owner->flags & SLAB_STORE_USER) {
			print_track("Allocated", get_track(owner, object, TRACK_ALLOC),
				    "never allocated");
			print_track("Freed", get_track(owner, object, TRACK_FREE),
				    "not freed since it was allocated");
		} else {
			pr_err("INFO: no call sites kept: %s has no SLAB_STORE_USER (boot with "
			       "slub_debug to get them)\n", owner->name);
		}
	}
	if (head)
		print_slab(head);
	if (owner && object)
		pr_err("INFO: Object %p @offset=%lu fp=%p\n", object,
		       (unsigned long)((const char *)object - slab_base(head)),
		       get_freepointer(owner, object));
	sprint_symbol(sym, sizeof(sym), caller);
	pr_err("INFO: Found in a call from %s\n", sym);
	if (owner && object)
		print_object(owner, object, fault);
}

void slab_fix(struct kmem_cache *s, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("FIX %s: %s\n", s->name, msg);
}

/* Which objects of @head are free: one bit per object, from its freelist. */
static void free_map(const struct kmem_cache *s, struct page *head,
		     unsigned long map[SLAB_MAX_OBJECTS / 64])
{
	unsigned int n = 0;

	memset(map, 0, SLAB_MAX_OBJECTS / 8);
	for (void *p = head->freelist; p && n < head->objects; p = get_freepointer(s, p), n++) {
		long i = slab_object_index(s, head, p);

		if (i < 0)
			break;
		map[i / 64] |= 1ul << (i % 64);
	}
}

/* List the allocated objects of one slab; returns how many it found. */
static unsigned long report_slab_objects(struct kmem_cache *s, struct page *head,
					 unsigned long *shown)
{
	unsigned long map[SLAB_MAX_OBJECTS / 64], found = 0;
	char sym[KSYM_NAME_LEN + 32];

	free_map(s, head, map);
	print_slab(head);
	for (unsigned int i = 0; i < head->objects; i++) {
		void *object = slab_object(s, head, i);
		const struct slab_track *t = get_track(s, object, TRACK_ALLOC);

		if (map[i / 64] & (1ul << (i % 64)))
			continue;
		found++;
		if ((*shown)++ >= LEAKS_SHOWN)
			continue;
		if ((s->flags & SLAB_STORE_USER) && t->addr) {
			sprint_symbol(sym, sizeof(sym), t->addr);
			pr_err("INFO: Object %p @offset=%lu allocated in %s cpu=%u size=%u\n",
			       object, (unsigned long)((char *)object - slab_base(head)), sym,
			       t->cpu, t->size);
		} else {
			pr_err("INFO: Object %p @offset=%lu\n", object,
			       (unsigned long)((char *)object - slab_base(head)));
		}
	}
	return found;
}

void slab_report_leak(struct kmem_cache *s, unsigned long live, unsigned long caller)
{
	unsigned long shown = 0, found = 0;
	char sym[KSYM_NAME_LEN + 32], title[96];
	struct page *head;

	slab_stats.bugs[SLAB_BUG_DESTROY_BUSY]++;
	snprintf(title, sizeof(title), "Objects remaining in %s on kmem_cache_destroy()", s->name);
	print_header(s->name, title);
	/* every slab but the empty ones: flushed, or full and held by a CPU on no list */
	for (unsigned long pfn = 0; (head = slab_next(s, &pfn));)
		if (head->inuse)
			found += report_slab_objects(s, head, &shown);
	if (shown > LEAKS_SHOWN)
		pr_err("INFO: ... and %lu more objects\n", shown - LEAKS_SHOWN);
	sprint_symbol(sym, sizeof(sym), caller);
	pr_err("kmem_cache_destroy %s: Slab cache still has objects when called from %s\n",
	       s->name, sym);
	pr_err("kmem_cache_destroy %s: %lu objects in use (%lu in slabs, %lu quarantined): the "
	       "cache is leaked, not freed\n", s->name, live, found, s->quarantined);
}
