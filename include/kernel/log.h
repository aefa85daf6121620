/*
 * The kernel log buffer behind printk (kernel/printk.c), readable record by record
 * for `dmesg`, the ktest suites and consoles registered late.
 */
#ifndef KERNEL_LOG_H
#define KERNEL_LOG_H

#include <kernel/compiler.h>

#define LOG_LINE_MAX	224	/* bytes of text in one record, longer lines are cut */
#define LOG_RECORDS	512	/* the ring keeps the newest this many records */

struct log_record {
	uint64_t seq;		/* 0, 1, 2 ... over the whole boot */
	uint64_t tsc;		/* raw TSC when printed; converted when shown */
	uint8_t level;		/* 0..7 */
	uint16_t len;
	char text[LOG_LINE_MAX];	/* without the trailing newline, NUL-terminated */
};

extern int console_loglevel;	/* records with level < this reach the consoles */

/* Copy record @seq into @out; false if it was overwritten or not written yet. */
bool log_read(uint64_t seq, struct log_record *out);
uint64_t log_first_seq(void);
uint64_t log_next_seq(void);
unsigned long log_dropped(void);	/* messages an NMI had to drop */

/* "[    1.234567] " for a record, as in dmesg. Returns the length. */
int log_format_prefix(char *buf, size_t size, const struct log_record *r);

#endif
