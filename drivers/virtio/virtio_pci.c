/*
 * Virtio over PCI, both generations:
 *  - modern (virtio 1.0): vendor-specific capabilities (ID 0x09) name, for each structure,
 *    a BAR and an offset: the common configuration (features, status, queue setup), the
 *    notification area (a queue's doorbell is at notify_off x multiplier), the ISR byte
 *    and the device configuration. Registers are memory; features are 64 bits, read and
 *    written 32 at a time through a select register; VERSION_1 must be agreed.
 *  - legacy (virtio 0.9.5): one I/O BAR with fixed registers; 32 feature bits; a queue is
 *    set up by writing one page frame number, with the size the device fixes; the device
 *    configuration starts at 20, or at 24 while MSI-X is on (two vector registers come in).
 * QEMU's default devices are transitional (IDs 0x1000 + n) and offer both; `modern` is
 * chosen when the capabilities are there. Interrupts: MSI-X vector 0 for configuration
 * changes, one per queue after it; without MSI-X the driver polls its queues (there is no
 * way to route the INTx line without the ACPI _PRT).
 */
#define pr_fmt(fmt) "virtio: " fmt

#include <asm/io.h>
#include <asm/layout.h>
#include <asm/x86.h>
#include <drivers/virtio.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <lib/errno.h>

/* Modern: the capability's structure types and the common configuration's registers. */
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define COMMON_DFSELECT		0x00
#define COMMON_DF		0x04
#define COMMON_GFSELECT		0x08
#define COMMON_GF		0x0c
#define COMMON_MSIX		0x10
#define COMMON_NUMQ		0x12
#define COMMON_STATUS		0x14
#define COMMON_Q_SELECT		0x16
#define COMMON_Q_SIZE		0x18
#define COMMON_Q_MSIX		0x1a
#define COMMON_Q_ENABLE		0x1c
#define COMMON_Q_NOFF		0x1e
#define COMMON_Q_DESCLO		0x20
#define COMMON_Q_AVAILLO	0x28
#define COMMON_Q_USEDLO		0x30
#define VIRTIO_MSI_NO_VECTOR	0xffff

/* Legacy: the I/O BAR's registers. */
#define LEGACY_HOST_FEATURES	0x00
#define LEGACY_GUEST_FEATURES	0x04
#define LEGACY_QUEUE_PFN	0x08
#define LEGACY_QUEUE_NUM	0x0c
#define LEGACY_QUEUE_SEL	0x0e
#define LEGACY_QUEUE_NOTIFY	0x10
#define LEGACY_STATUS		0x12
#define LEGACY_ISR		0x13
#define LEGACY_MSIX_CONFIG	0x14
#define LEGACY_MSIX_QUEUE	0x16
#define LEGACY_CONFIG(msix)	((msix) ? 0x18 : 0x14)

static inline void w16(volatile uint8_t *base, unsigned int off, uint16_t v)
{
	*(volatile uint16_t *)(base + off) = v;
}

static inline uint16_t r16(volatile uint8_t *base, unsigned int off)
{
	return *(volatile uint16_t *)(base + off);
}

static inline void w32(volatile uint8_t *base, unsigned int off, uint32_t v)
{
	writel(v, base + off);
}

static inline uint32_t r32(volatile uint8_t *base, unsigned int off)
{
	return readl(base + off);
}

static void w64(volatile uint8_t *base, unsigned int off, uint64_t v)
{
	w32(base, off, (uint32_t)v);
	w32(base, off + 4, (uint32_t)(v >> 32));
}

/* Map the structures the modern capabilities describe; false if one is missing. */
static bool find_modern(struct virtio_device *vd, struct pci_dev *p)
{
	for (uint8_t c = pci_find_capability(p, PCI_CAP_ID_VNDR, 0); c;
	     c = pci_find_capability(p, PCI_CAP_ID_VNDR, c)) {
		uint8_t type = pci_read_config8(p, c + 3), bar = pci_read_config8(p, c + 4);
		uint32_t off = pci_read_config32(p, c + 8), len = pci_read_config32(p, c + 12);
		volatile uint8_t **where = NULL;

		if (bar >= PCI_NUM_BARS)
			continue;
		switch (type) {
		case VIRTIO_PCI_CAP_COMMON_CFG: where = &vd->common; break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			where = &vd->notify_base;
			if (!vd->notify_base)	/* the multiplier follows the capability */
				vd->notify_mul = pci_read_config32(p, c + 16);
			break;
		case VIRTIO_PCI_CAP_ISR_CFG: where = &vd->isr; break;
		case VIRTIO_PCI_CAP_DEVICE_CFG: where = &vd->devcfg; break;
		}
		if (where && !*where)	/* the first of each type is the one to use */
			*where = pci_iomap_range(p, bar, off, len);
	}
	return vd->common && vd->notify_base && vd->isr && vd->devcfg;
}

int vp_probe(struct virtio_device *vd, struct pci_dev *p)
{
	vd->pdev = p;
	pci_set_master(p);
	vd->modern = find_modern(vd, p);
	if (!vd->modern) {
		if (!p->bar[0].size || !p->bar[0].io) {
			dev_err(&p->dev, "neither virtio 1.0 capabilities nor a legacy I/O BAR\n");
			return -ENODEV;
		}
		vd->io = (uint16_t)p->bar[0].start;
	}
	vp_reset(vd);
	vp_set_status(vd, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vp_set_status(vd, VIRTIO_CONFIG_S_DRIVER);
	return 0;
}

void vp_reset(struct virtio_device *vd)
{
	if (vd->modern) {
		vd->common[COMMON_STATUS] = 0;
		/* The reset is done when the status reads back 0. */
		for (int i = 0; i < 1000000 && vd->common[COMMON_STATUS]; i++)
			cpu_relax();
	} else {
		outb(vd->io + LEGACY_STATUS, 0);
	}
}

uint8_t vp_get_status(struct virtio_device *vd)
{
	return vd->modern ? vd->common[COMMON_STATUS] : inb(vd->io + LEGACY_STATUS);
}

void vp_set_status(struct virtio_device *vd, uint8_t status)
{
	uint8_t v = vp_get_status(vd) | status;

	if (vd->modern)
		vd->common[COMMON_STATUS] = v;
	else
		outb(vd->io + LEGACY_STATUS, v);
}

uint64_t vp_get_features(struct virtio_device *vd)
{
	if (!vd->modern)
		return inl(vd->io + LEGACY_HOST_FEATURES);
	w32(vd->common, COMMON_DFSELECT, 0);
	uint64_t lo = r32(vd->common, COMMON_DF);

	w32(vd->common, COMMON_DFSELECT, 1);
	return lo | (uint64_t)r32(vd->common, COMMON_DF) << 32;
}

int vp_finalize_features(struct virtio_device *vd, uint64_t wanted)
{
	uint64_t f = vp_get_features(vd) & wanted;

	if (vd->modern) {
		if (!(f & (1ull << VIRTIO_F_VERSION_1))) {
			dev_err(&vd->pdev->dev, "modern device without VIRTIO_F_VERSION_1\n");
			return -ENODEV;
		}
		w32(vd->common, COMMON_GFSELECT, 0);
		w32(vd->common, COMMON_GF, (uint32_t)f);
		w32(vd->common, COMMON_GFSELECT, 1);
		w32(vd->common, COMMON_GF, (uint32_t)(f >> 32));
		vp_set_status(vd, VIRTIO_CONFIG_S_FEATURES_OK);
		/* The device clears FEATURES_OK if it cannot live with the subset. */
		if (!(vp_get_status(vd) & VIRTIO_CONFIG_S_FEATURES_OK)) {
			dev_err(&vd->pdev->dev, "the device refused features %#llx\n",
				(unsigned long long)f);
			return -ENODEV;
		}
	} else {
		f &= 0xffffffffull;
		outl(vd->io + LEGACY_GUEST_FEATURES, (uint32_t)f);
	}
	vd->features = f;
	return 0;
}

void vp_read_config(struct virtio_device *vd, unsigned int off, void *buf, unsigned int len)
{
	uint8_t *out = buf;

	/* Byte by byte: fields may be unaligned; a multi-byte field may tear on a concurrent
	 * config change, which the disks here never make. */
	for (unsigned int i = 0; i < len; i++)
		out[i] = vd->modern ? vd->devcfg[off + i]
				    : inb(vd->io + LEGACY_CONFIG(vd->msix) + off + i);
}

int vp_enable_msix(struct virtio_device *vd, unsigned int nvqs)
{
	int err;

	if (nvqs + 1 > VP_MAX_VECTORS)
		return -EINVAL;
	err = pci_enable_msix(vd->pdev, nvqs + 1, vd->irq);
	if (err)
		return err;
	vd->msix = true;
	/* Vector 0: configuration changes (the disks here never make one). */
	if (vd->modern)
		w16(vd->common, COMMON_MSIX, 0);
	else
		outw(vd->io + LEGACY_MSIX_CONFIG, 0);
	return 0;
}

struct virtqueue *vp_setup_vq(struct virtio_device *vd, unsigned int index, unsigned int max)
{
	struct virtqueue *vq;
	unsigned int num;

	if (vd->modern) {
		w16(vd->common, COMMON_Q_SELECT, (uint16_t)index);
		num = r16(vd->common, COMMON_Q_SIZE);
		if (!num || r16(vd->common, COMMON_Q_ENABLE))
			return NULL;
		while (num > max)
			num /= 2;	/* sizes are powers of 2: any smaller one will do */
	} else {
		outw(vd->io + LEGACY_QUEUE_SEL, (uint16_t)index);
		num = inw(vd->io + LEGACY_QUEUE_NUM);	/* legacy: exactly the device's size */
		if (!num || inl(vd->io + LEGACY_QUEUE_PFN))
			return NULL;
	}
	vq = vring_new(num);
	if (!vq)
		return NULL;
	vq->vdev = vd;
	vq->index = index;
	vq->irq = vd->msix ? vd->irq[index + 1] : 0;
	if (vd->modern) {
		w16(vd->common, COMMON_Q_SIZE, (uint16_t)num);
		w64(vd->common, COMMON_Q_DESCLO, __pa(vq->desc));
		w64(vd->common, COMMON_Q_AVAILLO, __pa(vq->avail));
		w64(vd->common, COMMON_Q_USEDLO, __pa(vq->used));
		vq->notify = (volatile uint16_t *)(vd->notify_base +
			r16(vd->common, COMMON_Q_NOFF) * vd->notify_mul);
		w16(vd->common, COMMON_Q_MSIX, vd->msix ? (uint16_t)(index + 1) : VIRTIO_MSI_NO_VECTOR);
		w16(vd->common, COMMON_Q_ENABLE, 1);
	} else {
		if (vd->msix)
			outw(vd->io + LEGACY_MSIX_QUEUE, (uint16_t)(index + 1));
		outl(vd->io + LEGACY_QUEUE_PFN, (uint32_t)(__pa(vq->desc) >> 12));
	}
	return vq;
}

void vp_notify(struct virtqueue *vq)
{
	struct virtio_device *vd = vq->vdev;

	if (vd->modern)
		*vq->notify = (uint16_t)vq->index;
	else
		outw(vd->io + LEGACY_QUEUE_NOTIFY, (uint16_t)vq->index);
}
