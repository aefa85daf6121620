/*
 * Event counters of the memory manager (mm/vmstat.c prints them). Where Linux's /proc/vmstat
 * has the counter the name is Linux's (pgfault, pgmajfault, nr_tlb_local_flush_one/all);
 * the others (COW, spurious and bad faults, the range/global/not-loaded flushes, the CR3
 * switches) are this kernel's own, named in the same style. Each CPU counts into its own array without a lock or an
 * atomic (an event is counted on the CPU where it happens, with interrupts off or
 * from code that cannot migrate); a reader sums the CPUs, so a total may lag by the
 * events in flight, which is fine for statistics and exact once the system is quiet.
 */
#ifndef MM_VMSTAT_H
#define MM_VMSTAT_H

#include <kernel/compiler.h>

enum vm_event_item {
	PGFAULT,			/* page faults that reached the handler */
	PGMAJFAULT,			/* faults that had to wait for I/O (none without swap/files) */
	PGCOWFAULT,			/* copy-on-write faults that copied (a sole owner reuses: no count) */
	PGSPURIOUS,			/* faults the page table already allowed: a stale TLB entry */
	PGFAULT_BAD,			/* faults nothing could serve: an oops, or a test's catch */
	OOPS_COUNT,			/* oops reports, of any exception (Linux: /sys/kernel/oops_count) */
	NR_TLB_LOCAL_FLUSH_ONE,		/* invlpg of one page */
	NR_TLB_LOCAL_FLUSH_RANGE,	/* flushes done page by page (each counts its pages above) */
	NR_TLB_LOCAL_FLUSH_ALL,		/* whole flush of the current address space (CR3 reload) */
	NR_TLB_LOCAL_FLUSH_GLOBAL,	/* whole flush including global pages (CR4.PGE toggle) */
	NR_TLB_FLUSH_NOT_LOADED,	/* flush of a space not loaded: nothing cached, or (PCID) done
					   when it is next switched in */
	NR_TLB_REMOTE_FLUSH,		/* flushes that asked other CPUs (one IPI round each) */
	NR_TLB_REMOTE_FLUSH_RECEIVED,	/* shootdown IPIs served, all CPUs */
	NR_TLB_SWITCH_NOFLUSH,		/* CR3 switches that kept the TLB (PCID) */
	NR_TLB_SWITCH_FLUSH,		/* CR3 switches that flushed it */
	NR_VMALLOC_PURGE,		/* lazy purges of the vmalloc area: one TLB flush each */
	NR_VM_EVENT_ITEMS
};

extern const char *const vm_event_names[NR_VM_EVENT_ITEMS];

void count_vm_events(enum vm_event_item item, unsigned long delta);
static inline void count_vm_event(enum vm_event_item item) { count_vm_events(item, 1); }
unsigned long vm_event_sum(enum vm_event_item item);	/* over all CPUs */

#endif
