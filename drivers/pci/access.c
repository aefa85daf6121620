/*
 * Reading and writing PCI configuration space, two ways:
 *  - Mechanism #1: write the address (bit 31 enable, bus, slot, function, register with
 *    its low two bits clear) to port 0xcf8, then move the data through 0xcfc..0xcff. Two
 *    steps, so a spinlock keeps another CPU or an interrupt from changing the address
 *    between them. 256 bytes per function.
 *  - ECAM (Enhanced Configuration Access Mechanism): each function's 4 KiB is memory at
 *    base + (bus - bus_start) << 20 | slot << 15 | function << 12, where the ACPI MCFG
 *    table says. One access, no lock. Each bus's 1 MiB is mapped when first used, so a
 *    machine with one bus maps 1 MiB, not the whole 256 MiB window.
 * ECAM is used when the MCFG has a region for segment 0 that covers bus 0 (q35), the ports
 * otherwise (QEMU's i440fx pc, old PCs); `pci=conf1` on the command line forces the ports
 * (and `pci=nomsi`, read by drivers/pci/msi.c, turns MSI-X off).
 */
#define pr_fmt(fmt) "PCI: " fmt

#include <asm/io.h>
#include <asm/x86.h>
#include <drivers/acpi.h>
#include <drivers/pci.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <lib/errno.h>
#include <lib/string.h>

#define CONF1_ADDRESS	0xcf8
#define CONF1_DATA	0xcfc

static DEFINE_SPINLOCK(conf1_lock);
static const struct acpi_mcfg_region *ecam;	/* NULL: mechanism #1 */
static void *ecam_bus[256];			/* each bus's 1 MiB, mapped on first use */
static bool force_conf1;
bool pci_nomsi;

/* pci=conf1,nomsi: words separated by commas, as Linux's. */
static int set_pci(const char *val)
{
	char word[16];

	while (val && *val) {
		size_t n = 0;

		while (val[n] && val[n] != ',')
			n++;
		if (n >= sizeof(word))
			return -EINVAL;
		memcpy(word, val, n);
		word[n] = '\0';
		if (!strcmp(word, "conf1"))
			force_conf1 = true;
		else if (!strcmp(word, "nomsi"))
			pci_nomsi = true;
		else
			return -EINVAL;
		val += n + (val[n] == ',');
	}
	return val ? 0 : -EINVAL;
}
KERNEL_PARAM("pci", set_pci, "pci=conf1 (ports 0xcf8/0xcfc, not ECAM), pci=nomsi (no MSI-X: "
	     "drivers poll), or both: pci=conf1,nomsi");

static volatile uint8_t *ecam_addr(unsigned int bus, unsigned int slot, unsigned int func,
				   unsigned int off)
{
	if (bus < ecam->bus_start || bus > ecam->bus_end)
		return NULL;
	if (!ecam_bus[bus]) {
		ecam_bus[bus] = ioremap(ecam->base + ((uint64_t)(bus - ecam->bus_start) << 20),
					1u << 20);
		if (!ecam_bus[bus])
			return NULL;
	}
	return (volatile uint8_t *)ecam_bus[bus] + (slot << 15 | func << 12 | off);
}

uint32_t pci_conf_read(unsigned int bus, unsigned int slot, unsigned int func, unsigned int off,
		       unsigned int size)
{
	uint32_t v;

	if (ecam) {
		volatile uint8_t *a = ecam_addr(bus, slot, func, off);

		if (!a)
			return ~0u;
		/* The access must have the width asked for: devices see byte enables. */
		return size == 1 ? *a : size == 2 ? *(volatile uint16_t *)a : *(volatile uint32_t *)a;
	}
	if (off > 0xff)
		return ~0u;
	unsigned long flags = spin_lock_irqsave(&conf1_lock);

	outl(CONF1_ADDRESS, 0x80000000u | bus << 16 | slot << 11 | func << 8 | (off & 0xfc));
	if (size == 1)
		v = inb(CONF1_DATA + (off & 3));
	else if (size == 2)
		v = inw(CONF1_DATA + (off & 2));
	else
		v = inl(CONF1_DATA);
	spin_unlock_irqrestore(&conf1_lock, flags);
	return v;
}

void pci_conf_write(unsigned int bus, unsigned int slot, unsigned int func, unsigned int off,
		    unsigned int size, uint32_t v)
{
	if (ecam) {
		volatile uint8_t *a = ecam_addr(bus, slot, func, off);

		if (!a)
			return;
		if (size == 1)
			*a = (uint8_t)v;
		else if (size == 2)
			*(volatile uint16_t *)a = (uint16_t)v;
		else
			*(volatile uint32_t *)a = v;
		return;
	}
	if (off > 0xff)
		return;
	unsigned long flags = spin_lock_irqsave(&conf1_lock);

	outl(CONF1_ADDRESS, 0x80000000u | bus << 16 | slot << 11 | func << 8 | (off & 0xfc));
	if (size == 1)
		outb(CONF1_DATA + (off & 3), (uint8_t)v);
	else if (size == 2)
		outw(CONF1_DATA + (off & 2), (uint16_t)v);
	else
		outl(CONF1_DATA, v);
	spin_unlock_irqrestore(&conf1_lock, flags);
}

uint8_t pci_read_config8(const struct pci_dev *p, unsigned int off)
{
	return (uint8_t)pci_conf_read(p->bus, p->slot, p->func, off, 1);
}

uint16_t pci_read_config16(const struct pci_dev *p, unsigned int off)
{
	return (uint16_t)pci_conf_read(p->bus, p->slot, p->func, off, 2);
}

uint32_t pci_read_config32(const struct pci_dev *p, unsigned int off)
{
	return pci_conf_read(p->bus, p->slot, p->func, off, 4);
}

void pci_write_config16(const struct pci_dev *p, unsigned int off, uint16_t v)
{
	pci_conf_write(p->bus, p->slot, p->func, off, 2, v);
}

void pci_write_config32(const struct pci_dev *p, unsigned int off, uint32_t v)
{
	pci_conf_write(p->bus, p->slot, p->func, off, 4, v);
}

void pci_access_init(void)
{
	for (unsigned int i = 0; i < acpi.nr_mcfg && !force_conf1; i++) {
		if (acpi.mcfg[i].segment == 0 && acpi.mcfg[i].bus_start == 0) {
			ecam = &acpi.mcfg[i];
			break;
		}
	}
	if (ecam)
		pr_info("ECAM [mem 0x%llx-0x%llx] for buses %02x-%02x (ACPI MCFG)\n",
			(unsigned long long)ecam->base,
			(unsigned long long)(ecam->base + ((uint64_t)(ecam->bus_end + 1) << 20) - 1),
			ecam->bus_start, ecam->bus_end);
	else
		pr_info("configuration space through ports 0xcf8/0xcfc (mechanism #1)%s\n",
			force_conf1 ? ": pci=conf1" : "");
}
