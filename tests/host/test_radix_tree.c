/*
 * lib/radix_tree.c against a model: random inserts, deletes and tag changes on indices
 * drawn from a few clusters (0.., around 4096, around 2^40, the top of the range), each
 * step checked by lookup, tag_get and gang lookups (any, and per tag) against a plain
 * array; at the end every node must be freed. Plus the shapes: the height grows and
 * shrinks, -EEXIST and -EINVAL, tags set and cleared up to the root.
 */
#include <criterion/criterion.h>
#include <lib/errno.h>
#include <lib/radix_tree.h>
#include <mm/slab.h>
#include "rng.h"

void slab_machine_boot(const char *slub_debug);
void slab_machine_teardown(void);

static void boot(void)
{
	slab_machine_boot(NULL);
	radix_tree_init();
}

TestSuite(radix_tree, .init = boot, .fini = slab_machine_teardown);

#define ITEM(i) ((void *)(uintptr_t)((i) * 2 + 1))	/* never NULL, distinct per index */

Test(radix_tree, height_grows_and_shrinks)
{
	struct radix_tree_root r = RADIX_TREE_INIT(GFP_KERNEL);

	cr_assert_eq(radix_tree_insert(&r, 5, ITEM(5)), 0);
	cr_assert_eq(r.node->shift, 0, "one leaf for index 5");
	cr_assert_eq(radix_tree_insert(&r, 5, ITEM(5)), -EEXIST);
	cr_assert_eq(radix_tree_insert(&r, 9, NULL), -EINVAL);
	cr_assert_eq(radix_tree_insert(&r, 1ul << 20, ITEM(1)), 0);
	cr_assert_eq(r.node->shift, 18, "2^20 needs a root of shift 18");
	cr_assert_eq(radix_tree_lookup(&r, 5), ITEM(5));
	cr_assert_eq(radix_tree_lookup(&r, 6), NULL);
	cr_assert_eq(radix_tree_lookup(&r, ~0ul), NULL);
	cr_assert_eq(radix_tree_delete(&r, 1ul << 20), ITEM(1));
	cr_assert_eq(r.node->shift, 0, "back to one leaf");
	cr_assert_eq(radix_tree_nr_nodes, 1);
	cr_assert_eq(radix_tree_insert(&r, ~0ul, ITEM(7)), 0);
	cr_assert_eq(radix_tree_lookup(&r, ~0ul), ITEM(7));
	cr_assert_eq(radix_tree_delete(&r, 5), ITEM(5));
	cr_assert_eq(radix_tree_delete(&r, ~0ul), ITEM(7));
	cr_assert_eq(r.node, NULL);
	cr_assert_eq(radix_tree_nr_nodes, 0);
}

Test(radix_tree, tags_skip_untagged_subtrees)
{
	struct radix_tree_root r = RADIX_TREE_INIT(GFP_KERNEL);
	void *items[8];
	unsigned long idx[8];

	for (unsigned long i = 0; i < 20000; i += 100)
		cr_assert_eq(radix_tree_insert(&r, i, ITEM(i)), 0);
	cr_assert(!radix_tree_tagged(&r, 0));
	cr_assert_eq(radix_tree_tag_set(&r, 12300, 0), ITEM(12300));
	cr_assert_eq(radix_tree_tag_set(&r, 12301, 0), NULL, "no item there");
	cr_assert_eq(radix_tree_tag_set(&r, 500, 1), ITEM(500));
	cr_assert(radix_tree_tagged(&r, 0) && radix_tree_tag_get(&r, 12300, 0));
	cr_assert(!radix_tree_tag_get(&r, 12300, 1));
	cr_assert_eq(radix_tree_gang_lookup(&r, items, idx, 0, 8, 0), 1);
	cr_assert(items[0] == ITEM(12300) && idx[0] == 12300);
	cr_assert_eq(radix_tree_gang_lookup(&r, items, idx, 12301, 8, 0), 0);
	cr_assert_eq(radix_tree_gang_lookup(&r, items, idx, 12250, 3, RADIX_TREE_ANY), 3);
	cr_assert(idx[0] == 12300 && idx[1] == 12400 && idx[2] == 12500);
	radix_tree_tag_clear(&r, 12300, 0);
	cr_assert(!radix_tree_tagged(&r, 0), "the last tag cleared clears it up to the root");
	cr_assert(radix_tree_tagged(&r, 1));
	radix_tree_delete(&r, 500);
	cr_assert(!radix_tree_tagged(&r, 1), "deleting a tagged item clears its tags");
	for (unsigned long i = 0; i < 20000; i += 100)
		radix_tree_delete(&r, i);
	cr_assert_eq(radix_tree_nr_nodes, 0);
}

#define MAXN 2000

struct entry {
	unsigned long index;
	bool tag[RADIX_TREE_MAX_TAGS];
};

static struct entry model[MAXN];
static unsigned int nmodel;

static int find(unsigned long index)
{
	for (unsigned int i = 0; i < nmodel; i++)
		if (model[i].index == index)
			return (int)i;
	return -1;
}

static unsigned long pick_index(void)
{
	static const unsigned long bases[] = { 0, 4000, 1ul << 40, ~0ul - 300 };

	if (nmodel && rnd_below(2))
		return model[rnd_below(nmodel)].index;
	return bases[rnd_below(4)] + rnd_below(300);
}

/* Model entries with index >= first (and the tag), sorted, up to max: compared in order. */
static void check_gang(struct radix_tree_root *r, unsigned long first, unsigned int tag)
{
	static void *items[64];
	static unsigned long idx[64];
	unsigned int max = 1 + (unsigned int)rnd_below(63), n, want = 0;
	unsigned long last = 0;

	n = radix_tree_gang_lookup(r, items, idx, first, max, tag);
	for (unsigned int k = 0; k < n; k++) {
		int m = find(idx[k]);

		cr_assert(m >= 0 && items[k] == ITEM(idx[k]) && idx[k] >= first);
		cr_assert(k == 0 || idx[k] > last, "in index order");
		cr_assert(tag == RADIX_TREE_ANY || model[m].tag[tag]);
		last = idx[k];
	}
	for (unsigned int i = 0; i < nmodel; i++)
		if (model[i].index >= first && (tag == RADIX_TREE_ANY || model[i].tag[tag]) &&
		    (n < max || model[i].index <= last))
			want++;
	cr_assert_eq(n, want, "gang lookup from %lu (tag %u, max %u): %u, model %u", first, tag,
		     max, n, want);
}

Test(radix_tree, random_operations_match_a_model)
{
	struct radix_tree_root r = RADIX_TREE_INIT(GFP_KERNEL);
	unsigned long long seed = test_seed("radix_tree/random_operations");
	long steps = test_iters(20000);

	nmodel = 0;
	for (long s = 0; s < steps; s++) {
		unsigned long index = pick_index();
		int m = find(index);
		unsigned int tag = (unsigned int)rnd_below(RADIX_TREE_MAX_TAGS);

		switch (rnd_below(5)) {
		case 0: case 1:
			if (nmodel == MAXN)
				break;
			cr_assert_eq(radix_tree_insert(&r, index, ITEM(index)), m >= 0 ? -EEXIST : 0,
				     "seed %llu step %ld", seed, s);
			if (m < 0)
				model[nmodel++] = (struct entry){ .index = index };
			break;
		case 2:
			cr_assert_eq(radix_tree_delete(&r, index), m >= 0 ? ITEM(index) : NULL);
			if (m >= 0)
				model[m] = model[--nmodel];
			break;
		case 3:
			cr_assert_eq(radix_tree_tag_set(&r, index, tag), m >= 0 ? ITEM(index) : NULL);
			if (m >= 0)
				model[m].tag[tag] = true;
			break;
		default:
			cr_assert_eq(radix_tree_tag_clear(&r, index, tag), m >= 0 ? ITEM(index) : NULL);
			if (m >= 0)
				model[m].tag[tag] = false;
		}
		m = find(index);
		cr_assert_eq(radix_tree_lookup(&r, index), m >= 0 ? ITEM(index) : NULL);
		for (unsigned int t = 0; t < RADIX_TREE_MAX_TAGS; t++) {
			bool any = false;

			cr_assert_eq(radix_tree_tag_get(&r, index, t), m >= 0 && model[m].tag[t]);
			for (unsigned int i = 0; i < nmodel; i++)
				any |= model[i].tag[t];
			cr_assert_eq(radix_tree_tagged(&r, t), any, "seed %llu step %ld", seed, s);
		}
		if (s % 16 == 0) {
			check_gang(&r, pick_index(), RADIX_TREE_ANY);
			check_gang(&r, pick_index(), tag);
		}
	}
	while (nmodel) {
		unsigned long index = model[--nmodel].index;

		cr_assert_eq(radix_tree_delete(&r, index), ITEM(index));
	}
	cr_assert_eq(r.node, NULL);
	cr_assert_eq(radix_tree_nr_nodes, 0, "every node freed");
}
