/*
 * Shared anonymous memory (mmap MAP_SHARED|MAP_ANONYMOUS): the pages live in a shmem
 * object, indexed by page offset, that every VMA over the mapping references through
 * vm_file, so a page first touched after fork is still the one both sides see. Linux
 * backs such a mapping with a file on its internal shmem mount ("/dev/zero (deleted)" in
 * /proc/PID/maps); here it is an array of pages, freed with the last VMA. mm/shmem.c.
 */
#ifndef MM_SHMEM_H
#define MM_SHMEM_H

#include <mm/mm_types.h>

/* A zero-filled object of @nr_pages pages, none allocated yet; NULL without memory. */
struct vm_backing *shmem_anon_create(unsigned long nr_pages);

/*
 * The page at offset @pgoff of the object, allocated zeroed at the first ask, with one
 * reference taken for the caller (its page-table entry); NULL without memory or beyond
 * the object's end.
 */
struct page *shmem_get_page(struct vm_backing *backing, unsigned long pgoff);

/* Pages the object holds (for tests). */
unsigned long shmem_nr_present(const struct vm_backing *backing);

#endif
