/*
 * Shared anonymous memory: a shmem object is an array of page pointers, one per page of
 * the mapping, filled at first touch (demand paging, as for private memory). The object
 * holds one reference on each page it has; each page-table entry that maps one holds
 * another, so munmap or MADV_DONTNEED in one process drops only that process's entries
 * and the data stays for the others, as on Linux. The object goes when the last VMA over
 * it does (vm_backing's reference count, kept by mm/vma.c): then its pages are put.
 * Interrupts are off in the fault handler that calls shmem_get_page, so on one CPU the
 * check-then-fill needs no lock.
 */
#include <kernel/oops.h>
#include <mm/gfp.h>
#include <mm/shmem.h>
#include <mm/slab.h>
#include <mm/vmalloc.h>

struct shmem_object {
	struct vm_backing backing;	/* first: vm_file points here */
	unsigned long nr_pages;
	struct page **pages;		/* see alloc_slots */
};

/*
 * The page pointers: kmalloc'ed for a mapping of up to 2 MiB (a 4 KiB array), vmalloc'ed
 * above (1 GiB needs 2 MiB of pointers), as Linux's kvmalloc chooses.
 */
#define SLOTS_KMALLOC_MAX	PAGE_SIZE

static struct page **alloc_slots(unsigned long nr)
{
	size_t bytes = nr * sizeof(struct page *);

	/* A huge MAP_SHARED request failing is the caller's -ENOMEM, not a kernel warning. */
	return bytes <= SLOTS_KMALLOC_MAX ? kzalloc(bytes, GFP_KERNEL | __GFP_NOWARN) :
		__vmalloc(bytes, GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
}

static void free_slots(struct page **slots)
{
	if (is_vmalloc_addr(slots))
		vfree(slots);
	else
		kfree(slots);
}

static struct shmem_object *to_shmem(const struct vm_backing *b)
{
	return (struct shmem_object *)b;
}

static void shmem_release(struct vm_backing *b)
{
	struct shmem_object *obj = to_shmem(b);

	for (unsigned long i = 0; i < obj->nr_pages; i++)
		if (obj->pages[i])
			put_page(obj->pages[i]);
	free_slots(obj->pages);
	kfree(obj);
}

struct vm_backing *shmem_anon_create(unsigned long nr_pages)
{
	struct shmem_object *obj = kzalloc(sizeof(*obj), GFP_KERNEL);

	if (!obj)
		return NULL;
	obj->pages = alloc_slots(nr_pages);
	if (!obj->pages) {
		kfree(obj);
		return NULL;
	}
	obj->nr_pages = nr_pages;
	obj->backing.refcount = 1;
	obj->backing.release = shmem_release;
	return &obj->backing;
}

struct page *shmem_get_page(struct vm_backing *b, unsigned long pgoff)
{
	struct shmem_object *obj = to_shmem(b);
	struct page *page;

	if (pgoff >= obj->nr_pages)
		return NULL;
	page = obj->pages[pgoff];
	if (!page) {
		page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!page)
			return NULL;
		obj->pages[pgoff] = page;	/* the object's reference: from alloc_page */
	}
	get_page(page);
	return page;
}

unsigned long shmem_nr_present(const struct vm_backing *b)
{
	const struct shmem_object *obj = to_shmem(b);
	unsigned long n = 0;

	for (unsigned long i = 0; i < obj->nr_pages; i++)
		n += obj->pages[i] != NULL;
	return n;
}
