/*
 * Recording the scheduler trace (include/sched/trace.h): the ring of events and the three
 * recording points the core calls with a run queue locked: at a switch (just before
 * context_switch), at a wakeup (once the task is queued) and, with SMP, at a migration.
 *
 * How: the ring is 2^SCHED_TRACE_ORDER pages taken from the page allocator at the first
 * `sched record` and kept, so a kernel that never traces pays no memory. A recorder claims
 * a slot by incrementing `head` atomically (CPUs may record at once, each under its own
 * run-queue lock) and writes slot head % SCHED_TRACE_EVENTS: the ring keeps the newest
 * events and the overwritten ones count as lost. Timestamps are rq->clock, the
 * sched_clock() reading the core has just taken, so they agree to the ns with the run
 * times the classes charge.
 *
 * Invariant: events are read only while sched_trace_on is false and no recorder is inside
 * the ring; sched_trace_stop() makes sure of the second by taking every run-queue lock once
 * after clearing the flag (a recorder holds its run queue's lock from the flag test to
 * the last store).
 * Limits: one recording at a time; timestamps of different CPUs come from different TSCs.
 */
#include <kernel/oops.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/gfp.h>
#include <sched/trace.h>
#include "internal.h"

_Static_assert(sizeof(struct sched_trace_event) == 64, "keep an event one cache line");
_Static_assert((SCHED_TRACE_EVENTS & (SCHED_TRACE_EVENTS - 1)) == 0, "a power of two");

bool sched_trace_on;

static struct sched_trace_event *ring;
static uint64_t head;			/* events recorded since the start, lost ones included */
static uint64_t start_ns, end_ns;
static unsigned int max_cpu;		/* highest CPU that recorded, for the map's columns */

/* A slot for a new event, stamped with @rq's clock and CPU. */
static struct sched_trace_event *claim(struct rq *rq, uint8_t type)
{
	uint64_t n = __atomic_fetch_add(&head, 1, __ATOMIC_RELAXED);
	struct sched_trace_event *e = &ring[n & (SCHED_TRACE_EVENTS - 1)];

	e->ts = rq->clock;
	e->type = type;
	e->cpu = (uint8_t)rq->cpu;
	if ((unsigned int)rq->cpu > READ_ONCE(max_cpu))
		WRITE_ONCE(max_cpu, (unsigned int)rq->cpu);
	return e;
}

static void describe(struct sched_trace_event *e, const struct task_struct *p)
{
	e->pid = p->pid;
	e->prio = (int16_t)p->prio;
	e->policy = (uint8_t)p->policy;
	memcpy(e->comm, p->comm, TASK_COMM_LEN);
}

/*
 * @prev's state as a switch leaves it: still on the run queue (preempted or yielding) is
 * 'R' whatever its state field says, else what `ps` would show.
 */
static char switch_state(const struct task_struct *prev)
{
	return prev->on_rq ? 'R' : task_state_char(prev);
}

void __sched_trace_switch(struct rq *rq, struct task_struct *prev, struct task_struct *next)
{
	struct sched_trace_event *e = claim(rq, SCHED_TRACE_SWITCH);

	describe(e, prev);
	e->prev_state = switch_state(prev);
	e->next_pid = next->pid;
	e->next_prio = (int16_t)next->prio;
	e->next_policy = (uint8_t)next->policy;
	memcpy(e->next_comm, next->comm, TASK_COMM_LEN);
}

void __sched_trace_wakeup(struct rq *rq, struct task_struct *p)
{
	struct sched_trace_event *e = claim(rq, SCHED_TRACE_WAKEUP);

	describe(e, p);
	e->prev_state = 0;
	e->target_cpu = rq->cpu;
}

void __sched_trace_migrate(struct task_struct *p, int orig_cpu, int dest_cpu)
{
	struct rq *rq = cpu_rq((unsigned int)dest_cpu);
	struct sched_trace_event *e = claim(rq, SCHED_TRACE_MIGRATE);

	describe(e, p);
	e->prev_state = 0;
	e->orig_cpu = (int16_t)orig_cpu;
	e->dest_cpu = (int16_t)dest_cpu;
}

/* ---- starting, stopping, reading ------------------------------------------------------ */

int sched_trace_start(void)
{
	if (READ_ONCE(sched_trace_on))
		return -EBUSY;
	if (!ring) {
		ring = (struct sched_trace_event *)__get_free_pages(GFP_KERNEL, SCHED_TRACE_ORDER);
		if (!ring)
			return -ENOMEM;
	}
	head = 0;
	max_cpu = 0;
	start_ns = end_ns = sched_clock();
	/* The stores above are seen before the flag: recorders take a lock after testing it. */
	__atomic_store_n(&sched_trace_on, true, __ATOMIC_RELEASE);
	return 0;
}

void sched_trace_stop(void)
{
	if (!READ_ONCE(sched_trace_on))
		return;
	WRITE_ONCE(sched_trace_on, false);
	/* Wait out any recorder still inside the ring: each holds its run queue's lock. */
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		unsigned long flags = spin_lock_irqsave(&cpu_rq(cpu)->lock);

		spin_unlock_irqrestore(&cpu_rq(cpu)->lock, flags);
	}
	end_ns = sched_clock();
}

bool sched_trace_recording(void)
{
	return READ_ONCE(sched_trace_on);
}

static unsigned int kept(void)
{
	return head < SCHED_TRACE_EVENTS ? (unsigned int)head : SCHED_TRACE_EVENTS;
}

const struct sched_trace_event *sched_trace_event(unsigned int i)
{
	if (READ_ONCE(sched_trace_on) || !ring || i >= kept())
		return NULL;
	return &ring[(head - kept() + i) & (SCHED_TRACE_EVENTS - 1)];
}

void sched_trace_get_info(struct sched_trace_info *info)
{
	const struct sched_trace_event *first = sched_trace_event(0);

	info->nr_events = ring ? kept() : 0;
	info->lost = head - info->nr_events;
	info->start_ns = info->lost && first ? first->ts : start_ns;
	info->end_ns = end_ns;
	info->nr_cpus = max_cpu + 1;
}
