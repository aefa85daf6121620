/*
 * The scheduler trace (sched/trace.c, sched/trace_report.c), checked on a schedule known in
 * advance: two SCHED_FIFO threads of one priority that yield to each other three times
 * each switch exactly init -> A, A -> B, B -> A ... and exit, so the recording must hold
 * exactly those switches, with the states, names and priorities, and the map and dump
 * lines made from them must be exactly perf's and the documented format. Also: nothing is
 * recorded while the trace is off, a migration event's format, and a ring that overflows
 * keeps the newest events in order and counts the others as lost.
 */
#include <kernel/ktest.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <sched/trace.h>
#include <sched/workers.h>

static int yields(void *data)
{
	for (long i = 0; i < (long)data; i++)
		yield();
	return 0;
}

/* Record two FIFO 10 threads that yield @n times each; their pids into @pid. */
static bool record_pingpong(struct ktest *t, long n, int pid[2])
{
	struct task_struct *w[2] = {
		worker_create(yields, (void *)n, "ktest-trace-A", SCHED_FIFO, 10),
		worker_create(yields, (void *)n, "ktest-trace-B", SCHED_FIFO, 10),
	};
	bool ok = w[0] && w[1] && sched_trace_start() == 0;

	KTEST_EXPECT_TRUE(t, ok);
	if (ok) {
		pid[0] = w[0]->pid;
		pid[1] = w[1]->pid;
		workers_start(w, 2);	/* both run, yield and exit before we go on */
		sched_trace_stop();
	}
	workers_join(w, 2);
	return ok;
}

/* The switches of record_pingpong(3): 0 is this task, 1 and 2 the threads A and B. */
static const struct {
	int from, to;
	char state;
} want[] = {
	{ 0, 1, 'R' }, { 1, 2, 'R' }, { 2, 1, 'R' }, { 1, 2, 'R' }, { 2, 1, 'R' },
	{ 1, 2, 'R' }, { 2, 1, 'R' }, { 1, 2, 'X' }, { 2, 0, 'X' },
};

static void test_trace_records_the_switches(struct ktest *t)
{
	const struct sched_trace_event *e;
	struct sched_trace_info info;
	int pid[3] = { current->pid };
	unsigned int i, sw = 0;
	uint64_t last = 0;

	KTEST_ASSERT_TRUE(t, record_pingpong(t, 3, pid + 1));

	sched_trace_get_info(&info);
	KTEST_EXPECT_EQ(t, info.lost, 0);
	KTEST_EXPECT_EQ(t, info.nr_cpus, 1);
	/* The two wakeups of the new threads, then exactly the switches above. */
	KTEST_ASSERT_EQ(t, info.nr_events, 2 + ARRAY_SIZE(want));
	for (i = 0; i < info.nr_events; i++) {
		e = sched_trace_event(i);
		KTEST_EXPECT_TRUE(t, e->ts >= last && e->ts >= info.start_ns && e->ts <= info.end_ns);
		last = e->ts;
		if (i < 2) {
			KTEST_EXPECT_EQ(t, e->type, SCHED_TRACE_WAKEUP);
			KTEST_EXPECT_EQ(t, e->pid, pid[1 + i]);
			KTEST_EXPECT_EQ(t, e->target_cpu, 0);
			continue;
		}
		KTEST_EXPECT_EQ(t, e->type, SCHED_TRACE_SWITCH);
		KTEST_EXPECT_EQ(t, e->pid, pid[want[sw].from]);
		KTEST_EXPECT_EQ(t, e->next_pid, pid[want[sw].to]);
		KTEST_EXPECT_EQ(t, e->prev_state, want[sw].state);
		sw++;
	}
	e = sched_trace_event(3);	/* A -> B */
	KTEST_EXPECT_STREQ(t, e->comm, "ktest-trace-A");
	KTEST_EXPECT_STREQ(t, e->next_comm, "ktest-trace-B");
	KTEST_EXPECT_EQ(t, e->prio, 89);	/* rt_priority 10 */
	KTEST_EXPECT_EQ(t, e->policy, SCHED_FIFO);
	KTEST_EXPECT_TRUE(t, sched_trace_event(info.nr_events) == NULL);
}

static void test_trace_dump_and_map_lines(struct ktest *t)
{
	static struct sched_map_state st;
	char got[200], want[200];
	const struct sched_trace_event *e;
	int pid[2];

	KTEST_ASSERT_TRUE(t, record_pingpong(t, 1, pid));
	e = sched_trace_event(2);	/* init -> A */
	sched_trace_format(got, sizeof(got), e);
	snprintf(want, sizeof(want), "%llu 0 switch prev_pid=%d prev_comm=%s prev_prio=120 "
		 "prev_policy=NORMAL prev_state=R next_pid=%d next_comm=ktest-trace-A "
		 "next_prio=89 next_policy=FIFO", (unsigned long long)e->ts, current->pid,
		 current->comm, pid[0]);
	KTEST_EXPECT_STREQ(t, got, want);
	sched_trace_format(got, sizeof(got), sched_trace_event(1));
	snprintf(want, sizeof(want), "%llu 0 wakeup pid=%d comm=ktest-trace-B prio=89 "
		 "policy=FIFO target_cpu=0", (unsigned long long)sched_trace_event(1)->ts, pid[1]);
	KTEST_EXPECT_STREQ(t, got, want);

	/* perf sched map: init -> A names A0, A -> B names B0, B -> A does not name again. */
	sched_map_init(&st, 1);
	KTEST_EXPECT_TRUE(t, !sched_map_line(&st, sched_trace_event(0), got, sizeof(got)));
	for (unsigned int i = 2; i < 5; i++) {
		static const char *const name[] = { "A0", "B0", "A0" };

		e = sched_trace_event(i);
		KTEST_ASSERT_TRUE(t, sched_map_line(&st, e, got, sizeof(got)));
		snprintf(want, sizeof(want), "  *%s   %5llu.%06llu secs ", name[i - 2],
			 (unsigned long long)(e->ts / NSEC_PER_SEC),
			 (unsigned long long)(e->ts % NSEC_PER_SEC / NSEC_PER_USEC));
		if (i < 4)
			snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s => %s:%d",
				 name[i - 2], e->next_comm, e->next_pid);
		KTEST_EXPECT_STREQ(t, got, want);
	}
}

static void test_trace_migrate_event_and_off(struct ktest *t)
{
	struct sched_trace_info info;
	char got[160], want[160];
	struct task_struct *w;

	KTEST_ASSERT_EQ(t, sched_trace_start(), 0);
	KTEST_EXPECT_EQ(t, sched_trace_start(), -EBUSY);
	trace_sched_migrate_task(current, 0, 0);	/* what load balancing will record */
	sched_trace_stop();
	sched_trace_get_info(&info);
	KTEST_ASSERT_EQ(t, info.nr_events, 1);
	sched_trace_format(got, sizeof(got), sched_trace_event(0));
	snprintf(want, sizeof(want), "%llu 0 migrate pid=%d comm=%s prio=120 policy=NORMAL "
		 "orig_cpu=0 dest_cpu=0", (unsigned long long)sched_trace_event(0)->ts,
		 current->pid, current->comm);
	KTEST_EXPECT_STREQ(t, got, want);

	/* Stopped: switches and wakeups leave the recording as it was. */
	w = worker_create(yields, (void *)20l, "ktest-untraced", SCHED_FIFO, 10);
	workers_start(&w, 1);
	worker_join(w);
	sched_trace_get_info(&info);
	KTEST_EXPECT_EQ(t, info.nr_events, 1);
	KTEST_EXPECT_TRUE(t, !sched_trace_recording());
}

static void test_trace_ring_keeps_the_newest(struct ktest *t)
{
	struct sched_trace_info info;
	const struct sched_trace_event *e;
	long n = SCHED_TRACE_EVENTS / 2 + 100;	/* 2n + 3 switches: more than the ring holds */
	uint64_t last = 0;
	bool ordered = true;
	int pid[2];

	KTEST_ASSERT_TRUE(t, record_pingpong(t, n, pid));
	sched_trace_get_info(&info);
	KTEST_EXPECT_EQ(t, info.nr_events, SCHED_TRACE_EVENTS);
	KTEST_EXPECT_EQ(t, info.nr_events + info.lost, 2 + 2 * n + 3);
	for (unsigned int i = 0; i < info.nr_events; i++) {
		e = sched_trace_event(i);
		ordered &= e->ts >= last;
		last = e->ts;
	}
	KTEST_EXPECT_TRUE(t, ordered);
	KTEST_EXPECT_EQ(t, info.start_ns, sched_trace_event(0)->ts);	/* the oldest kept */
	e = sched_trace_event(info.nr_events - 1);	/* the newest: B exits to us */
	KTEST_EXPECT_EQ(t, e->pid, pid[1]);
	KTEST_EXPECT_EQ(t, e->next_pid, current->pid);
	KTEST_EXPECT_EQ(t, e->prev_state, 'X');
}

static const struct ktest_case sched_trace_cases[] = {
	KTEST_CASE(test_trace_records_the_switches),
	KTEST_CASE(test_trace_dump_and_map_lines),
	KTEST_CASE(test_trace_migrate_event_and_off),
	KTEST_CASE(test_trace_ring_keeps_the_newest),
	{},
};
KTEST_SUITE(sched_trace, sched_trace_cases);
