/*
 * Where the kernel's VMAs come from: a slab cache named "vm_area_struct", as in Linux, so
 * `slabinfo` shows how many exist. mm/vma.c allocates through the vma_allocator hook, which is
 * what lets the same code run in host tests on calloc; this file plugs the slab cache in.
 * Kernel only (not in HOST_SRCS). vma_cache_init() runs once, after kmem_cache_init().
 */
#include <kernel/printk.h>
#include <mm/slab.h>
#include <mm/vma.h>

static struct kmem_cache *vm_area_cachep;

static struct vm_area_struct *vma_cache_alloc(void)
{
	return kmem_cache_zalloc(vm_area_cachep, GFP_KERNEL);
}

static void vma_cache_free(struct vm_area_struct *vma)
{
	kmem_cache_free(vm_area_cachep, vma);
}

static const struct vma_allocator vma_slab_allocator = {
	.alloc = vma_cache_alloc,
	.free = vma_cache_free,
};

void vma_cache_init(void)
{
	if (vm_area_cachep)
		return;
	vm_area_cachep = KMEM_CACHE(vm_area_struct, 0);
	if (!vm_area_cachep) {
		pr_err("vma: no vm_area_struct cache; address spaces cannot be built\n");
		return;
	}
	vma_set_allocator(&vma_slab_allocator);
}
