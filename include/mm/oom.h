/*
 * Running out of memory. oom_report (mm/oom_report.c) logs who holds the memory and that
 * the current task is killed for it, as Linux's OOM report; @what and @addr say where
 * ("page fault", the address). The caller sends the signal.
 */
#ifndef MM_OOM_H
#define MM_OOM_H

void oom_report(const char *what, unsigned long long addr);

#endif
