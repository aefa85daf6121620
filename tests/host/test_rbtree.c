/*
 * Host unit tests of lib/rbtree.c (Criterion, under ASan/UBSan).
 *
 * Random insert/erase sequences run against a sorted array of the keys that should be in the
 * tree. After every step the whole tree is checked: in-order keys equal the model's, walked
 * forwards (rb_first/rb_next) and backwards (rb_last/rb_prev); the red-black invariants (black
 * root, no red node with a red child, the same black height on every path, every child's parent
 * link pointing at its parent); the cached leftmost. The augmented test keeps, in every node,
 * the largest value of its subtree through rb_insert_augmented/rb_erase_augmented and checks
 * each node's cached value against one recomputed from scratch. Duplicated keys are allowed, so
 * the paths where equal keys meet are exercised. TEST_SEED replays, TEST_ITERS lengthens.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <lib/rbtree.h>
#include <lib/rbtree_augmented.h>

#include "rng.h"

#define MAX_NODES 400
#define KEY_RANGE 600	/* < 2 * MAX_NODES so that duplicates are common */

struct item {
	struct rb_node rb;
	int key;
	int val;
	int subtree_max;	/* augmented: max of val over the subtree */
};

static int item_val(const struct item *it)
{
	return it->val;
}

RB_DECLARE_CALLBACKS_MAX(static, item_aug, struct item, rb, int, subtree_max, item_val);

struct model {
	struct rb_root_cached tree;
	struct item *live[MAX_NODES];	/* the items in the tree, any order */
	int keys[MAX_NODES];		/* their keys, sorted */
	int n;
	bool augmented;
	unsigned long long seed;
	long step;
};

static int red(const struct rb_node *n)
{
	return n && !(n->__rb_parent_color & 1);
}

#define require(m, cond, fmt, ...) \
	cr_assert(cond, "seed %llu step %ld: " fmt, (m)->seed, (m)->step, ##__VA_ARGS__)

/* Checks the subtree at @n; returns its black height and counts its nodes into *count. */
static int check_subtree(struct model *m, const struct rb_node *n, const struct rb_node *parent,
			 int *count, int *max_out)
{
	int lh, rh, lmax = INT32_MIN, rmax = INT32_MIN, want;
	const struct item *it;

	if (!n)
		return 1;
	it = rb_entry(n, const struct item, rb);
	require(m, rb_parent(n) == parent, "parent link of key %d", it->key);
	require(m, !(red(n) && (red(n->rb_left) || red(n->rb_right))), "red %d has a red child",
		it->key);
	(*count)++;
	require(m, *count <= m->n, "more nodes than the model (a cycle?)");
	lh = check_subtree(m, n->rb_left, n, count, &lmax);
	rh = check_subtree(m, n->rb_right, n, count, &rmax);
	require(m, lh == rh, "black heights %d != %d below %d", lh, rh, it->key);
	if (n->rb_left)
		require(m, rb_entry(n->rb_left, struct item, rb)->key <= it->key,
			"left child out of order at %d", it->key);
	if (n->rb_right)
		require(m, rb_entry(n->rb_right, struct item, rb)->key >= it->key,
			"right child out of order at %d", it->key);
	want = MAX(it->val, MAX(lmax, rmax));
	if (m->augmented)
		require(m, it->subtree_max == want, "subtree_max of %d is %d, want %d", it->key,
			it->subtree_max, want);
	*max_out = want;
	return lh + !red(n);
}

static void check(struct model *m)
{
	struct rb_root *root = &m->tree.rb_root;
	struct rb_node *n;
	int count = 0, max, i;

	require(m, !red(root->rb_node), "red root");
	check_subtree(m, root->rb_node, NULL, &count, &max);
	require(m, count == m->n, "%d nodes, model has %d", count, m->n);
	require(m, RB_EMPTY_ROOT(root) == (m->n == 0), "RB_EMPTY_ROOT");
	require(m, rb_first_cached(&m->tree) == rb_first(root), "stale leftmost");
	for (i = 0, n = rb_first(root); n; n = rb_next(n), i++)
		require(m, i < m->n && rb_entry(n, struct item, rb)->key == m->keys[i],
			"forward walk differs at %d", i);
	require(m, i == m->n, "forward walk has %d nodes", i);
	for (i = m->n - 1, n = rb_last(root); n; n = rb_prev(n), i--)
		require(m, i >= 0 && rb_entry(n, struct item, rb)->key == m->keys[i],
			"backward walk differs at %d", i);
	require(m, i == -1, "backward walk ended at %d", i);
}

/* Walks down as a user of the API does, updating the path's maxima when augmented. */
static void tree_insert(struct model *m, struct item *it)
{
	struct rb_node **link = &m->tree.rb_root.rb_node, *parent = NULL;
	bool leftmost = true;

	it->subtree_max = it->val;
	while (*link) {
		struct item *p = rb_entry(*link, struct item, rb);

		parent = *link;
		if (m->augmented && p->subtree_max < it->val)
			p->subtree_max = it->val;
		if (it->key < p->key) {
			link = &parent->rb_left;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}
	rb_link_node(&it->rb, parent, link);
	if (m->augmented)
		rb_insert_augmented_cached(&it->rb, &m->tree, leftmost, &item_aug);
	else
		rb_insert_color_cached(&it->rb, &m->tree, leftmost);
}

static void model_insert(struct model *m)
{
	struct item *it = calloc(1, sizeof(*it));
	int i;

	cr_assert(it);
	it->key = (int)rnd_below(KEY_RANGE);
	it->val = (int)rnd_below(100000);
	tree_insert(m, it);
	for (i = m->n; i > 0 && m->keys[i - 1] > it->key; i--)
		m->keys[i] = m->keys[i - 1];
	m->keys[i] = it->key;
	m->live[m->n++] = it;
}

static void model_erase(struct model *m, int idx)
{
	struct item *it = m->live[idx];
	int i;

	if (m->augmented)
		rb_erase_augmented_cached(&it->rb, &m->tree, &item_aug);
	else
		rb_erase_cached(&it->rb, &m->tree);
	for (i = 0; m->keys[i] != it->key; i++)
		;
	for (; i < m->n - 1; i++)
		m->keys[i] = m->keys[i + 1];
	m->live[idx] = m->live[--m->n];
	free(it);
}

/*
 * Phases of filling up and draining, so the tree's size sweeps from empty to MAX_NODES and
 * back: most rebalancing cases need a few levels to appear.
 */
static void run(bool augmented, long dflt)
{
	struct model *m = calloc(1, sizeof(*m));
	long iters = test_iters(dflt), every = iters > 200000 ? iters / 200000 : 1;
	int fill = 70;

	cr_assert(m);
	m->seed = test_seed(augmented ? "rbtree/augmented" : "rbtree/random");
	m->augmented = augmented;
	m->tree = RB_ROOT_CACHED;
	for (m->step = 0; m->step < iters; m->step++) {
		if (m->step % 997 == 0)
			fill = (int)rnd_below(100);
		if (m->n < MAX_NODES && (m->n == 0 || (int)rnd_below(100) < fill))
			model_insert(m);
		else
			model_erase(m, (int)rnd_below((uint64_t)m->n));
		if (m->step % every == 0)
			check(m);
	}
	while (m->n) {
		model_erase(m, (int)rnd_below((uint64_t)m->n));
		check(m);
	}
	cr_assert(RB_EMPTY_ROOT(&m->tree.rb_root) && !rb_first_cached(&m->tree));
	free(m);
}

Test(rbtree, random_insert_erase)
{
	run(false, 60000);
}

Test(rbtree, augmented_subtree_max)
{
	run(true, 60000);
}

static bool item_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct item, rb)->key < rb_entry(b, const struct item, rb)->key;
}

static int item_cmp(const void *key, const struct rb_node *n)
{
	int k = *(const int *)key, nk = rb_entry(n, const struct item, rb)->key;

	return (k > nk) - (k < nk);
}

/* Sorted and reverse-sorted insertions (the worst case of an unbalanced tree), rb_add and
 * rb_find, clear/empty nodes, rb_replace_node and a post-order teardown. */
Test(rbtree, ordered_and_helpers)
{
	static struct item items[1024], spare;
	struct rb_root_cached tree = RB_ROOT_CACHED;
	struct rb_root root = RB_ROOT;
	struct item *pos, *n;
	int i, key, height = 0, freed = 0;
	struct rb_node *x;

	for (i = 0; i < 1024; i++) {
		items[i].key = 1023 - i;
		RB_CLEAR_NODE(&items[i].rb);
		cr_assert(RB_EMPTY_NODE(&items[i].rb) && !rb_next(&items[i].rb));
		cr_assert(rb_add_cached(&items[i].rb, &tree, item_less) == &items[i].rb,
			  "descending keys: each one is the new leftmost");
	}
	for (x = tree.rb_root.rb_node; x; x = x->rb_left)
		height++;
	cr_assert(height <= 2 * 10 + 1, "leftmost path of %d nodes", height);
	for (key = 0; key < 1024; key++) {
		x = rb_find(&key, &tree.rb_root, item_cmp);
		cr_assert(x && rb_entry(x, struct item, rb)->key == key);
	}
	key = 5000;
	cr_assert(!rb_find(&key, &tree.rb_root, item_cmp));
	for (i = 1023; i >= 0; i--) {
		cr_assert(rb_first_cached(&tree) == &items[i].rb);
		rb_erase_cached(&items[i].rb, &tree);
	}
	cr_assert(RB_EMPTY_ROOT(&tree.rb_root) && !rb_first_cached(&tree));

	for (i = 0; i < 1024; i++) {
		items[i].key = i;
		rb_add(&items[i].rb, &root, item_less);
	}
	spare.key = 500;
	rb_replace_node(&items[500].rb, &spare.rb, &root);
	key = 500;
	cr_assert(rb_find(&key, &root, item_cmp) == &spare.rb);
	cr_assert(rb_next(&items[499].rb) == &spare.rb && rb_prev(&items[501].rb) == &spare.rb);
	rbtree_postorder_for_each_entry_safe(pos, n, &root, rb) {
		/* Children come first: both must already be gone (poisoned below). */
		cr_assert(!pos->rb.rb_left || rb_entry(pos->rb.rb_left, struct item, rb)->val == -1);
		cr_assert(!pos->rb.rb_right || rb_entry(pos->rb.rb_right, struct item, rb)->val == -1);
		pos->val = -1;
		freed++;
	}
	cr_assert(freed == 1024, "post-order visited %d nodes", freed);
}
