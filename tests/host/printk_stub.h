/*
 * A printk for host unit tests: messages are formatted with the host's vsnprintf into
 * one capture buffer (level prefix stripped) that a test can search, and counted per
 * log level. Set PRINTK_ECHO=1 in the environment to also see them on stderr.
 */
#ifndef TESTS_HOST_PRINTK_STUB_H
#define TESTS_HOST_PRINTK_STUB_H

/* Everything printed since the last reset, as one NUL-terminated string. */
const char *printk_captured(void);

/* Forgets the captured text and the counts. */
void printk_capture_reset(void);

/* Messages printed at @level (0 emerg .. 7 debug) since the last reset. */
unsigned int printk_count(int level);

#endif
