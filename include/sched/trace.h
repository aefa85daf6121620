/*
 * The scheduler trace (sched/trace.c, sched/trace_report.c): a ring of sched_switch,
 * sched_wakeup and sched_migrate_task events with ns timestamps, recorded by the core while
 * `sched record` runs and shown afterwards as `perf sched map` text (`sched map`) or as raw
 * lines (`sched dump`) that scripts/sched-svg draws as a timechart. docs/sched.md, "Seeing
 * the schedule", shows both.
 *
 * Off by default, a recording point costs one load and one predictable branch
 * (trace_sched_switch() and friends below); on, it copies a 64-byte event into the ring
 * with the run-queue lock held. The ring keeps the newest events: when it is full the
 * oldest are overwritten and counted as lost.
 */
#ifndef SCHED_TRACE_H
#define SCHED_TRACE_H

#include <sched/sched.h>

#define SCHED_TRACE_ORDER	7	/* the ring: 2^7 pages = 512 KiB */
#define SCHED_TRACE_EVENTS	((4096u << SCHED_TRACE_ORDER) / sizeof(struct sched_trace_event))

enum sched_trace_type {
	SCHED_TRACE_SWITCH,	/* pid (prev) stopped running, next_pid runs */
	SCHED_TRACE_WAKEUP,	/* pid went from sleeping (or new) to runnable on cpu */
	SCHED_TRACE_MIGRATE,	/* pid moved from orig_cpu to dest_cpu (with SMP) */
};

/*
 * One event. pid/comm/prio/policy describe the task the event is about (for a switch,
 * prev); the union holds what only one type has.
 */
struct sched_trace_event {
	uint64_t ts;			/* ns since boot: the run queue's clock (sched_clock) */
	uint8_t type;			/* enum sched_trace_type */
	uint8_t cpu;			/* where it was recorded */
	uint8_t policy;			/* SCHED_* of pid */
	char prev_state;		/* switch: 'R' still runnable (preempted, yielded), S D T X */
	int32_t pid;
	int16_t prio;			/* kernel numbering: 0..99 rt, 100..139 nice -20..19 */
	int16_t next_prio;		/* switch */
	union {
		int32_t next_pid;	/* switch */
		int32_t target_cpu;	/* wakeup: the run queue it joined */
		struct {
			int16_t orig_cpu, dest_cpu;	/* migrate */
		};
	};
	uint8_t next_policy;		/* switch */
	uint8_t pad[3];
	char comm[TASK_COMM_LEN];
	char next_comm[TASK_COMM_LEN];	/* switch */
};

/* Read by every recording point; changed only by sched_trace_start/stop. */
extern bool sched_trace_on;

void __sched_trace_switch(struct rq *rq, struct task_struct *prev, struct task_struct *next);
void __sched_trace_wakeup(struct rq *rq, struct task_struct *p);
void __sched_trace_migrate(struct task_struct *p, int orig_cpu, int dest_cpu);

/* The recording points (sched/core.c), run queue locked: cheap when the trace is off. */
static __always_inline void trace_sched_switch(struct rq *rq, struct task_struct *prev,
					       struct task_struct *next)
{
	if (unlikely(READ_ONCE(sched_trace_on)))
		__sched_trace_switch(rq, prev, next);
}

static __always_inline void trace_sched_wakeup(struct rq *rq, struct task_struct *p)
{
	if (unlikely(READ_ONCE(sched_trace_on)))
		__sched_trace_wakeup(rq, p);
}

/* For load balancing when it comes; tests call it to check the format. */
static __always_inline void trace_sched_migrate_task(struct task_struct *p, int orig_cpu,
						     int dest_cpu)
{
	if (unlikely(READ_ONCE(sched_trace_on)))
		__sched_trace_migrate(p, orig_cpu, dest_cpu);
}

/*
 * Start a new recording (the old one is forgotten): -ENOMEM if the ring cannot be had
 * (allocated at the first start, kept after), -EBUSY if one is running.
 */
int sched_trace_start(void);
/* Stop; when it returns no CPU is still writing, and the events can be read. */
void sched_trace_stop(void);
bool sched_trace_recording(void);

/* What the last recording holds, once stopped. */
struct sched_trace_info {
	uint64_t start_ns, end_ns;	/* the span recorded (start: the oldest kept event if lost) */
	unsigned int nr_events;		/* kept, at most SCHED_TRACE_EVENTS */
	uint64_t lost;			/* overwritten because the ring was full */
	unsigned int nr_cpus;		/* CPUs whose events may appear (columns of the map) */
};
void sched_trace_get_info(struct sched_trace_info *info);
/* The @i-th oldest kept event, 0 <= i < nr_events; NULL while recording or out of range. */
const struct sched_trace_event *sched_trace_event(unsigned int i);

/* ---- reports (sched/trace_report.c) ---- */

/*
 * One `sched dump` line, without the newline:
 *   TS_NS CPU switch prev_pid=P prev_comm=C prev_prio=N prev_policy=X prev_state=S
 *                    next_pid=P next_comm=C next_prio=N next_policy=X
 *   TS_NS CPU wakeup pid=P comm=C prio=N policy=X target_cpu=N
 *   TS_NS CPU migrate pid=P comm=C prio=N policy=X orig_cpu=N dest_cpu=N
 * (policy: FIFO RR NORMAL BATCH IDLE; a space or '=' in a comm becomes '_').
 */
int sched_trace_format(char *buf, size_t size, const struct sched_trace_event *e);

/*
 * `perf sched map`: one line per switch, a column per CPU showing its running task's
 * two-character short name, '*' on the CPU that switched, the time in s, and "A0 => comm:pid"
 * the first time a task appears. The idle task is '.'.
 */
#define SCHED_MAP_NAMES	260	/* A0..Z0, A1..Z1, ... Z9; later tasks share "??" */

struct sched_map_state {
	unsigned int nr_cpus;
	int cpu_pid[NR_CPUS];		/* who runs on each CPU, -1: not seen yet */
	int pids[SCHED_MAP_NAMES];	/* pid of short name i */
	unsigned int nr_names;
	bool idle_named;		/* the idle task's legend line was printed */
};

void sched_map_init(struct sched_map_state *st, unsigned int nr_cpus);
/* The map line for @e into @buf; false (and nothing written) if @e is not a switch. */
bool sched_map_line(struct sched_map_state *st, const struct sched_trace_event *e, char *buf,
		    size_t size);

#endif
