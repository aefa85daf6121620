/*
 * Debug caches (SLUB's slub_debug; docs/slab.md): a cache with any SLAB_DEBUG flag, set by
 * kmem_cache_create or by slub_debug on the command line, has no fast path. Each alloc and
 * free comes here, under list_lock, and checks the object it touches:
 *   SLAB_RED_ZONE    guard bytes before and after each object: 0xbb while it is free, 0xcc
 *                    while allocated; any other value means a write past its ends;
 *   SLAB_POISON      a free object is filled with 0x6b and ends with 0xa5; any change by the
 *                    next allocation means somebody wrote to it after freeing it;
 *   SLAB_STORE_USER  the call sites of the last alloc and free of each object, for reports;
 *   SLAB_CONSISTENCY_CHECKS  kept for Linux's slub_debug=F; every debug cache, whichever
 *                    flag made it one, checks that a free is of an object start of this
 *                    cache not already on the freelist (walked: debug costs O(objects)).
 * The free pointer sits behind the object in a debug cache, so poison covers all of it.
 *
 * What is done after a report, so the cache stays sound and the kernel carries on: a bad
 * free (double, interior pointer, wrong cache) is ignored; damaged red zones are restored;
 * an object whose poison was damaged is quarantined: never handed out again, since whoever
 * still writes to it would corrupt its next owner; a damaged freelist link is cut and the
 * free objects behind it are quarantined too. Each repair prints "FIX <cache>: ..."; an
 * ignored free (wrong cache, interior pointer) is reported without one.
 *
 * Limits: a write after free is found when the object is allocated again or by
 * kmem_cache_check, not when it happens (that needs page protection, as KFENCE does); a
 * write that skips over the red zone into the next object looks like that object's bug.
 */
#include <kernel/params.h>
#include <kernel/printk.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/slab.h>

/* ---- slub_debug= ---- */

static slab_flags_t slub_debug_flags;	/* added to the caches below; 0: slub_debug is off */
static char slub_debug_names[128];	/* "kmalloc-64,foo" or "kmalloc-*": empty means all */

/*
 * slub_debug               every check on every cache
 * slub_debug=ZPU           red zones, poison and call sites (F: consistency checks), all caches
 * slub_debug=FZ,foo,kmalloc-*   only for these caches (a trailing * matches a prefix)
 * slub_debug=-             off
 */
int slub_debug_setup(const char *val)
{
	const char *start = val ? val : "", *p;
	slab_flags_t flags = 0;

	for (p = start; *p && *p != ','; p++) {
		switch (*p | 0x20) {	/* letters in either case, as Linux accepts */
		case 'f':
			flags |= SLAB_CONSISTENCY_CHECKS;
			break;
		case 'z':
			flags |= SLAB_RED_ZONE;
			break;
		case 'p':
			flags |= SLAB_POISON;
			break;
		case 'u':
			flags |= SLAB_STORE_USER;
			break;
		case '-':
			flags = 0;
			break;
		default:
			return -EINVAL;
		}
	}
	if (p == start)
		flags = SLAB_DEBUG;	/* no letters: everything */
	if (*p == ',')
		p++;
	if (strlen(p) >= sizeof(slub_debug_names))
		return -EINVAL;
	strscpy(slub_debug_names, p, sizeof(slub_debug_names));
	slub_debug_flags = flags;
	return 0;
}
KERNEL_PARAM("slub_debug", slub_debug_setup, "nothing, or [FZPU-][,cache,...]");

static bool name_listed(const char *name)
{
	const char *p = slub_debug_names;

	while (*p) {
		size_t len = strchr(p, ',') ? (size_t)(strchr(p, ',') - p) : strlen(p);
		bool prefix = len && p[len - 1] == '*';

		if (prefix && strncmp(p, name, len - 1) == 0)
			return true;
		if (!prefix && strlen(name) == len && strncmp(p, name, len) == 0)
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

slab_flags_t slub_debug_for(const char *name, slab_flags_t flags)
{
	if (slub_debug_flags && (!slub_debug_names[0] || name_listed(name)))
		flags |= slub_debug_flags;
	return flags;
}

/* ---- the bytes of an object ---- */

struct slab_track *get_track(const struct kmem_cache *s, const void *object, enum track_item item)
{
	return (struct slab_track *)((char *)object + s->offset + sizeof(void *)) + item;
}

static void set_track(struct kmem_cache *s, void *object, enum track_item item,
		      unsigned long addr, unsigned int size)
{
	struct slab_track *t;

	if (!(s->flags & SLAB_STORE_USER))
		return;
	t = get_track(s, object, item);
	t->addr = addr;
	t->cpu = smp_processor_id();
	t->size = size;
}

/* Poison needs the object's bytes to be free: not so with a constructor (its state stays). */
static bool object_poisoned(const struct kmem_cache *s)
{
	return (s->flags & SLAB_POISON) && !s->ctor;
}

static void poison_object(struct kmem_cache *s, uint8_t *object)
{
	memset(object, POISON_FREE, s->object_size - 1);
	object[s->object_size - 1] = POISON_END;
}

static void set_redzones(struct kmem_cache *s, uint8_t *object, uint8_t val)
{
	if (!(s->flags & SLAB_RED_ZONE))
		return;
	memset(object - s->red_left_pad, val, s->red_left_pad);
	memset(object + s->object_size, val, s->inuse - s->object_size);
}

void debug_init_object(struct kmem_cache *s, void *object)
{
	set_redzones(s, object, SLUB_RED_INACTIVE);
	if (object_poisoned(s))
		poison_object(s, object);
	if (s->flags & SLAB_STORE_USER)
		memset(get_track(s, object, TRACK_ALLOC), 0, 2 * sizeof(struct slab_track));
}

static uint8_t *first_mismatch(uint8_t *start, uint8_t value, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (start[i] != value)
			return start + i;
	return NULL;
}

/*
 * Are @len bytes at @start all @value? If not, report the damaged range as @bug and restore
 * it (Linux's check_bytes_and_report).
 */
static bool check_bytes(struct kmem_cache *s, struct page *head, uint8_t *object, enum slab_bug bug,
			const char *what, uint8_t *start, uint8_t value, size_t len,
			unsigned long caller)
{
	uint8_t *fault = first_mismatch(start, value, len), *end = start + len;

	if (!fault)
		return true;
	while (end > fault && end[-1] == value)
		end--;
	slab_report(bug, s, head, object, fault, caller,
		    "%s %p-%p @offset=%ld. First byte %#x instead of %#x", what, fault, end - 1,
		    (long)(fault - object), *fault, value);
	memset(fault, value, (size_t)(end - fault));
	slab_fix(s, "Restoring %s %p-%p=%#x", what, fault, end - 1, value);
	return false;
}

/*
 * Check the red zones against @val (active: allocated, inactive: free) and, for a free
 * object, its poison. Damage is reported and restored. Returns false when the poison was
 * damaged: someone wrote to the object after it was freed.
 */
bool check_object(struct kmem_cache *s, struct page *head, uint8_t *object, uint8_t val,
		  unsigned long caller)
{
	if (s->flags & SLAB_RED_ZONE) {
		check_bytes(s, head, object, SLAB_BUG_REDZONE, "Left Redzone",
			    object - s->red_left_pad, val, s->red_left_pad, caller);
		check_bytes(s, head, object, SLAB_BUG_REDZONE, "Right Redzone",
			    object + s->object_size, val, s->inuse - s->object_size, caller);
	}
	if (val == SLUB_RED_INACTIVE && object_poisoned(s)) {
		bool ok = check_bytes(s, head, object, SLAB_BUG_POISON, "Poison", object,
				      POISON_FREE, s->object_size - 1, caller);

		return check_bytes(s, head, object, SLAB_BUG_POISON, "Poison",
				   object + s->object_size - 1, POISON_END, 1, caller) && ok;
	}
	return true;
}

/* NULL, or the start of an object of this slab: what a free pointer may hold. */
static bool valid_free_pointer(const struct kmem_cache *s, struct page *head, const void *p)
{
	return !p || slab_object_index(s, head, p) >= 0;
}

/*
 * The link after @object is not a valid pointer: cut the freelist there. The free objects
 * behind it cannot be found any more; they count as quarantined (in use by nobody).
 * @lost: how many. list_lock held; @head is on no list.
 */
static void freelist_corrupt(struct kmem_cache *s, struct page *head, void *object,
			     unsigned int lost, unsigned long caller)
{
	slab_report(SLAB_BUG_FREELIST, s, head, object, NULL, caller,
		    "Freepointer %p of free object %p points outside the slab's objects",
		    get_freepointer(s, object), object);
	set_freepointer(s, object, NULL);
	head->inuse += lost;
	s->quarantined += lost;
	slab_fix(s, "Freelist cut after %p: %u free objects isolated", object, lost);
}

/* Is @x on the freelist of its slab? Walks it, checking every link (list_lock held). */
static bool on_freelist(struct kmem_cache *s, struct page *head, const void *x,
			unsigned long caller)
{
	unsigned int nr = 0, free = head->objects - head->inuse;

	for (void *p = head->freelist; p && nr < free; nr++) {
		void *next = get_freepointer(s, p);

		if (p == x)
			return true;
		if (!valid_free_pointer(s, head, next)) {
			unlink_slab(s, head);
			freelist_corrupt(s, head, p, free - nr - 1, caller);
			file_slab(s, head, NULL);
			return false;
		}
		p = next;
	}
	return false;
}

/* Pop the first free object of @head, re-filing the slab (list_lock held). */
static void *take_free_object(struct kmem_cache *s, struct page *head, unsigned long caller)
{
	void *object = head->freelist, *next = get_freepointer(s, object);

	unlink_slab(s, head);
	if (!valid_free_pointer(s, head, next)) {
		freelist_corrupt(s, head, object, head->objects - head->inuse - 1, caller);
		next = NULL;
	}
	head->freelist = next;
	head->inuse++;
	file_slab(s, head, NULL);
	return object;
}

/* ---- the debug paths ---- */

void *debug_slab_alloc(struct kmem_cache *s, gfp_t gfp, unsigned long caller, size_t orig_size)
{
	unsigned long flags = spin_lock_irqsave(&s->list_lock);
	struct kmem_cache_cpu *c;
	struct page *head;
	void *object;

	while ((head = node_slab_with_free(s, gfp, &flags))) {
		object = take_free_object(s, head, caller);
		if (check_object(s, head, object, SLUB_RED_INACTIVE, caller)) {
			set_redzones(s, object, SLUB_RED_ACTIVE);
			set_track(s, object, TRACK_ALLOC, caller,
				  orig_size ? (unsigned int)orig_size : s->object_size);
			set_track(s, object, TRACK_FREE, 0, 0);	/* "Freed in" is this life's */
			c = this_cpu_slab(s);
			slab_stat_add(&c->allocs, 1);
			slab_stat_add(&c->requested, orig_size);
			spin_unlock_irqrestore(&s->list_lock, flags);
			return object;
		}
		s->quarantined++;	/* it stays allocated to nobody; its red zones say free */
		slab_fix(s, "Object %p quarantined: it will not be handed out again", object);
	}
	spin_unlock_irqrestore(&s->list_lock, flags);
	return NULL;
}

/* Both red zones still say "free": a quarantined object, or a free one off the list. */
static bool redzones_inactive(struct kmem_cache *s, uint8_t *object)
{
	return (s->flags & SLAB_RED_ZONE) &&
	       !first_mismatch(object - s->red_left_pad, SLUB_RED_INACTIVE, s->red_left_pad) &&
	       !first_mismatch(object + s->object_size, SLUB_RED_INACTIVE,
			       s->inuse - s->object_size);
}

void debug_slab_free(struct kmem_cache *s, struct page *head, void *x, unsigned long caller)
{
	struct list_head discard = LIST_HEAD_INIT(discard);
	unsigned long flags = spin_lock_irqsave(&s->list_lock);

	if (on_freelist(s, head, x, caller) || redzones_inactive(s, x)) {
		slab_report(SLAB_BUG_DOUBLE_FREE, s, head, x, NULL, caller,
			    "Object %p already free", x);
		slab_fix(s, "Object at %p not freed", x);
		spin_unlock_irqrestore(&s->list_lock, flags);
		return;
	}
	check_object(s, head, x, SLUB_RED_ACTIVE, caller);
	set_track(s, x, TRACK_FREE, caller, 0);
	if (object_poisoned(s))
		poison_object(s, x);
	set_redzones(s, x, SLUB_RED_INACTIVE);
	unlink_slab(s, head);
	set_freepointer(s, x, head->freelist);
	head->freelist = x;
	head->inuse--;
	slab_stat_add(&this_cpu_slab(s)->frees, 1);
	file_slab(s, head, &discard);
	spin_unlock_irqrestore(&s->list_lock, flags);
	discard_slabs(s, &discard);
}
