/*
 * Virtio: the device interface QEMU (and other hypervisors) offer instead of emulating
 * real hardware. A device has feature bits both sides agree on, a status byte that walks
 * ACKNOWLEDGE -> DRIVER -> FEATURES_OK -> DRIVER_OK, a device-specific configuration
 * (a disk's capacity ...) and virtqueues: rings in guest memory through which the driver
 * hands the device buffers (descriptors, chained) and the device hands back the ones it
 * has used. Specification: "Virtual I/O Device (VIRTIO) Version 1.x", OASIS.
 *
 *   drivers/virtio/virtio_pci.c   the PCI transport: modern (virtio 1.0, capabilities
 *                                 pointing into BARs) and legacy (an I/O BAR), MSI-X
 *   drivers/virtio/virtio_ring.c  split virtqueues: descriptors, available and used rings
 *   drivers/block/virtio_blk.c    the disk
 */
#ifndef DRIVERS_VIRTIO_H
#define DRIVERS_VIRTIO_H

#include <drivers/pci.h>
#include <kernel/spinlock.h>

#define VIRTIO_CONFIG_S_ACKNOWLEDGE	1
#define VIRTIO_CONFIG_S_DRIVER		2
#define VIRTIO_CONFIG_S_DRIVER_OK	4
#define VIRTIO_CONFIG_S_FEATURES_OK	8
#define VIRTIO_CONFIG_S_NEEDS_RESET	0x40
#define VIRTIO_CONFIG_S_FAILED		0x80

#define VIRTIO_F_VERSION_1		32	/* a modern device: little-endian, 1.0 rules */

/* The split virtqueue's structures, as the specification lays them out. */
struct vring_desc {
	uint64_t addr;		/* guest physical */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define VRING_DESC_F_NEXT	1	/* continues in .next */
#define VRING_DESC_F_WRITE	2	/* the device writes it (else reads) */

struct vring_avail {
	uint16_t flags;
	uint16_t idx;		/* where the driver puts the next entry (free-running) */
	uint16_t ring[];
};

struct vring_used_elem {
	uint32_t id;		/* the head descriptor of a used chain */
	uint32_t len;		/* bytes the device wrote */
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];
};

struct virtio_device;

struct virtqueue {
	struct virtio_device *vdev;
	unsigned int index;
	unsigned int num;		/* entries (a power of 2) */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	unsigned long ring_pages;	/* direct-map address of the ring's pages */
	unsigned int ring_order;
	uint16_t free_head, num_free;	/* the free descriptors, chained through .next */
	uint16_t last_used;		/* used->idx as far as the driver has read */
	void **token;			/* per head descriptor: what virtqueue_add was given */
	volatile uint16_t *notify;	/* modern: where to write the queue's index */
	unsigned int irq;		/* its MSI-X IRQ, or 0: polled */
};

struct vq_buf {
	void *addr;			/* direct-map kernel memory */
	uint32_t len;
	bool device_writes;
};

#define VP_MAX_VECTORS	4

struct virtio_device {
	struct pci_dev *pdev;
	bool modern;
	/* modern: the structures the vendor capabilities point at */
	volatile uint8_t *common, *isr, *devcfg, *notify_base;
	uint32_t notify_mul;
	/* legacy: the I/O BAR */
	uint16_t io;
	bool msix;			/* MSI-X on: vector 0 config, 1.. queues */
	unsigned int irq[VP_MAX_VECTORS];	/* their IRQ numbers */
	uint64_t features;		/* negotiated */
};

/* The transport (drivers/virtio/virtio_pci.c). */
int vp_probe(struct virtio_device *vd, struct pci_dev *pdev);
uint64_t vp_get_features(struct virtio_device *vd);
/* Keep what both want (and VERSION_1 on a modern device); 0 or -ENODEV. */
int vp_finalize_features(struct virtio_device *vd, uint64_t wanted);
void vp_set_status(struct virtio_device *vd, uint8_t status);	/* ORed in; 0 resets */
uint8_t vp_get_status(struct virtio_device *vd);
void vp_read_config(struct virtio_device *vd, unsigned int off, void *buf, unsigned int len);
/* MSI-X with vector 0 for configuration changes and one per queue: 0, or -errno (poll). */
int vp_enable_msix(struct virtio_device *vd, unsigned int nvqs);
/* Queue @index with at most @max entries (legacy: exactly the device's); vq->irq is its
 * MSI-X IRQ for the driver to request, 0 when polled. NULL if the device has no such queue. */
struct virtqueue *vp_setup_vq(struct virtio_device *vd, unsigned int index, unsigned int max);
void vp_notify(struct virtqueue *vq);
void vp_reset(struct virtio_device *vd);

/* Rings (drivers/virtio/virtio_ring.c). */
struct virtqueue *vring_new(unsigned int num);
/* Chain @n buffers (the device reads the first @out, writes the rest): 0, -ENOSPC. */
int virtqueue_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned int n, void *token);
void virtqueue_kick(struct virtqueue *vq);
/* The next chain the device has used (its token, *@len written), or NULL. */
void *virtqueue_get_buf(struct virtqueue *vq, uint32_t *len);

void virtio_blk_init(void);

#endif
