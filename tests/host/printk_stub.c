/*
 * The host stand-in for kernel/printk.c (see printk_stub.h). It keeps the kernel's
 * conventions that tests rely on: a message starts with KERN_SOH and a level digit, or
 * has the default level; KERN_CONT continues a line and is not counted as a message.
 * When the buffer is full further text is dropped but messages are still counted.
 */
#include <kernel/printk.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printk_stub.h"

#define CAPTURE_SIZE (256 * 1024)

static char capture[CAPTURE_SIZE];
static size_t capture_len;
static unsigned int level_count[8];

const char *printk_captured(void)
{
	return capture;
}

void printk_capture_reset(void)
{
	capture_len = 0;
	capture[0] = '\0';
	memset(level_count, 0, sizeof(level_count));
}

unsigned int printk_count(int level)
{
	return level >= 0 && level < 8 ? level_count[level] : 0;
}

int vprintk(const char *fmt, va_list ap)
{
	size_t room = CAPTURE_SIZE - capture_len;
	int level = LOGLEVEL_DEFAULT;
	va_list echo;
	int n;

	if (fmt[0] == KERN_SOH[0] && fmt[1] != '\0') {
		level = fmt[1] >= '0' && fmt[1] <= '7' ? fmt[1] - '0' : -1;
		fmt += 2;
	}
	if (level >= 0)
		level_count[level]++;

	va_copy(echo, ap);
	n = vsnprintf(capture + capture_len, room, fmt, ap);
	if (n > 0)
		capture_len += (size_t)n < room ? (size_t)n : room - 1;
	if (getenv("PRINTK_ECHO"))
		vfprintf(stderr, fmt, echo);
	va_end(echo);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}
