/*
 * Scheduling policy and priority, set and read: sched_setscheduler(2) and its family,
 * nice and setpriority(2), and sched_setaffinity/getaffinity(2) on set_cpus_allowed
 * (sched/smp.c), as kernel functions that return -errno (sched/sys_abi.c makes them the
 * system calls; pid 0 means the calling task, as there).
 * The argument checks are Linux's, in Linux's order, so the same call fails the same way.
 *
 * Changing a queued task's policy or priority takes it off its queue, changes it, and
 * puts it back (the running task is "put" and "set" again instead), then lets its class
 * decide whether someone should now preempt whom (prio_changed / switched_to); the core
 * adds the cross-class case: a task that moved above the running task's class, or a
 * running task that moved below a waiting one, sets need_resched.
 */
#include <kernel/smp.h>
#include <lib/errno.h>
#include <sched/task.h>
#include "internal.h"

static bool valid_policy(int policy)
{
	return policy == SCHED_NORMAL || policy == SCHED_BATCH || policy == SCHED_IDLE ||
	       rt_policy(policy);
}

const char *sched_policy_name(int policy)
{
	switch (policy & ~SCHED_RESET_ON_FORK) {
	case SCHED_NORMAL: return "SCHED_OTHER";	/* the POSIX name, as chrt prints it */
	case SCHED_FIFO: return "SCHED_FIFO";
	case SCHED_RR: return "SCHED_RR";
	case SCHED_BATCH: return "SCHED_BATCH";
	case SCHED_IDLE: return "SCHED_IDLE";
	case SCHED_DEADLINE: return "SCHED_DEADLINE";
	default: return NULL;
	}
}

/* The priority the task runs at: from rt_priority for FIFO/RR, from nice otherwise. */
static int normal_prio(const struct task_struct *p)
{
	return rt_policy(p->policy) ? MAX_RT_PRIO - 1 - (int)p->rt_priority : p->static_prio;
}

static const struct sched_class *class_for(int policy)
{
	return rt_policy(policy) ? &rt_sched_class : &fair_sched_class;
}

/*
 * Take @p out of its queue (and its "running" state) for a change, and put it back.
 * Between the two the caller may change policy, priority and class.
 */
struct change_ctx {
	bool queued, running;
	const struct sched_class *old_class;
	int old_prio;
};

static void change_begin(struct rq *rq, struct task_struct *p, struct change_ctx *c)
{
	c->queued = p->on_rq && !(p->flags & PF_IDLE);
	c->running = rq->curr == p;
	c->old_class = p->sched_class;
	c->old_prio = p->prio;
	update_rq_clock(rq);
	if (c->queued)
		p->sched_class->dequeue_task(rq, p, 0);
	if (c->running)
		p->sched_class->put_prev_task(rq, p);
}

static void change_end(struct rq *rq, struct task_struct *p, struct change_ctx *c)
{
	struct task_struct *curr = rq->curr;

	/* An rt task lowered goes to the head of its new level, else to the tail (POSIX). */
	if (c->queued)
		p->sched_class->enqueue_task(rq, p, rt_prio(p->prio) && c->old_prio < p->prio ?
					     ENQUEUE_HEAD : 0);
	if (c->running)
		p->sched_class->set_next_task(rq, p);
	if (p->sched_class != c->old_class)
		p->sched_class->switched_to(rq, p);
	else if (p->prio != c->old_prio)
		p->sched_class->prio_changed(rq, p, c->old_prio);
	if (!c->queued)
		return;
	/* Cross-class effects the classes cannot see from inside their own queues. */
	if (c->running && p->prio > c->old_prio)
		resched_curr(rq);	/* demoted itself: someone else may come first now */
	else if (!c->running && p->prio < curr->prio && p->sched_class != curr->sched_class)
		resched_curr(rq);
}

static int check_params(struct task_struct *p, int policy, const struct sched_param *param)
{
	if (!param || policy < 0)
		return -EINVAL;
	if (!valid_policy(policy))
		return -EINVAL;	/* unknown, or SCHED_DEADLINE (not implemented) */
	/* FIFO and RR take 1..99; the others only 0. */
	if (param->sched_priority < 0 || param->sched_priority > MAX_RT_PRIO - 1)
		return -EINVAL;
	if (rt_policy(policy) != (param->sched_priority != 0))
		return -EINVAL;
	if (p->flags & PF_IDLE)
		return -EPERM;	/* the idle task is what runs when nothing else can */
	return 0;
}

int sched_setscheduler(struct task_struct *p, int policy, const struct sched_param *param)
{
	struct rq *rq;
	struct change_ctx c;
	unsigned long flags;
	int err;

	policy &= ~SCHED_RESET_ON_FORK;	/* accepted; there is no fork to reset at yet */
	err = check_params(p, policy, param);
	if (err)
		return err;
	rq = task_rq_lock(p, &flags);
	if (p->state == TASK_DEAD) {
		task_rq_unlock(rq, flags);
		return -ESRCH;
	}
	change_begin(rq, p, &c);
	p->policy = policy;
	p->rt_priority = param->sched_priority;
	p->prio = normal_prio(p);
	p->sched_class = class_for(policy);
	if (!rt_policy(policy))
		set_load_weight(p);
	if (p->sched_class == &rt_sched_class && c.old_class != &rt_sched_class)
		p->rt.time_slice = sysctl_sched_rr_timeslice;
	change_end(rq, p, &c);
	task_rq_unlock(rq, flags);
	return 0;
}

void set_user_nice(struct task_struct *p, long nice)
{
	struct rq *rq;
	struct change_ctx c;
	unsigned long flags;

	if (nice < MIN_NICE || nice > MAX_NICE || (p->flags & PF_IDLE))
		return;
	rq = task_rq_lock(p, &flags);
	if (task_nice(p) == nice) {
		task_rq_unlock(rq, flags);
		return;
	}
	if (rt_policy(p->policy)) {
		/* Kept for when it goes back to a normal policy; it changes nothing now. */
		p->static_prio = NICE_TO_PRIO(nice);
		task_rq_unlock(rq, flags);
		return;
	}
	change_begin(rq, p, &c);
	p->static_prio = NICE_TO_PRIO(nice);
	set_load_weight(p);
	p->prio = normal_prio(p);
	change_end(rq, p, &c);
	task_rq_unlock(rq, flags);
}

/* ---- by pid ------------------------------------------------------------------------------ */

/* The task @pid names, with a reference, or an error: -EINVAL for pid < 0, -ESRCH. */
static struct task_struct *get_task(int pid, int *err)
{
	struct task_struct *p;

	*err = 0;
	if (pid < 0) {
		*err = -EINVAL;
		return NULL;
	}
	if (pid == 0) {
		get_task_struct(current);
		return current;
	}
	p = find_get_task_by_pid(pid);
	if (!p)
		*err = -ESRCH;
	return p;
}

int sys_sched_setscheduler(int pid, int policy, const struct sched_param *param)
{
	struct task_struct *p;
	int err;

	if (!param)
		return -EINVAL;
	p = get_task(pid, &err);
	if (!p)
		return err;
	err = sched_setscheduler(p, policy, param);
	put_task_struct(p);
	return err;
}

int sys_sched_setparam(int pid, const struct sched_param *param)
{
	struct task_struct *p;
	int err;

	if (!param)
		return -EINVAL;
	p = get_task(pid, &err);
	if (!p)
		return err;
	err = sched_setscheduler(p, p->policy, param);	/* the same policy, a new priority */
	put_task_struct(p);
	return err;
}

int sys_sched_getscheduler(int pid)
{
	struct task_struct *p;
	int err, policy;

	p = get_task(pid, &err);
	if (!p)
		return err;
	policy = p->policy;
	put_task_struct(p);
	return policy;
}

int sys_sched_getparam(int pid, struct sched_param *param)
{
	struct task_struct *p;
	int err;

	if (!param)
		return -EINVAL;
	p = get_task(pid, &err);
	if (!p)
		return err;
	param->sched_priority = rt_policy(p->policy) ? (int)p->rt_priority : 0;
	put_task_struct(p);
	return 0;
}

int sys_sched_get_priority_max(int policy)
{
	if (rt_policy(policy))
		return MAX_RT_PRIO - 1;
	if (valid_policy(policy) || policy == SCHED_DEADLINE)
		return 0;
	return -EINVAL;
}

int sys_sched_get_priority_min(int policy)
{
	if (rt_policy(policy))
		return 1;
	if (valid_policy(policy) || policy == SCHED_DEADLINE)
		return 0;
	return -EINVAL;
}

/* The round-robin quantum: RR's slice, 0 for FIFO (runs until it yields), the fair period. */
int sys_sched_rr_get_interval(int pid, uint64_t *ns)
{
	struct task_struct *p;
	int err;

	if (!ns)
		return -EINVAL;
	p = get_task(pid, &err);
	if (!p)
		return err;
	if (p->policy == SCHED_RR)
		*ns = sysctl_sched_rr_timeslice;
	else if (p->policy == SCHED_FIFO)
		*ns = 0;
	else
		*ns = sysctl_sched_latency;
	put_task_struct(p);
	return 0;
}

int sys_setpriority(int which, int who, int niceval)
{
	struct task_struct *p;
	int err;

	if (which != PRIO_PROCESS)
		return -EINVAL;	/* process groups and users come with user processes */
	p = get_task(who, &err);
	if (!p)
		return err;
	if (p->flags & PF_IDLE) {
		put_task_struct(p);
		return -EPERM;
	}
	/* Linux clamps, it does not refuse. */
	set_user_nice(p, niceval < MIN_NICE ? MIN_NICE : niceval > MAX_NICE ? MAX_NICE : niceval);
	put_task_struct(p);
	return 0;
}

int sys_getpriority(int which, int who)
{
	struct task_struct *p;
	int err, ret;

	if (which != PRIO_PROCESS)
		return -EINVAL;
	p = get_task(who, &err);
	if (!p)
		return err;
	ret = 20 - task_nice(p);	/* 1..40, so that no valid answer looks like an error */
	put_task_struct(p);
	return ret;
}

/* ---- affinity ------------------------------------------------------------------------------ */

/*
 * The task for sched_setaffinity/getaffinity, with a reference. Unlike the calls above,
 * Linux gives -ESRCH, not -EINVAL, for a negative pid here: it only looks the pid up.
 */
static struct task_struct *get_affinity_task(int pid)
{
	if (pid == 0) {
		get_task_struct(current);
		return current;
	}
	return pid < 0 ? NULL : find_get_task_by_pid(pid);
}

int sys_sched_setaffinity(int pid, cpumask_t mask)
{
	struct task_struct *p = get_affinity_task(pid);
	int err;

	if (!p)
		return -ESRCH;
	/* CPUs past NR_CPUS cannot exist: dropped, so a mask of only those has none online. */
	err = set_cpus_allowed(p, mask & CPU_MASK_ALL);
	put_task_struct(p);
	return err;
}

int sys_sched_getaffinity(int pid, cpumask_t *mask)
{
	struct task_struct *p = get_affinity_task(pid);

	if (!p)
		return -ESRCH;
	/* What it may run on now: a CPU in its mask that is not up does not count. */
	*mask = READ_ONCE(p->cpus_mask) & online_cpus();
	put_task_struct(p);
	return 0;
}
