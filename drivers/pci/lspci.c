/*
 * The shell's lspci, in pciutils' formats: `lspci` (names), `lspci -n` (numbers),
 * `lspci -nn` (both), `-v` adds the subsystem, flags, BARs, capabilities and the bound
 * driver. pciutils reads its names from the pci.ids database; here a small table holds the
 * classes (all the subclasses the PCI Code and ID Assignment specification has for the
 * common classes) and the vendors and devices QEMU's machines have. A name not in it
 * prints as pciutils prints an unknown one: "Device 1234:1111", "Class ee99".
 */
#include <drivers/pci.h>
#include <kernel/console.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <lib/getopt.h>
#include <lib/printf.h>
#include <lib/string.h>

struct id_name {
	uint16_t id;
	const char *name;
};

static const struct id_name classes[] = {	/* class << 8 | subclass */
	{ 0x0000, "Non-VGA unclassified device" }, { 0x0001, "VGA compatible unclassified device" },
	{ 0x0100, "SCSI storage controller" }, { 0x0101, "IDE interface" },
	{ 0x0102, "Floppy disk controller" }, { 0x0104, "RAID bus controller" },
	{ 0x0105, "ATA controller" }, { 0x0106, "SATA controller" },
	{ 0x0107, "Serial Attached SCSI controller" },
	{ 0x0108, "Non-Volatile memory controller" }, { 0x0180, "Mass storage controller" },
	{ 0x0200, "Ethernet controller" }, { 0x0280, "Network controller" },
	{ 0x0300, "VGA compatible controller" }, { 0x0301, "XGA compatible controller" },
	{ 0x0302, "3D controller" }, { 0x0380, "Display controller" },
	{ 0x0400, "Multimedia video controller" }, { 0x0401, "Multimedia audio controller" },
	{ 0x0403, "Audio device" }, { 0x0480, "Multimedia controller" },
	{ 0x0500, "RAM memory" }, { 0x0580, "Memory controller" },
	{ 0x0600, "Host bridge" }, { 0x0601, "ISA bridge" }, { 0x0604, "PCI bridge" },
	{ 0x0607, "CardBus bridge" }, { 0x0680, "Bridge" },
	{ 0x0700, "Serial controller" }, { 0x0701, "Parallel controller" },
	{ 0x0780, "Communication controller" },
	{ 0x0800, "PIC" }, { 0x0801, "DMA controller" }, { 0x0802, "Timer" }, { 0x0803, "RTC" },
	{ 0x0805, "SD Host controller" }, { 0x0806, "IOMMU" }, { 0x0880, "System peripheral" },
	{ 0x0900, "Keyboard controller" }, { 0x0902, "Mouse controller" },
	{ 0x0980, "Input device controller" },
	{ 0x0c03, "USB controller" }, { 0x0c05, "SMBus" }, { 0x0c80, "Serial bus controller" },
};

static const struct id_name class_only[] = {	/* when the subclass is not above */
	{ 0x00, "Unclassified device" }, { 0x01, "Mass storage controller" },
	{ 0x02, "Network controller" }, { 0x03, "Display controller" },
	{ 0x04, "Multimedia controller" }, { 0x05, "Memory controller" }, { 0x06, "Bridge" },
	{ 0x07, "Communication controller" }, { 0x08, "Generic system peripheral" },
	{ 0x09, "Input device controller" }, { 0x0c, "Serial bus controller" },
	{ 0x0d, "Wireless controller" }, { 0x12, "Processing accelerators" },
};

static const struct id_name vendors[] = {
	{ 0x8086, "Intel Corporation" }, { 0x1af4, "Red Hat, Inc." }, { 0x1b36, "Red Hat, Inc." },
};

struct dev_name {
	uint16_t vendor, device;
	const char *name;
};

static const struct dev_name devices[] = {
	{ 0x8086, 0x1237, "440FX - 82441FX PMC [Natoma]" },
	{ 0x8086, 0x7000, "82371SB PIIX3 ISA [Natoma/Triton II]" },
	{ 0x8086, 0x7010, "82371SB PIIX3 IDE [Natoma/Triton II]" },
	{ 0x8086, 0x7020, "82371SB PIIX3 USB [Natoma/Triton II]" },
	{ 0x8086, 0x7113, "82371AB/EB/MB PIIX4 ACPI" },
	{ 0x8086, 0x100e, "82540EM Gigabit Ethernet Controller" },
	{ 0x8086, 0x10d3, "82574L Gigabit Network Connection" },
	{ 0x8086, 0x29c0, "82G33/G31/P35/P31 Express DRAM Controller" },
	{ 0x8086, 0x2918, "82801IB (ICH9) LPC Interface Controller" },
	{ 0x8086, 0x2922, "82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode]" },
	{ 0x8086, 0x2930, "82801I (ICH9 Family) SMBus Controller" },
	{ 0x1af4, 0x1000, "Virtio network device" }, { 0x1af4, 0x1001, "Virtio block device" },
	{ 0x1af4, 0x1002, "Virtio memory balloon" }, { 0x1af4, 0x1003, "Virtio console" },
	{ 0x1af4, 0x1004, "Virtio SCSI" }, { 0x1af4, 0x1005, "Virtio RNG" },
	{ 0x1af4, 0x1041, "Virtio 1.0 network device" },
	{ 0x1af4, 0x1042, "Virtio 1.0 block device" }, { 0x1af4, 0x1050, "Virtio 1.0 GPU" },
	{ 0x1b36, 0x0001, "QEMU PCI-PCI bridge" }, { 0x1b36, 0x0008, "QEMU PCIe Host bridge" },
	{ 0x1b36, 0x000d, "QEMU XHCI Host Controller" },
};

static const struct id_name capabilities[] = {
	{ 0x01, "Power Management" }, { 0x05, "MSI" }, { 0x09, "Vendor Specific Information" },
	{ 0x10, "Express" }, { 0x11, "MSI-X" },
};

static const char *lookup(const struct id_name *t, size_t n, uint16_t id)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].id == id)
			return t[i].name;
	return NULL;
}

/* lspci's class name: the subclass's, else the class's, else NULL. */
static const char *pci_class_name(uint32_t class)
{
	const char *s = lookup(classes, ARRAY_SIZE(classes), (uint16_t)(class >> 8));

	return s ? s : lookup(class_only, ARRAY_SIZE(class_only), (uint16_t)(class >> 16));
}

static const char *device_name(uint16_t vendor, uint16_t device)
{
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
		if (devices[i].vendor == vendor && devices[i].device == device)
			return devices[i].name;
	return NULL;
}

/* "Red Hat, Inc. Virtio block device", "Red Hat, Inc. Device 10ff", "Device 1234:1111". */
static void print_name(uint16_t vendor, uint16_t device, bool nn)
{
	const char *v = lookup(vendors, ARRAY_SIZE(vendors), vendor);
	const char *d = device_name(vendor, device);

	if (v && d)
		console_printf("%s %s", v, d);
	else if (v)
		console_printf("%s Device %04x", v, device);
	else if (nn)
		console_printf("Device");
	else
		console_printf("Device %04x:%04x", vendor, device);
	if (nn)
		console_printf(" [%04x:%04x]", vendor, device);
}

static void print_size(uint64_t size)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (size >= 1024 && !(size & 1023) && u < 3) {
		size >>= 10;
		u++;
	}
	if (u < 0)
		console_printf("[size=%llu]", (unsigned long long)size);
	else
		console_printf("[size=%llu%c]", (unsigned long long)size, units[u]);
}

static void print_verbose(struct pci_dev *p)
{
	uint16_t cmd = pci_read_config16(p, PCI_COMMAND);

	if (p->hdr_type == 0 && p->subsystem_vendor) {
		console_printf("\tSubsystem: ");
		print_name(p->subsystem_vendor, p->subsystem_device, false);
		console_printf("\n");
	}
	/* The line the firmware routed the INTx pin to, as lspci shows it (unused here). */
	if ((cmd & PCI_COMMAND_MASTER) || p->irq_pin) {
		console_printf("\tFlags: %s%s", cmd & PCI_COMMAND_MASTER ? "bus master" : "",
			       (cmd & PCI_COMMAND_MASTER) && p->irq_pin ? ", " : "");
		if (p->irq_pin)
			console_printf("IRQ %u", p->irq_line);
		console_printf("\n");
	}
	for (int i = 0; i < PCI_NUM_BARS; i++) {
		const struct pci_bar *b = &p->bar[i];

		if (!b->size)
			continue;
		if (b->io)
			console_printf("\tI/O ports at %04llx ", (unsigned long long)b->start);
		else
			console_printf("\tMemory at %llx (%s, %sprefetchable) ",
				       (unsigned long long)b->start, b->mem64 ? "64-bit" : "32-bit",
				       b->prefetch ? "" : "non-");
		print_size(b->size);
		console_printf("\n");
	}
	/* Every capability in list order (pci_find_capability looks for one ID). */
	uint8_t c = (pci_read_config16(p, PCI_STATUS) & PCI_STATUS_CAP_LIST) ?
		    pci_read_config8(p, PCI_CAPABILITY_LIST) : 0;

	for (int steps = 0; steps < 48 && c >= 0x40; steps++, c = pci_read_config8(p, c + 1)) {
		uint8_t id;
		const char *s;

		c &= ~3;
		id = pci_read_config8(p, c);
		s = lookup(capabilities, ARRAY_SIZE(capabilities), id);
		console_printf("\tCapabilities: [%02x] ", c);
		if (id == PCI_CAP_ID_MSIX) {
			uint16_t f = pci_read_config16(p, c + 2);

			console_printf("MSI-X: Enable%c Count=%u Masked%c\n", f & 0x8000 ? '+' : '-',
				       (f & 0x7ff) + 1, f & 0x4000 ? '+' : '-');
		} else if (s) {
			console_printf("%s\n", s);
		} else {
			console_printf("Capability ID 0x%02x\n", id);
		}
	}
	if (p->dev.driver)
		console_printf("\tKernel driver in use: %s\n", p->dev.driver->name);
	console_printf("\n");
}

static int cmd_lspci(int argc, char **argv)
{
	int n = 0, opt;
	bool verbose = false;
	struct getopt g = GETOPT_INIT;
	struct pci_dev *p;

	while ((opt = getopt_next(&g, argc, argv, "nv", NULL)) != -1) {
		if (opt == 'n')
			n++;
		else if (opt == 'v')
			verbose = true;
		else
			return -EINVAL;
	}
	list_for_each_entry(p, &pci_devices, node) {
		const char *cls = pci_class_name(p->class);
		uint16_t cc = (uint16_t)(p->class >> 8);

		console_printf("%02x:%02x.%x ", p->bus, p->slot, p->func);
		if (n == 1) {
			console_printf("%04x: %04x:%04x", cc, p->vendor, p->device);
		} else {
			if (cls)
				console_printf("%s", cls);
			else
				console_printf("Class %04x", cc);
			if (n >= 2 && cls)
				console_printf(" [%04x]", cc);
			console_printf(": ");
			print_name(p->vendor, p->device, n >= 2);
		}
		if (p->revision)
			console_printf(" (rev %02x)", p->revision);
		console_printf("\n");
		if (verbose)
			print_verbose(p);
	}
	return 0;
}
SHELL_COMMAND(lspci, cmd_lspci, "lspci [-n|-nn] [-v]",
	      "PCI functions: class, vendor and device (as pciutils' lspci)");
