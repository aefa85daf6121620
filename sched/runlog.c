/*
 * Who ran when, from inside the workers (include/sched/runlog.h): a shared log of
 * stretches, each extended by its worker at every clock reading, a new one begun when the
 * last reading was another worker's or too long ago. The update runs with preemption off,
 * so a switch falls between two updates, never inside one: the log is a consistent record
 * of the order in which the workers ran. Invariant: segs[n - 1] is the open stretch of
 * worker `last` (when n > 0 and it found room).
 */
#include <kernel/preempt.h>
#include <kernel/time.h>
#include <sched/runlog.h>
#include <sched/task.h>

void runlog_init(struct runlog *log, struct runlog_seg *segs, unsigned int max)
{
	log->segs = segs;
	log->max = max;
	log->n = log->dropped = 0;
	log->last = -1;
	log->last_ns = 0;
}

/* Note that @who runs at @now. */
static void note(struct runlog *log, int who, uint64_t now)
{
	bool same = log->last == who && now - log->last_ns <= RUNLOG_GAP_NS;

	log->last = who;
	log->last_ns = now;
	if (same) {
		if (log->n && log->segs[log->n - 1].who == who)
			log->segs[log->n - 1].end = now;
		return;
	}
	if (log->n == log->max) {
		log->dropped++;
		return;
	}
	log->segs[log->n++] = (struct runlog_seg){ now, now, who };
}

void runlog_run(struct runlog *log, int who, uint64_t cpu_ns, const volatile bool *stop)
{
	/* The CPU time the kernel charges us, stalls of the host included, as the classes see it. */
	uint64_t end = task_sched_runtime(current) + MIN(cpu_ns, ~0ull / 2);

	while (!(stop && *stop) && task_sched_runtime(current) < end) {
		preempt_disable();
		note(log, who, sched_clock());
		preempt_enable();	/* a switch asked for meanwhile happens here */
	}
}

uint64_t runlog_max_gap(const struct runlog *log, int who, uint64_t since, uint64_t until)
{
	uint64_t gap = 0, prev_end = 0;
	bool seen = false;

	for (unsigned int i = 0; i < log->n; i++) {
		const struct runlog_seg *s = &log->segs[i];

		if (s->who != who)
			continue;
		if (seen && s->start >= since && s->start < until)
			gap = MAX(gap, s->start - prev_end);
		prev_end = s->end;
		seen = true;
	}
	return gap;
}

unsigned int runlog_turns(const struct runlog *log, struct runlog_seg *turns, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < log->n; i++) {
		const struct runlog_seg s = log->segs[i];	/* a copy: @turns may be segs */

		if (n && turns[n - 1].who == s.who)
			turns[n - 1].end = s.end;
		else if (n < max)
			turns[n++] = s;
		else
			break;
	}
	return n;
}
