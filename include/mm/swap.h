/*
 * Swap: anonymous pages written to a disk to make room, read back when touched.
 *   mm/swapfile.c   the swap area: swapon, its slots and their reference counts, the I/O
 *   mm/swap_out.c   reclaim's part: a page-table scan that picks unused anonymous pages
 *   mm/memory.c     do_swap_page, the fault that reads a page back (a major fault)
 * One area (Linux allows 32), on a whole disk that mkswap prepared ("SWAPSPACE2" at the
 * end of the first page; scripts/mkswap-image makes one at build time). Slot 0 is that
 * header page; slot N is the page at byte N * 4096 of the disk. A PTE of a swapped-out
 * page holds its slot (include/mm/pgtable.h, is_swap_pte). docs/reclaim.md, "Swap".
 */
#ifndef MM_SWAP_H
#define MM_SWAP_H

#include <kernel/compiler.h>

struct page;
struct gendisk;

int swapon(const char *name);		/* "vdb" or "/dev/vdb": 0 or -errno, with a message */
void swap_boot(void);			/* swapon= from the command line, after the disks */
int swaps_format(char *buf, size_t size);	/* /proc/swaps */
bool swap_active(void);
unsigned long total_swap_pages(void);	/* slots of the area (the header excluded) */
unsigned long nr_free_swap_pages(void);

/* A free slot with one reference and its write pending (SWAP_WRITING); 0 if full. */
unsigned long swap_alloc_slot(void);
void swap_dup(unsigned long slot);	/* fork: one more PTE holds it */
void swap_free(unsigned long slot);	/* a PTE holding it went away */
/* The swap-out write of @page to @slot and its end (the slot is readable from then on). */
int swap_writepage(struct page *page, unsigned long slot);
/* Read @slot into @page, after waiting for a pending write of it; sleeps. */
int swap_readpage(struct page *page, unsigned long slot);

/* Reclaim (mm/swap_out.c): swap out up to @nr pages; sleeps. Returns the pages freed. */
unsigned long shrink_anon(unsigned long nr, unsigned long *scanned);

struct swap_stats {
	unsigned long pswpin, pswpout;	/* pages read from and written to swap */
	unsigned long write_errors, read_errors;
};
extern struct swap_stats swap_stats;

#endif
