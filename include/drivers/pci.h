/*
 * PCI: the bus nearly every device of a PC sits on. Each function has 256 bytes of
 * configuration space (4096 with PCI Express) holding who it is (vendor, device, class),
 * where its registers are (the BARs), which interrupt it raises and a list of optional
 * capabilities (MSI-X, the virtio structures ...). The kernel reads it in one of two ways:
 * I/O ports 0xcf8/0xcfc ("configuration mechanism #1", every PC) or ECAM, a memory window
 * the ACPI MCFG table describes (PCI Express chipsets such as QEMU's q35).
 *
 *   drivers/pci/access.c   pci_read_config_*: the port mechanism and ECAM
 *   drivers/pci/probe.c    enumeration: buses, functions, BARs, capabilities; the pci bus
 *   drivers/pci/msi.c      MSI-X: a device's interrupts as messages to the local APIC
 *   drivers/pci/lspci.c    the shell's lspci, in pciutils' format
 * docs/block.md walks through it.
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <drivers/device.h>
#include <kernel/compiler.h>

/* Configuration space registers (type 0 and type 1 headers) used here. */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define  PCI_COMMAND_IO		0x1	/* decode its I/O BARs */
#define  PCI_COMMAND_MEMORY	0x2	/* decode its memory BARs */
#define  PCI_COMMAND_MASTER	0x4	/* may start DMA */
#define  PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS		0x06
#define  PCI_STATUS_CAP_LIST	0x10
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09	/* 24 bits from here: prog-if, subclass, class */
#define PCI_HEADER_TYPE		0x0e
#define  PCI_HEADER_MULTI	0x80	/* functions 1..7 may exist */
#define PCI_BASE_ADDRESS_0	0x10
#define  PCI_BASE_ADDRESS_SPACE_IO	0x1
#define  PCI_BASE_ADDRESS_MEM_TYPE_64	0x4
#define PCI_PRIMARY_BUS		0x18	/* type 1 (bridges) */
#define PCI_SECONDARY_BUS	0x19
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d

#define PCI_CAP_ID_MSIX		0x11
#define PCI_CAP_ID_VNDR		0x09	/* vendor specific: virtio's structures */

#define PCI_ANY_ID		0xffff
#define PCI_NUM_BARS		6

struct pci_bar {
	uint64_t start;		/* bus address (= physical on a PC) */
	uint64_t size;		/* 0: not implemented */
	bool io;		/* an I/O port range, else memory */
	bool mem64, prefetch;
};

struct pci_dev {
	struct device dev;		/* on pci_bus_type, named "0000:BB:DD.F" as Linux */
	char name[16];
	uint8_t bus, slot, func;
	uint16_t vendor, device, subsystem_vendor, subsystem_device;
	uint32_t class;			/* class << 16 | subclass << 8 | prog-if */
	uint8_t revision, hdr_type;	/* hdr_type without the multi-function bit */
	uint8_t irq_line, irq_pin;	/* what the firmware wrote (line) and INTA..D (pin 1..4) */
	struct pci_bar bar[PCI_NUM_BARS];
	uint8_t msix_cap;		/* offset of the MSI-X capability, 0: none */
	struct pci_msix *msix;		/* while MSI-X is on (drivers/pci/msi.c) */
	struct list_head node;		/* on pci_devices, in bus order */
};

static inline struct pci_dev *to_pci_dev(struct device *d)
{
	return container_of(d, struct pci_dev, dev);
}

struct pci_device_id {
	uint16_t vendor, device;	/* PCI_ANY_ID matches any */
};

struct pci_driver {
	struct device_driver driver;	/* .bus is set by pci_register_driver */
	const struct pci_device_id *id_table;	/* ends with vendor 0 */
	int (*probe)(struct pci_dev *pdev, const struct pci_device_id *id);
	void (*remove)(struct pci_dev *pdev);
};

extern struct bus_type pci_bus_type;
extern struct list_head pci_devices;

/* Configuration space (drivers/pci/access.c). Reads of absent functions give all ones. */
uint8_t pci_read_config8(const struct pci_dev *p, unsigned int off);
uint16_t pci_read_config16(const struct pci_dev *p, unsigned int off);
uint32_t pci_read_config32(const struct pci_dev *p, unsigned int off);
void pci_write_config16(const struct pci_dev *p, unsigned int off, uint16_t v);
void pci_write_config32(const struct pci_dev *p, unsigned int off, uint32_t v);
uint32_t pci_conf_read(unsigned int bus, unsigned int slot, unsigned int func, unsigned int off,
		       unsigned int size);
void pci_conf_write(unsigned int bus, unsigned int slot, unsigned int func, unsigned int off,
		    unsigned int size, uint32_t v);
void pci_access_init(void);	/* ECAM if the MCFG has a region for segment 0, else ports */

/* Enumeration (drivers/pci/probe.c): every function found, then the drivers registered. */
void pci_init(void);
int pci_register_driver(struct pci_driver *drv);
/* The first capability @id from the list, or 0; @from: continue after that offset. */
uint8_t pci_find_capability(const struct pci_dev *p, uint8_t id, uint8_t from);
void pci_set_master(struct pci_dev *p);	/* memory and I/O decoding on, bus mastering on */
void *pci_iomap_range(struct pci_dev *p, int bar, uint64_t off, uint64_t len);

/*
 * MSI-X (drivers/pci/msi.c): @nvec vectors, each an IRQ number of its own (irq[i]) that
 * request_irq takes; 0, or -ENODEV (no capability, or no local APIC to send to),
 * -ENOSPC (no free IRQ numbers), -ENOMEM. pci_free_msix undoes it.
 */
int pci_enable_msix(struct pci_dev *p, unsigned int nvec, unsigned int *irq);
void pci_free_msix(struct pci_dev *p);
extern bool pci_nomsi;		/* pci=nomsi */

#endif
