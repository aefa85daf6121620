/*
 * Finding what is on the PCI bus: a depth-first walk from bus 0. A slot holds a device if
 * function 0's vendor ID is not 0xffff (nothing answers: all ones); functions 1..7 are
 * looked at only when function 0's header type says multi-function. A PCI-to-PCI bridge
 * (header type 1) leads to the bus number in its secondary-bus register, walked next.
 * For each function the kernel keeps a struct pci_dev: its IDs, class, interrupt pin and
 * line, its BARs and the offset of its MSI-X capability, registered on pci_bus_type so
 * that a driver whose ID table names it is bound (drivers/base).
 * Sizing a BAR: with decoding off (so the device answers nothing while the BAR holds
 * junk), write all ones, read back which bits stuck (the size is the lowest address bit
 * that can be set), then restore. A 64-bit memory BAR takes two registers.
 * The firmware assigned every address already (SeaBIOS, OVMF); this kernel moves nothing.
 */
#define pr_fmt(fmt) "PCI: " fmt

#include <asm/io.h>
#include <asm/x86.h>
#include <drivers/pci.h>
#include <kernel/printk.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <mm/slab.h>

struct list_head pci_devices = LIST_HEAD_INIT(pci_devices);

static int pci_bus_match(struct device *dev, struct device_driver *drv)
{
	struct pci_driver *pdrv = container_of(drv, struct pci_driver, driver);
	struct pci_dev *p = to_pci_dev(dev);

	for (const struct pci_device_id *id = pdrv->id_table; id && id->vendor; id++)
		if (id->vendor == p->vendor && (id->device == PCI_ANY_ID || id->device == p->device))
			return 1;
	return 0;
}

struct bus_type pci_bus_type = { .name = "pci", .match = pci_bus_match,
				 BUS_TYPE_LISTS_INIT(pci_bus_type) };

static int pci_drv_probe(struct device *dev)
{
	struct pci_driver *pdrv = container_of(dev->driver, struct pci_driver, driver);
	struct pci_dev *p = to_pci_dev(dev);

	for (const struct pci_device_id *id = pdrv->id_table; id->vendor; id++)
		if (id->vendor == p->vendor && (id->device == PCI_ANY_ID || id->device == p->device))
			return pdrv->probe(p, id);
	return -ENODEV;
}

static void pci_drv_remove(struct device *dev)
{
	struct pci_driver *pdrv = container_of(dev->driver, struct pci_driver, driver);

	if (pdrv->remove)
		pdrv->remove(to_pci_dev(dev));
}

int pci_register_driver(struct pci_driver *drv)
{
	drv->driver.bus = &pci_bus_type;
	drv->driver.probe = pci_drv_probe;
	drv->driver.remove = pci_drv_remove;
	return driver_register(&drv->driver);
}

uint8_t pci_find_capability(const struct pci_dev *p, uint8_t id, uint8_t from)
{
	uint8_t pos;

	if (!(pci_read_config16(p, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = from ? pci_read_config8(p, from + 1) : pci_read_config8(p, PCI_CAPABILITY_LIST);
	/* 48 steps at most: a list that loops (bad hardware) ends anyway. */
	for (int steps = 0; steps < 48 && pos >= 0x40; steps++) {
		pos &= ~3;
		if (pci_read_config8(p, pos) == id)
			return pos;
		pos = pci_read_config8(p, pos + 1);
	}
	return 0;
}

void pci_set_master(struct pci_dev *p)
{
	uint16_t cmd = pci_read_config16(p, PCI_COMMAND);

	pci_write_config16(p, PCI_COMMAND, cmd | PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
			   PCI_COMMAND_MASTER);
}

void *pci_iomap_range(struct pci_dev *p, int bar, uint64_t off, uint64_t len)
{
	const struct pci_bar *b = &p->bar[bar];

	if (bar < 0 || bar >= PCI_NUM_BARS || b->io || !b->size || off > b->size ||
	    len > b->size - off)
		return NULL;
	return ioremap(b->start + off, (unsigned long)len);
}

/* Size BAR @i; returns how many registers it took (2 for a 64-bit memory BAR). */
static int size_bar(struct pci_dev *p, int i)
{
	unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * i;
	uint32_t lo = pci_read_config32(p, reg), mask, hi = 0, hmask = ~0u;
	struct pci_bar *b = &p->bar[i];
	uint64_t size;

	pci_write_config32(p, reg, ~0u);
	mask = pci_read_config32(p, reg);
	pci_write_config32(p, reg, lo);
	if (lo & PCI_BASE_ADDRESS_SPACE_IO) {
		b->io = true;
		b->start = lo & ~3u;
		mask &= ~3u;
		size = mask ? (uint16_t)(~mask + 1) : 0;	/* I/O decodes 16 bits */
	} else {
		b->mem64 = (lo & 6) == PCI_BASE_ADDRESS_MEM_TYPE_64;
		b->prefetch = lo & 8;
		if (b->mem64 && i + 1 < PCI_NUM_BARS) {
			hi = pci_read_config32(p, reg + 4);
			pci_write_config32(p, reg + 4, ~0u);
			hmask = pci_read_config32(p, reg + 4);
			pci_write_config32(p, reg + 4, hi);
		}
		b->start = ((uint64_t)hi << 32) | (lo & ~0xfu);
		uint64_t m = ((uint64_t)hmask << 32) | (mask & ~0xfu);

		if (!b->mem64)
			m |= 0xffffffff00000000ull;
		size = (mask & ~0xfu) ? ~m + 1 : 0;
	}
	b->size = size;
	return b->mem64 ? 2 : 1;
}

static void scan_bus(unsigned int bus, int depth);

static void add_function(unsigned int bus, unsigned int slot, unsigned int func, int depth)
{
	struct pci_dev *p = kzalloc(sizeof(*p), GFP_KERNEL);
	unsigned long irq;
	uint16_t cmd;
	int nbars;

	if (!p) {
		pr_err("%02x:%02x.%x: no memory for it: skipped\n", bus, slot, func);
		return;
	}
	p->bus = (uint8_t)bus, p->slot = (uint8_t)slot, p->func = (uint8_t)func;
	p->vendor = pci_read_config16(p, PCI_VENDOR_ID);
	p->device = pci_read_config16(p, PCI_DEVICE_ID);
	p->revision = pci_read_config8(p, PCI_REVISION_ID);
	p->class = pci_read_config32(p, PCI_REVISION_ID) >> 8;
	p->hdr_type = pci_read_config8(p, PCI_HEADER_TYPE) & 0x7f;
	p->irq_line = pci_read_config8(p, PCI_INTERRUPT_LINE);
	p->irq_pin = pci_read_config8(p, PCI_INTERRUPT_PIN);
	nbars = p->hdr_type == 0 ? 6 : p->hdr_type == 1 ? 2 : 0;
	if (p->hdr_type == 0) {
		p->subsystem_vendor = pci_read_config16(p, PCI_SUBSYSTEM_VENDOR_ID);
		p->subsystem_device = pci_read_config16(p, PCI_SUBSYSTEM_ID);
	}
	/*
	 * Decoding off while the BARs hold all ones: nothing may answer at junk addresses.
	 * Interrupts off too: meanwhile the device answers nothing at its real addresses
	 * either, and a console flush from an interrupt or another task (the framebuffer is
	 * VGA's BAR 0) would be lost.
	 */
	irq = local_irq_save();
	cmd = pci_read_config16(p, PCI_COMMAND);
	pci_write_config16(p, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (int i = 0; i < nbars; )
		i += size_bar(p, i);
	pci_write_config16(p, PCI_COMMAND, cmd);
	local_irq_restore(irq);
	p->msix_cap = pci_find_capability(p, PCI_CAP_ID_MSIX, 0);
	snprintf(p->name, sizeof(p->name), "0000:%02x:%02x.%x", bus, slot, func);
	p->dev.name = p->name;
	p->dev.bus = &pci_bus_type;
	list_add_tail(&p->node, &pci_devices);
	pr_info("%s [%04x:%04x] class 0x%06x%s\n", p->name, p->vendor, p->device, p->class,
		p->hdr_type == 1 ? " (PCI bridge)" : "");
	if (p->hdr_type == 1) {
		unsigned int sec = pci_read_config8(p, PCI_SECONDARY_BUS);

		/* A bridge whose secondary bus is not below it would send the walk round. */
		if (sec > bus && depth < 8)
			scan_bus(sec, depth + 1);
		else
			pr_warn("%s: bridge to bus %02x ignored\n", p->name, sec);
	}
}

static void scan_bus(unsigned int bus, int depth)
{
	for (unsigned int slot = 0; slot < 32; slot++) {
		unsigned int nfunc = 1;

		if ((uint16_t)pci_conf_read(bus, slot, 0, PCI_VENDOR_ID, 2) == 0xffff)
			continue;
		if (pci_conf_read(bus, slot, 0, PCI_HEADER_TYPE, 1) & PCI_HEADER_MULTI)
			nfunc = 8;
		for (unsigned int func = 0; func < nfunc; func++)
			if ((uint16_t)pci_conf_read(bus, slot, func, PCI_VENDOR_ID, 2) != 0xffff)
				add_function(bus, slot, func, depth);
	}
}

void pci_init(void)
{
	struct pci_dev *p;
	unsigned int n = 0;

	pci_access_init();
	scan_bus(0, 0);
	list_for_each_entry(p, &pci_devices, node) {
		device_register(&p->dev);
		n++;
	}
	pr_info("%u functions found\n", n);
}
