/*
 * Groups of kernel threads for the scheduling demos and tests (include/sched/workers.h).
 * Each worker holds a reference from creation to worker_join(), so a worker that returns
 * before it is joined stays readable (its state, its CPU time) until then.
 */
#include <sched/workers.h>

struct task_struct *worker_create(int (*fn)(void *), void *data, const char *name, int policy,
				  int param)
{
	struct task_struct *k = kthread_create(fn, data, "%s", name);
	struct sched_param sp = { rt_policy(policy) ? param : 0 };

	if (!k)
		return NULL;
	get_task_struct(k);
	if (!rt_policy(policy))
		set_user_nice(k, param);
	if (policy != SCHED_NORMAL)
		sched_setscheduler(k, policy, &sp);
	return k;
}

void workers_start(struct task_struct **w, unsigned int n)
{
	preempt_disable();
	for (unsigned int i = 0; i < n; i++)
		if (w[i])
			wake_up_process(w[i]);
	preempt_enable();
}

int worker_stop(struct task_struct *w)
{
	int ret;

	if (!w)
		return 0;
	ret = kthread_stop(w);
	/* Dead but still queued: it has its final switch to make. Let it. */
	while (READ_ONCE(w->on_rq))
		yield();
	return ret;
}

void worker_put(struct task_struct *w)
{
	if (w)
		put_task_struct(w);
}

int worker_join(struct task_struct *w)
{
	int ret = worker_stop(w);

	worker_put(w);
	return ret;
}

int worker_wait(struct task_struct *w)
{
	while (w && READ_ONCE(w->state) != TASK_DEAD)
		msleep(1);
	return worker_join(w);
}

void workers_join(struct task_struct **w, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		worker_join(w[i]);
}
