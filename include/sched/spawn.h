/*
 * Workloads: kernel threads the shell starts with `spawn` to stand in for the programs a
 * student would run on Linux (a CPU-bound loop, a sleeper, a yielder, a periodic task), so
 * that chrt, renice, ps, top and kill have something to act on. sched/spawn.c keeps them
 * on a list with a job number, as a shell keeps its jobs; each polls a stop flag, which is
 * how `kill` ends it (kthread_stop would make the shell wait).
 */
#ifndef SCHED_SPAWN_H
#define SCHED_SPAWN_H

#include <kernel/compiler.h>

/* Is @pid a workload (still running, stopped, or not yet gone)? */
bool workload_is(int pid);

/*
 * Ask workload @pid to end: SIGTERM's effect, or SIGKILL's with @force. A stopped workload
 * ends at once with @force, and when continued without it (a pending SIGTERM). Returns 0,
 * or -ESRCH if @pid is not a workload.
 */
int workload_terminate(int pid, bool force);

/* The pid of job @job ("kill %1"), or -ESRCH. */
int workload_job_pid(int job);

#endif
