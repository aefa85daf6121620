/*
 * virtio-blk: a disk behind one virtqueue. Each request is a chain of three buffers: a
 * 16-byte header the device reads (type: 0 read, 1 write, 4 flush; the sector), the data
 * (the device writes it for a read, reads it for a write), and one status byte the device
 * writes (0 done, 1 I/O error, 2 unsupported). The block core's queue_rq turns a bio into
 * such a chain and rings the doorbell; when the ring is full it says -EBUSY and the bio
 * waits on the disk's queue. The device signals a used chain with the queue's MSI-X
 * interrupt; the handler ends the bios and runs the queue again. Without MSI-X (pci=nomsi,
 * no local APIC) a kernel thread polls the used ring every millisecond while requests are
 * in flight: slower, and said so at probe.
 * Features taken: VERSION_1 (modern), FLUSH (the write cache can be flushed, so fsync
 * means something), RO (the device is read-only), BLK_SIZE (its logical block size).
 */
#define pr_fmt(fmt) "virtio_blk: " fmt

#include <block/blkdev.h>
#include <drivers/virtio.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <mm/slab.h>
#include <sched/task.h>
#include <sched/wait.h>

#define VIRTIO_BLK_F_RO		5
#define VIRTIO_BLK_F_BLK_SIZE	6
#define VIRTIO_BLK_F_FLUSH	9
#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4
#define VIRTIO_BLK_S_OK		0
#define VIRTIO_BLK_S_UNSUPP	2
#define VIRTIO_BLK_CFG_CAPACITY	0
#define VIRTIO_BLK_CFG_BLK_SIZE	20
#define VIRTBLK_QUEUE_MAX	128
#define VIRTBLK_MAJOR		253	/* what Linux's virtblk is given on a typical system */

struct virtblk_req {
	struct {
		uint32_t type, ioprio;
		uint64_t sector;
	} hdr;
	uint8_t status;
	struct bio *bio;
};

struct virtio_blk {
	struct virtio_device vd;
	struct virtqueue *vq;
	struct gendisk disk;
	struct task_struct *poller;	/* without MSI-X */
	struct wait_queue_head poll_wait;
};

static unsigned int nr_disks;

/* Under the disk's queue lock (interrupts off): no sleeping, GFP_ATOMIC. */
static int virtblk_queue_rq(struct gendisk *disk, struct bio *bio)
{
	struct virtio_blk *vb = disk->private_data;
	struct virtblk_req *req = kmalloc(sizeof(*req), GFP_ATOMIC);
	struct vq_buf bufs[3];
	unsigned int n = 0;

	if (!req)	/* -EBUSY could wait for a completion that never comes: fail it */
		return -ENOMEM;
	req->bio = bio;
	req->hdr.ioprio = 0;
	req->hdr.sector = bio->sector;
	req->hdr.type = bio->op == REQ_OP_READ ? VIRTIO_BLK_T_IN :
			bio->op == REQ_OP_WRITE ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_FLUSH;
	req->status = 0xff;
	bufs[n++] = (struct vq_buf){ &req->hdr, sizeof(req->hdr), false };
	if (bio->len)
		bufs[n++] = (struct vq_buf){ bio->buf, bio->len, bio->op == REQ_OP_READ };
	bufs[n++] = (struct vq_buf){ &req->status, 1, true };
	if (virtqueue_add(vb->vq, bufs, n, req)) {
		kfree(req);
		return -EBUSY;
	}
	virtqueue_kick(vb->vq);
	if (vb->poller)
		wake_up(&vb->poll_wait);
	return 0;
}

static const struct block_device_operations virtblk_ops = { .queue_rq = virtblk_queue_rq };

/* Take the used chains off the ring, then end their bios outside the lock. */
static void virtblk_done(struct virtio_blk *vb)
{
	struct virtblk_req *done[16];
	unsigned int n;

	do {
		unsigned long flags = spin_lock_irqsave(&vb->disk.queue_lock);
		struct virtblk_req *req;

		for (n = 0; n < ARRAY_SIZE(done) && (req = virtqueue_get_buf(vb->vq, NULL)); )
			done[n++] = req;
		spin_unlock_irqrestore(&vb->disk.queue_lock, flags);
		for (unsigned int i = 0; i < n; i++) {
			int err = done[i]->status == VIRTIO_BLK_S_OK ? 0 :
				  done[i]->status == VIRTIO_BLK_S_UNSUPP ? -EOPNOTSUPP : -EIO;

			bio_endio(done[i]->bio, err);
			kfree(done[i]);
		}
	} while (n == ARRAY_SIZE(done));
	blk_run_queue(&vb->disk);
}

static void virtblk_interrupt(unsigned int irq, void *data)
{
	(void)irq;
	virtblk_done(data);
}

static int virtblk_poll_thread(void *data)
{
	struct virtio_blk *vb = data;

	for (;;) {
		wait_event_interruptible(vb->poll_wait, READ_ONCE(vb->disk.stats.in_flight) != 0);
		virtblk_done(vb);
		schedule_timeout_uninterruptible(1);	/* 1 ms */
	}
	return 0;
}

static int virtblk_probe(struct pci_dev *p, const struct pci_device_id *id)
{
	struct virtio_blk *vb = kzalloc(sizeof(*vb), GFP_KERNEL);
	uint64_t capacity;
	uint32_t blk_size = SECTOR_SIZE;
	int err;

	(void)id;
	if (!vb)
		return -ENOMEM;
	err = vp_probe(&vb->vd, p);
	if (!err && vp_enable_msix(&vb->vd, 1))
		dev_info(&p->dev, "no MSI-X: the queue is polled every millisecond\n");
	if (!err)
		err = vp_finalize_features(&vb->vd, 1ull << VIRTIO_F_VERSION_1 |
					   1ull << VIRTIO_BLK_F_RO | 1ull << VIRTIO_BLK_F_BLK_SIZE |
					   1ull << VIRTIO_BLK_F_FLUSH);
	if (!err) {
		vb->vq = vp_setup_vq(&vb->vd, 0, VIRTBLK_QUEUE_MAX);
		if (!vb->vq)
			err = -ENODEV;
	}
	if (err) {
		vp_set_status(&vb->vd, VIRTIO_CONFIG_S_FAILED);
		pci_free_msix(p);
		kfree(vb);
		return err;
	}
	vp_read_config(&vb->vd, VIRTIO_BLK_CFG_CAPACITY, &capacity, sizeof(capacity));
	if (vb->vd.features & (1ull << VIRTIO_BLK_F_BLK_SIZE))
		vp_read_config(&vb->vd, VIRTIO_BLK_CFG_BLK_SIZE, &blk_size, sizeof(blk_size));
	snprintf(vb->disk.name, sizeof(vb->disk.name), "vd%c", 'a' + nr_disks);
	vb->disk.major = VIRTBLK_MAJOR;
	vb->disk.minor = nr_disks * 16;
	vb->disk.capacity = capacity;
	vb->disk.ro = vb->vd.features & (1ull << VIRTIO_BLK_F_RO);
	vb->disk.can_flush = vb->vd.features & (1ull << VIRTIO_BLK_F_FLUSH);
	vb->disk.ops = &virtblk_ops;
	vb->disk.private_data = vb;
	vb->disk.model = vb->vd.modern ? "virtio 1.0" : "virtio legacy";
	init_waitqueue_head(&vb->poll_wait);
	if (vb->vq->irq) {
		request_irq(vb->vq->irq, virtblk_interrupt, "virtio-blk", vb);
	} else {
		vb->poller = kthread_run(virtblk_poll_thread, vb, "%s-poll", vb->disk.name);
	}
	vp_set_status(&vb->vd, VIRTIO_CONFIG_S_DRIVER_OK);
	dev_set_drvdata(&p->dev, vb);
	dev_info(&p->dev, "%s: %s, %llu sectors, %u-byte blocks, queue of %u, %s%s%s\n",
		 vb->disk.name, vb->disk.model, (unsigned long long)capacity, blk_size,
		 vb->vq->num, vb->vq->irq ? "MSI-X" : "polled",
		 vb->disk.can_flush ? ", flush" : "", vb->disk.ro ? ", read-only" : "");
	nr_disks++;
	return add_disk(&vb->disk);
}

static const struct pci_device_id virtblk_ids[] = {
	{ 0x1af4, 0x1001 },	/* transitional: legacy and modern */
	{ 0x1af4, 0x1042 },	/* modern only (0x1040 + device type 2) */
	{ 0, 0 },
};

static struct pci_driver virtblk_driver = {
	.driver = { .name = "virtio_blk" },
	.id_table = virtblk_ids,
	.probe = virtblk_probe,
};

void virtio_blk_init(void)
{
	pci_register_driver(&virtblk_driver);
}
