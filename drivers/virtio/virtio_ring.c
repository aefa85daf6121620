/*
 * Split virtqueues. One block of physically contiguous pages holds, in order:
 *	descriptor table	num x 16 bytes: address, length, flags, next
 *	available ring		flags, idx, num heads the driver offers (and used_event)
 *	(padding to 4096)
 *	used ring		flags, idx, num (head, bytes written) pairs the device returns
 * which is the layout a legacy device requires (it is told one page frame number and
 * finds the rest by these rules); a modern device is given the three addresses.
 * The driver owns the free descriptors, chained from free_head through .next. To offer a
 * request it fills a chain, puts the head in avail->ring[avail->idx % num] and then
 * increments avail->idx: the order matters, and the release fence keeps the compiler (x86
 * keeps stores in order itself) from publishing the index before the entries. The device
 * returns a chain by writing used->ring[used->idx % num] and incrementing used->idx; the
 * driver reads entries up to that index (the acquire fence orders the reads) and puts
 * the chain's descriptors back on the free list.
 * Callers serialise each queue (virtio_blk holds the disk's queue lock or its own).
 */
#include <asm/layout.h>
#include <drivers/virtio.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/gfp.h>
#include <mm/slab.h>

#define VRING_ALIGN	4096

static size_t vring_size(unsigned int num)
{
	size_t avail_end = 16 * num + 4 + 2 * num + 2;

	return ALIGN_UP(avail_end, VRING_ALIGN) + 4 + 8 * num + 2;
}

struct virtqueue *vring_new(unsigned int num)
{
	struct virtqueue *vq = kzalloc(sizeof(*vq), GFP_KERNEL);
	unsigned int order = 0;
	uint8_t *mem;

	if (!vq)
		return NULL;
	while (((size_t)PAGE_SIZE << order) < vring_size(num))
		order++;
	vq->token = kcalloc(num, sizeof(void *), GFP_KERNEL);
	vq->ring_pages = __get_free_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!vq->token || !vq->ring_pages) {
		kfree(vq->token);
		if (vq->ring_pages)
			free_pages(vq->ring_pages, order);
		kfree(vq);
		return NULL;
	}
	mem = (uint8_t *)vq->ring_pages;
	vq->ring_order = order;
	vq->num = num;
	vq->desc = (struct vring_desc *)mem;
	vq->avail = (struct vring_avail *)(mem + 16 * num);
	vq->used = (struct vring_used *)(mem + ALIGN_UP(16 * num + 4 + 2 * num + 2, VRING_ALIGN));
	for (unsigned int i = 0; i + 1 < num; i++)
		vq->desc[i].next = (uint16_t)(i + 1);
	vq->free_head = 0;
	vq->num_free = (uint16_t)num;
	return vq;
}

int virtqueue_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned int n, void *token)
{
	uint16_t head = vq->free_head, i = head;

	if (!n || n > vq->num_free)
		return -ENOSPC;
	for (unsigned int k = 0; k < n; k++) {
		struct vring_desc *d = &vq->desc[i];

		d->addr = __pa(bufs[k].addr);
		d->len = bufs[k].len;
		d->flags = (uint16_t)((bufs[k].device_writes ? VRING_DESC_F_WRITE : 0) |
				      (k + 1 < n ? VRING_DESC_F_NEXT : 0));
		i = d->next;	/* the free list's link is the chain's link */
	}
	vq->free_head = i;
	vq->num_free -= (uint16_t)n;
	vq->token[head] = token;
	vq->avail->ring[vq->avail->idx % vq->num] = head;
	__atomic_thread_fence(__ATOMIC_RELEASE);	/* the entry before the index */
	vq->avail->idx++;
	return 0;
}

void virtqueue_kick(struct virtqueue *vq)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* the index before the doorbell */
	vp_notify(vq);
}

void *virtqueue_get_buf(struct virtqueue *vq, uint32_t *len)
{
	struct vring_used_elem e;
	uint16_t i, freed = 1;
	void *token;

	if (vq->last_used == __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE))
		return NULL;
	e = vq->used->ring[vq->last_used % vq->num];
	vq->last_used++;
	if (e.id >= vq->num || !vq->token[e.id])
		return NULL;	/* a device bug: nothing of ours to return */
	token = vq->token[e.id];
	vq->token[e.id] = NULL;
	/* The chain goes back on the free list whole: its tail links to the old head. */
	for (i = (uint16_t)e.id; vq->desc[i].flags & VRING_DESC_F_NEXT; i = vq->desc[i].next)
		freed++;
	vq->desc[i].next = vq->free_head;
	vq->free_head = (uint16_t)e.id;
	vq->num_free += freed;
	if (len)
		*len = e.len;
	return token;
}
