/*
 * MSI-X: a device interrupts by writing a message into memory, no interrupt line at all.
 * The MSI-X capability points at a table in one of the device's BARs; each entry holds
 * the address to write (0xfee00000 | the destination local APIC's ID << 12: the local
 * APIC's window) and the data (the vector, delivered as a fixed, edge interrupt), plus a
 * mask bit. So an MSI-X vector needs no IOAPIC pin and no routing table (PCI INTx routing
 * is in the ACPI _PRT, which this kernel, having no AML interpreter, cannot read).
 * Each vector gets an IRQ number of its own from the top of the range (63 down, above the
 * IOAPICs' GSIs), behind the "PCI-MSI" chip: masking is the entry's mask bit, the end of
 * an interrupt is the local APIC's EOI. Without a local APIC in use (nolapic, the PIC mode)
 * there is nobody to send messages to: -ENODEV, and drivers poll instead.
 */
#define pr_fmt(fmt) "PCI: " fmt

#include <asm/apic.h>
#include <asm/io.h>
#include <asm/io_apic.h>
#include <drivers/pci.h>
#include <kernel/irq.h>
#include <lib/errno.h>
#include <mm/slab.h>

#define PCI_MSIX_FLAGS		2	/* in the capability: message control */
#define  PCI_MSIX_FLAGS_QSIZE	0x7ff	/* table size - 1 */
#define  PCI_MSIX_FLAGS_MASKALL	0x4000
#define  PCI_MSIX_FLAGS_ENABLE	0x8000
#define PCI_MSIX_TABLE		4	/* BAR indicator (bits 2:0) and offset */
#define MSIX_ENTRY_SIZE		16
#define  MSIX_ENTRY_ADDR_LO	0
#define  MSIX_ENTRY_ADDR_HI	4
#define  MSIX_ENTRY_DATA	8
#define  MSIX_ENTRY_CTRL	12	/* bit 0: masked */

struct pci_msix {
	volatile uint8_t *table;	/* ioremapped entries */
	unsigned int nvec;
	unsigned int irq[];
};

static volatile uint8_t *msi_entry[NR_IRQS];	/* each MSI IRQ's table entry */

static void msi_mask(unsigned int irq)
{
	writel(1, msi_entry[irq] + MSIX_ENTRY_CTRL);
}

static void msi_unmask(unsigned int irq)
{
	writel(0, msi_entry[irq] + MSIX_ENTRY_CTRL);
}

static void msi_eoi(unsigned int irq)
{
	(void)irq;
	apic_eoi();
}

static const struct irq_chip msi_chip = {
	.name = "PCI-MSI", .mask = msi_mask, .unmask = msi_unmask, .eoi = msi_eoi,
};

/* A free IRQ number above every GSI, from the top; 0 if none (IRQ 0 is never MSI). */
static unsigned int alloc_msi_irq(void)
{
	unsigned int low = ioapic_nr_gsis() > NR_IRQS_LEGACY ? ioapic_nr_gsis() : NR_IRQS_LEGACY;

	for (unsigned int irq = NR_IRQS - 1; irq >= low; irq--)
		if (!irq_desc[irq].chip && !msi_entry[irq])
			return irq;
	return 0;
}

int pci_enable_msix(struct pci_dev *p, unsigned int nvec, unsigned int *irq)
{
	uint16_t ctrl;
	uint32_t table;
	struct pci_msix *m;

	if (!p->msix_cap || pci_nomsi || apic_intr_mode == APIC_PIC || !nvec)
		return -ENODEV;
	ctrl = pci_read_config16(p, p->msix_cap + PCI_MSIX_FLAGS);
	if (nvec > (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1u)
		return -EINVAL;
	m = kzalloc(sizeof(*m) + nvec * sizeof(m->irq[0]), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	table = pci_read_config32(p, p->msix_cap + PCI_MSIX_TABLE);
	m->table = pci_iomap_range(p, table & 7, table & ~7u, nvec * MSIX_ENTRY_SIZE);
	if (!m->table) {
		kfree(m);
		return -ENOMEM;
	}
	/* Enabled with every vector masked by the function mask while the entries are set. */
	pci_write_config16(p, p->msix_cap + PCI_MSIX_FLAGS,
			   ctrl | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	for (unsigned int i = 0; i < nvec; i++) {
		volatile uint8_t *e = m->table + i * MSIX_ENTRY_SIZE;
		unsigned int n = alloc_msi_irq();

		if (!n) {
			m->nvec = i;
			p->msix = m;
			pci_free_msix(p);
			return -ENOSPC;
		}
		writel(1, e + MSIX_ENTRY_CTRL);
		writel(0xfee00000u | (read_apic_id() & 0xff) << 12, e + MSIX_ENTRY_ADDR_LO);
		writel(0, e + MSIX_ENTRY_ADDR_HI);
		writel(irq_to_vector(n), e + MSIX_ENTRY_DATA);
		msi_entry[n] = e;
		irq_set_chip(n, &msi_chip, i, false);	/* masked until request_irq unmasks it */
		m->irq[i] = irq[i] = n;
		m->nvec = i + 1;
	}
	p->msix = m;
	pci_write_config16(p, p->msix_cap + PCI_MSIX_FLAGS, (ctrl & ~PCI_MSIX_FLAGS_MASKALL) |
			   PCI_MSIX_FLAGS_ENABLE);
	/* Messages, not the INTx line: keep the line quiet. */
	pci_write_config16(p, PCI_COMMAND, pci_read_config16(p, PCI_COMMAND) |
			   PCI_COMMAND_INTX_DISABLE);
	return 0;
}

void pci_free_msix(struct pci_dev *p)
{
	struct pci_msix *m = p->msix;

	if (!m)
		return;
	for (unsigned int i = 0; i < m->nvec; i++) {
		free_irq(m->irq[i]);
		irq_set_chip(m->irq[i], NULL, 0, false);
		writel(1, m->table + i * MSIX_ENTRY_SIZE + MSIX_ENTRY_CTRL);
		msi_entry[m->irq[i]] = NULL;
	}
	pci_write_config16(p, p->msix_cap + PCI_MSIX_FLAGS,
			   pci_read_config16(p, p->msix_cap + PCI_MSIX_FLAGS) &
			   ~PCI_MSIX_FLAGS_ENABLE);
	iounmap(m->table);
	kfree(m);
	p->msix = NULL;
}
