/*
 * The record getdents64(2) writes, in the Linux layout: each record starts 8-byte aligned and
 * d_reclen covers the header, the NUL-terminated name and the padding to the next record.
 * d_off is an opaque cookie: seeking the directory to it continues after this entry.
 */
#ifndef UAPI_LINUX_DIRENT_H
#define UAPI_LINUX_DIRENT_H

#include <kernel/compiler.h>

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

#define DT_UNKNOWN	0
#define DT_FIFO		1
#define DT_CHR		2
#define DT_DIR		4
#define DT_BLK		6
#define DT_REG		8
#define DT_LNK		10
#define DT_SOCK		12

#endif
