/*
 * Every online CPU at once, for a bounded time: one kernel thread pinned to each CPU mixes
 * kmalloc/kfree, alloc_pages/free and vmalloc/vfree (whose lazy purges shoot down every
 * CPU's TLB), and now and then runs /bin/cowtest there (fork, copy-on-write faults, exit,
 * wait). Each block is filled with a pattern naming its owner and checked before it is
 * freed, so two CPUs handed one block, or a CPU still translating a freed vmalloc address
 * to its old page, shows as a wrong word. At the end: no mismatch, no oops, every cowtest
 * passed, and the free page count back where it was: measured around a second round, after
 * a warm-up round has grown the caches (slabs per CPU, vmalloc's page tables) a first use
 * grows.
 */
#include <kernel/ktest.h>
#include <kernel/process.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <mm/gfp.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/vmalloc.h>
#include <mm/vmstat.h>
#include <sched/task.h>
#include <sched/workers.h>

#define WARMUP_NS	(300 * NSEC_PER_MSEC)	/* fills the caches a first use grows */
#define STRESS_NS	(1500 * NSEC_PER_MSEC)
#define SLOTS		16
#define COWTEST_EVERY	400	/* iterations between two cowtest runs on one CPU */
#define SLACK_PAGES	64	/* what the caches may still grow by after the warm-up */

enum { KMALLOC, PAGES, VMALLOC };

struct block {
	int kind;
	void *p;
	size_t bytes;
	unsigned int order;
};

struct stress {
	unsigned int cpu;
	unsigned long iterations, bad_words, alloc_failed, cowtests, cowtest_failed;
	uint64_t seed, ns;
	struct block slot[SLOTS];
};

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The word every 8 bytes of a block holds: its owner and its place. */
static uint64_t pattern(const struct stress *st, const void *p, size_t i)
{
	return ((uint64_t)st->cpu << 56) ^ (uint64_t)(uintptr_t)p ^ i;
}

static void fill(struct stress *st, struct block *b)
{
	uint64_t *w = b->p;

	for (size_t i = 0; i < b->bytes / 8; i++)
		w[i] = pattern(st, b->p, i);
}

static void check_and_free(struct stress *st, struct block *b)
{
	const uint64_t *w = b->p;

	if (!b->p)
		return;
	for (size_t i = 0; i < b->bytes / 8; i++)
		st->bad_words += w[i] != pattern(st, b->p, i);
	if (b->kind == KMALLOC)
		kfree(b->p);
	else if (b->kind == PAGES)
		free_pages((unsigned long)b->p, b->order);
	else
		vfree(b->p);
	b->p = NULL;
}

static void take(struct stress *st, struct block *b)
{
	uint64_t r = next_rand(&st->seed);

	b->kind = (int)(r % 3);
	if (b->kind == KMALLOC) {
		b->bytes = 8 + (r >> 8) % 4089 / 8 * 8;
		b->p = kmalloc(b->bytes, GFP_KERNEL);
	} else if (b->kind == PAGES) {
		b->order = (unsigned int)((r >> 8) % 3);
		b->bytes = PAGE_SIZE << b->order;
		b->p = (void *)__get_free_pages(GFP_KERNEL, b->order);
	} else {
		b->bytes = PAGE_SIZE * (1 + (r >> 8) % 4);
		b->p = vmalloc(b->bytes);
	}
	if (b->p)
		fill(st, b);
	else
		st->alloc_failed++;
}

static void run_cowtest(struct stress *st)
{
	static const char *const argv[] = { "/bin/cowtest", "4", NULL };
	int status = -1, pid = kernel_spawn(argv[0], argv, default_envp);

	st->cowtests++;
	if (pid <= 0 || kernel_wait4(pid, &status) != pid || status != 0)
		st->cowtest_failed++;
}

static int stress_thread(void *arg)
{
	struct stress *st = arg;
	uint64_t end = sched_clock() + st->ns;

	st->cpu = smp_processor_id();
	st->seed ^= 0x9e3779b97f4a7c15ull * (st->cpu + 1);
	while (sched_clock() < end) {
		struct block *b = &st->slot[next_rand(&st->seed) % SLOTS];

		check_and_free(st, b);
		take(st, b);
		if (++st->iterations % COWTEST_EVERY == 0)
			run_cowtest(st);
		cond_resched();
	}
	for (unsigned int i = 0; i < SLOTS; i++)
		check_and_free(st, &st->slot[i]);
	return 0;
}

/* One thread per online CPU for @ns; false (the test failed) if one could not start. */
static bool stress_round(struct ktest *t, struct stress *st, uint64_t ns)
{
	struct task_struct *p[NR_CPUS] = { 0 };
	unsigned int cpu;

	bool ok = true;

	for_each_cpu(cpu, online_cpus()) {
		st[cpu].ns = ns;
		p[cpu] = worker_create(stress_thread, &st[cpu], "stress", SCHED_NORMAL, 0);
		ok &= KTEST_EXPECT_TRUE(t, p[cpu] != NULL);
		if (p[cpu])
			set_cpus_allowed(p[cpu], cpumask_of(cpu));
	}
	workers_start(p, NR_CPUS);
	for_each_cpu(cpu, online_cpus())
		if (p[cpu])
			KTEST_EXPECT_EQ(t, worker_wait(p[cpu]), 0);
	return ok;
}

/*
 * The free page count with nothing of ours left in caches: on each CPU in turn (the test
 * moves itself there) the slab caches give back their empty slabs, including that CPU's
 * own, the vmalloc purge is done and the CPU's page lists go back to the buddy lists.
 */
static unsigned long settled_free_pages(void)
{
	cpumask_t mask = current->cpus_mask;
	unsigned int cpu, home = smp_processor_id();

	for_each_cpu(cpu, online_cpus()) {
		set_cpus_allowed(current, cpumask_of(cpu));
		kmem_cache_shrink_all();
		vm_unmap_aliases();
		drain_all_pages();	/* this CPU's page lists */
	}
	set_cpus_allowed(current, cpumask_of(home));	/* back: later tests expect CPU 0 */
	set_cpus_allowed(current, mask);
	return nr_free_pages();
}

static void test_every_cpu_at_once(struct ktest *t)
{
	static struct stress st[NR_CPUS];
	unsigned long free_before, free_after, oopses = vm_event_sum(OOPS_COUNT), remote;
	unsigned int cpu;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "one CPU online");
	memset(st, 0, sizeof(st));
	if (!stress_round(t, st, WARMUP_NS))
		return;
	memset(st, 0, sizeof(st));
	remote = vm_event_sum(NR_TLB_REMOTE_FLUSH);
	free_before = settled_free_pages();
	if (!stress_round(t, st, STRESS_NS))
		return;
	free_after = settled_free_pages();
	for_each_cpu(cpu, online_cpus()) {
		ktest_diag(t, "CPU %u: %lu rounds, %lu cowtest runs, %lu allocations failed", cpu,
			   st[cpu].iterations, st[cpu].cowtests, st[cpu].alloc_failed);
		KTEST_EXPECT_EQ(t, st[cpu].cpu, cpu);
		KTEST_EXPECT_EQ(t, st[cpu].bad_words, 0ul);
		KTEST_EXPECT_EQ(t, st[cpu].cowtest_failed, 0ul);
		KTEST_EXPECT_TRUE(t, st[cpu].iterations > 0);
	}
	KTEST_EXPECT_EQ(t, vm_event_sum(OOPS_COUNT), oopses);
	KTEST_EXPECT_TRUE(t, vm_event_sum(NR_TLB_REMOTE_FLUSH) > remote);	/* it shot down */
	ktest_diag(t, "free pages %lu before, %lu after; %lu TLB shootdown rounds", free_before,
		   free_after, vm_event_sum(NR_TLB_REMOTE_FLUSH) - remote);
	KTEST_EXPECT_TRUE(t, free_after + SLACK_PAGES >= free_before);
}

static const struct ktest_case smp_stress_cases[] = {
	KTEST_CASE(test_every_cpu_at_once),
	{}
};
KTEST_SUITE(smp_stress, smp_stress_cases);
