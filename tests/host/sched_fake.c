/*
 * The fake scheduler core (sched_fake.h): what sched/core.c does around the class hooks,
 * without contexts to switch, locks or interrupts. It also provides the two kernel
 * functions the classes call besides resched_curr: panic (BUG_ON), which aborts, and
 * warn_slowpath (WARN_ON), which counts, so a test can expect a BUG or no warning.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/oops.h>

#include "sched_fake.h"

struct rq sim_rq;
struct task_struct sim_idle;
unsigned long sim_resched_calls;
unsigned long sim_warnings;
bool sim_fair_fast_path = true;
void (*sim_switch_hook)(struct task_struct *prev, struct task_struct *next);

void resched_curr(struct rq *rq)
{
	rq->curr->need_resched = true;
	sim_resched_calls++;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "panic: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

void warn_slowpath(const char *file, int line, const char *cond, uint64_t ip)
{
	(void)ip;
	fprintf(stderr, "WARNING: %s:%d: %s\n", file, line, cond);
	sim_warnings++;
}

void sim_init(void)
{
	struct rq *rq = &sim_rq;

	memset(rq, 0, sizeof(*rq));
	init_rt_rq(&rq->rt);
	init_cfs_rq(&rq->cfs);
	memset(&sim_idle, 0, sizeof(sim_idle));
	sim_idle.flags = PF_IDLE | PF_KTHREAD;
	sim_idle.policy = SCHED_IDLE;
	sim_idle.prio = sim_idle.static_prio = MAX_PRIO;
	sim_idle.sched_class = &idle_sched_class;
	strcpy(sim_idle.comm, "swapper/0");
	rq->idle = rq->curr = &sim_idle;
	sim_resched_calls = sim_warnings = 0;
	sim_switch_hook = NULL;
	sim_fair_fast_path = true;
	sysctl_sched_latency = 6 * NSEC_PER_MSEC;
	sysctl_sched_min_granularity = 750000;
	sysctl_sched_wakeup_granularity = NSEC_PER_MSEC;
	sysctl_sched_rr_timeslice = RR_TIMESLICE_NS;
	sysctl_sched_rt_period = NSEC_PER_SEC;
	sysctl_sched_rt_runtime = 950 * NSEC_PER_MSEC;
}

/* Policy and priority fields as sched_setscheduler(2) and nice(2) set them. */
static void set_policy_fields(struct task_struct *p, int policy, int param)
{
	p->policy = policy;
	if (rt_policy(policy)) {
		p->rt_priority = (unsigned int)param;
		p->prio = sim_rt_prio(param);
		p->sched_class = &rt_sched_class;
	} else {
		p->rt_priority = 0;
		p->static_prio = NICE_TO_PRIO(param);
		p->prio = p->static_prio;
		p->sched_class = &fair_sched_class;
	}
}

void sim_task_init(struct task_struct *p, int pid, int policy, int param)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	snprintf(p->comm, sizeof(p->comm), "t%d", pid);
	p->static_prio = DEFAULT_PRIO;
	set_policy_fields(p, policy, param);
	set_load_weight(p);
	RB_CLEAR_NODE(&p->se.run_node);
	INIT_LIST_HEAD(&p->rt.run_list);
}

static const struct sched_class *const *class_slot(const struct sched_class *c)
{
	const struct sched_class *const *s = sched_classes;

	while (*s != c)
		s++;
	return s;
}

/* Linux's check_preempt_curr: same class asks the class, a higher class always wins. */
static void check_preempt(struct task_struct *p, int flags)
{
	struct rq *rq = &sim_rq;

	if (p->sched_class == rq->curr->sched_class)
		p->sched_class->check_preempt_curr(rq, p, flags);
	else if (class_slot(p->sched_class) < class_slot(rq->curr->sched_class))
		resched_curr(rq);
}

static void activate(struct task_struct *p, int flags)
{
	p->sched_class->enqueue_task(&sim_rq, p, flags);
	p->on_rq = 1;
	sim_rq.nr_running++;
}

static void deactivate(struct task_struct *p, int flags)
{
	p->sched_class->dequeue_task(&sim_rq, p, flags);
	p->on_rq = 0;
	sim_rq.nr_running--;
}

/* Where the real core returns from an interrupt or a system call. */
static void preempt_point(void)
{
	if (sim_rq.curr->need_resched)
		sim_schedule();
}

void sim_schedule(void)
{
	struct rq *rq = &sim_rq;
	struct task_struct *prev = rq->curr, *next = NULL;
	const struct sched_class *class;

	if (prev->state != TASK_RUNNING && prev->on_rq)
		deactivate(prev, DEQUEUE_SLEEP);
	/* The kernel core's fast path, when the test allows it: it must give the same result. */
	if (sim_fair_fast_path && rq->nr_running == rq->cfs.nr_running &&
	    prev->sched_class == &fair_sched_class) {
		next = pick_next_task_fair_from(rq, prev);
		if (!next)
			next = idle_sched_class.pick_next_task(rq);
	} else {
		prev->sched_class->put_prev_task(rq, prev);
		for_each_class(class) {
			next = class->pick_next_task(rq);
			if (next)
				break;
		}
	}
	prev->need_resched = false;
	rq->curr = next;
	if (next == prev)
		return;
	rq->nr_switches++;
	if (prev->state == TASK_RUNNING)
		prev->nivcsw++;
	else
		prev->nvcsw++;
	if (sim_switch_hook)
		sim_switch_hook(prev, next);
}

void sim_fork(struct task_struct *p)
{
	p->state = TASK_RUNNING;
	p->sched_class->task_fork(&sim_rq, p);
	activate(p, 0);
	check_preempt(p, 0);
	preempt_point();
}

void sim_wake(struct task_struct *p)
{
	if (p->on_rq)
		return;
	p->state = TASK_RUNNING;
	activate(p, ENQUEUE_WAKEUP);
	check_preempt(p, 0);
	preempt_point();
}

void sim_sleep(void)
{
	sim_rq.curr->state = TASK_INTERRUPTIBLE;
	sim_schedule();
}

void sim_yield(void)
{
	sim_rq.curr->sched_class->yield_task(&sim_rq);
	sim_schedule();
}

/* Linux's __sched_setscheduler, on one run queue. */
void sim_setscheduler(struct task_struct *p, int policy, int param)
{
	struct rq *rq = &sim_rq;
	const struct sched_class *prev_class = p->sched_class;
	int oldprio = p->prio, flags = 0;
	bool queued = p->on_rq, running = rq->curr == p;

	if (policy == p->policy && (rt_policy(policy) ? p->rt_priority == (unsigned int)param :
				    p->static_prio == NICE_TO_PRIO(param)))
		return;	/* nothing changes: the task keeps its place, as in Linux */
	if (queued)
		p->sched_class->dequeue_task(rq, p, 0);
	if (running)
		p->sched_class->put_prev_task(rq, p);
	set_policy_fields(p, policy, param);
	set_load_weight(p);
	if (queued) {
		if (rt_policy(policy) && p->prio > oldprio)
			flags = ENQUEUE_HEAD;	/* lowered: at the head of its new level */
		p->sched_class->enqueue_task(rq, p, flags);
	}
	if (running)
		p->sched_class->set_next_task(rq, p);
	if (p->sched_class != prev_class)
		p->sched_class->switched_to(rq, p);
	else if (p->prio != oldprio)
		p->sched_class->prio_changed(rq, p, oldprio);
	preempt_point();
}

void sim_tick(uint64_t ns)
{
	sim_rq.clock += ns;
	sim_rq.curr->sched_class->task_tick(&sim_rq, sim_rq.curr);
	preempt_point();
}

void sim_run(uint64_t ns, uint64_t tick_ns)
{
	while (ns) {
		uint64_t step = MIN(ns, tick_ns);

		sim_tick(step);
		ns -= step;
	}
}
