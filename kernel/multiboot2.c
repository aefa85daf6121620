/*
 * The multiboot2 boot information parser. The boot loader leaves a structure in memory
 * that describes the machine: a u32 total_size, a u32 reserved word, then tags (u32 type,
 * u32 size, payload), each on an 8-byte boundary, the last one of type 0 and size 8.
 * multiboot2_parse() walks it once and fills struct boot_info, so that nothing else in the
 * kernel reads raw tags.
 *
 * How: a table indexed by tag type gives every tag we use a minimum size and a parser. The
 * walk checks each tag header before believing it, each parser checks its own payload. A
 * malformed tag is reported (pr_warn, counted in nr_warnings) and skipped; the walk stops
 * only when a tag's size can no longer be believed, since the next tag is found through it.
 *
 * Limits: BOOT_MAX_MEM_REGIONS memory regions and BOOT_MAX_MODULES modules are kept. The
 * VBE, ELF sections, APM, SMBIOS, network and EFI handle tags are not used, and unknown tag
 * types are ignored without a word, as the specification allows.
 *
 * Invariant: nothing outside [info, info + min(avail, total_size)) is ever read, and every
 * pointer stored in boot_info points at a string or array lying wholly inside its tag
 * (except a missing cmdline, which is a static "").
 * The file touches no hardware, so tests/host builds it unchanged and fuzzes it.
 * docs/boot.md explains the boot protocol.
 */
#define pr_fmt(fmt) "multiboot2: " fmt

#include <kernel/bootinfo.h>
#include <kernel/compiler.h>
#include <kernel/printk.h>
#include <lib/errno.h>

struct boot_info boot_info;

enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEMINFO = 4,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
	MB2_TAG_EFI_MMAP = 17,
};

/*
 * The layouts, from the multiboot2 specification. Packed, so that reading a field never
 * assumes more alignment than the specification promises.
 */
struct mb2_tag {
	uint32_t type, size;	/* size in bytes, header included, padding to 8 excluded */
} __packed;

struct mb2_tag_module {
	struct mb2_tag hdr;
	uint32_t mod_start, mod_end;	/* physical, [start, end) */
	char cmdline[];
} __packed;

struct mb2_tag_basic_meminfo {
	struct mb2_tag hdr;
	uint32_t mem_lower;	/* KiB from 0 */
	uint32_t mem_upper;	/* KiB from 1 MiB */
} __packed;

struct mb2_tag_mmap {
	struct mb2_tag hdr;
	uint32_t entry_size, entry_version;
} __packed;

struct mb2_mmap_entry {
	uint64_t base, length;	/* bytes */
	uint32_t type, reserved;
} __packed;

struct mb2_tag_framebuffer {
	struct mb2_tag hdr;
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp, fb_type;
	uint16_t reserved;
	/* Present only for fb_type 1 (RGB); indexed colour puts a palette here instead. */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
} __packed;

struct mb2_tag_efi_mmap {
	struct mb2_tag hdr;
	uint32_t desc_size, desc_version;
} __packed;

/* The ACPI Root System Description Pointer: 20 bytes in revision 0, 36 from revision 2. */
struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;	/* makes the first 20 bytes sum to 0 */
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t ext_checksum;	/* makes all `length` bytes sum to 0 (length is 36 today) */
	uint8_t reserved[3];
} __packed;

#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36

_Static_assert(sizeof(struct mb2_tag_framebuffer) == 38, "framebuffer tag layout");
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "mmap entry layout");
_Static_assert(sizeof(struct efi_memory_desc) == 40, "EFI descriptor layout");
_Static_assert(sizeof(struct acpi_rsdp) == RSDP_V2_LEN, "RSDP layout");

/* What one walk remembers besides what it writes into boot_info. */
struct mb2_parser {
	struct boot_info *bi;
	uint32_t accepted;	/* bit n: a tag of type n was taken (types < 32) */
	const struct mb2_tag_basic_meminfo *basic;	/* used only if no mmap gave regions */
};

/* Every reported problem is counted, so a caller (or a test) can tell a clean boot. */
#define mb2_warn(bi, fmt, ...)                                                                     \
	do {                                                                                       \
		(bi)->nr_warnings++;                                                               \
		pr_warn(fmt, ##__VA_ARGS__);                                                       \
	} while (0)

#define tag_warn(p, tag, fmt, ...)                                                                 \
	mb2_warn((p)->bi, "tag %u (%s): " fmt "\n", (unsigned int)(tag)->type,                     \
		 tag_name((tag)->type), ##__VA_ARGS__)

/* Tag types 0..21 of the specification, named for messages. */
static const char *const tag_names[] = {
	"end", "cmdline", "boot loader name", "module", "basic meminfo", "bootdev", "mmap", "VBE",
	"framebuffer", "ELF sections", "APM", "EFI32", "EFI64", "SMBIOS", "ACPI old", "ACPI new",
	"network", "EFI mmap", "EFI BS", "EFI32 IH", "EFI64 IH", "load base addr",
};

static const char *tag_name(uint32_t type)
{
	return type < ARRAY_SIZE(tag_names) ? tag_names[type] : "unknown";
}

static const uint8_t *tag_bytes(const struct mb2_tag *tag)
{
	return (const uint8_t *)tag;
}

/* The NUL-terminated string at @off in @tag, or NULL when the tag ends before its NUL. */
static const char *tag_string(const struct mb2_tag *tag, uint32_t off)
{
	const char *s = (const char *)tag_bytes(tag) + off;
	uint32_t i;

	for (i = 0; off + i < tag->size; i++) {
		if (s[i] == '\0')
			return s;
	}
	return NULL;
}

static bool take_string(struct mb2_parser *p, const struct mb2_tag *tag, const char **out)
{
	const char *s = tag_string(tag, sizeof(*tag));

	if (!s) {
		tag_warn(p, tag, "string is not NUL-terminated inside the tag, skipped");
		return false;
	}
	*out = s;
	return true;
}

static bool parse_cmdline(struct mb2_parser *p, const struct mb2_tag *tag)
{
	return take_string(p, tag, &p->bi->cmdline);
}

static bool parse_loader_name(struct mb2_parser *p, const struct mb2_tag *tag)
{
	return take_string(p, tag, &p->bi->loader_name);
}

static bool parse_module(struct mb2_parser *p, const struct mb2_tag *tag)
{
	const struct mb2_tag_module *mod = (const void *)tag;
	struct boot_info *bi = p->bi;
	const char *cmdline = tag_string(tag, sizeof(*mod));

	if (mod->mod_end < mod->mod_start) {
		tag_warn(p, tag, "mod_end 0x%x is below mod_start 0x%x, skipped", mod->mod_end,
			 mod->mod_start);
		return false;
	}
	if (!cmdline) {
		tag_warn(p, tag, "string is not NUL-terminated inside the tag, skipped");
		return false;
	}
	if (bi->nr_modules == BOOT_MAX_MODULES) {
		tag_warn(p, tag, "more than %u modules, [0x%x-0x%x) dropped", BOOT_MAX_MODULES,
			 mod->mod_start, mod->mod_end);
		return false;
	}
	bi->modules[bi->nr_modules++] = (struct boot_module){
		.start = mod->mod_start,
		.end = mod->mod_end,
		.cmdline = cmdline,
	};
	return true;
}

static bool parse_basic_meminfo(struct mb2_parser *p, const struct mb2_tag *tag)
{
	/* Only remembered: GRUB gives it before the mmap tag, which wins when present. */
	p->basic = (const void *)tag;
	return true;
}

/* Adds one mmap entry; returns false once the table is full and the rest must be dropped. */
static bool add_mmap_entry(struct mb2_parser *p, const struct mb2_tag *tag, unsigned int i,
			   const struct mb2_mmap_entry *e)
{
	struct boot_info *bi = p->bi;
	uint64_t base = e->base, length = e->length;

	if (length == 0) {
		pr_debug("mmap entry %u at 0x%llx has length 0, skipped\n", i,
			 (unsigned long long)base);
		return true;
	}
	/* [base, base + length) must be representable, or every later sum could wrap. */
	if (length > UINT64_MAX - base) {
		tag_warn(p, tag, "entry %u [0x%llx, +0x%llx) wraps around 2^64, entry skipped", i,
			 (unsigned long long)base, (unsigned long long)length);
		return true;
	}
	if (bi->nr_mem == BOOT_MAX_MEM_REGIONS) {
		bi->mem_truncated = true;
		tag_warn(p, tag, "more than %u regions, keeping the first %u", BOOT_MAX_MEM_REGIONS,
			 BOOT_MAX_MEM_REGIONS);
		return false;
	}
	bi->mem[bi->nr_mem++] = (struct mem_region){ base, length, e->type };
	return true;
}

static bool parse_mmap(struct mb2_parser *p, const struct mb2_tag *tag)
{
	const struct mb2_tag_mmap *mm = (const void *)tag;
	uint32_t esize = mm->entry_size, bytes = tag->size - sizeof(*mm), nr, i;

	/* A multiple of 8 keeps every entry as aligned as the tag; 24 is the smallest entry. */
	if (esize < sizeof(struct mb2_mmap_entry) || esize % 8) {
		tag_warn(p, tag, "entry_size %u is not a multiple of 8 of at least %u, skipped",
			 esize, (unsigned int)sizeof(struct mb2_mmap_entry));
		return false;
	}
	if (mm->entry_version != 0) {
		tag_warn(p, tag, "entry_version %u is not 0, skipped", mm->entry_version);
		return false;
	}
	nr = bytes / esize;
	if (bytes % esize)
		pr_debug("mmap: %u trailing bytes after %u entries ignored\n", bytes % esize, nr);

	for (i = 0; i < nr; i++) {
		const void *e = tag_bytes(tag) + sizeof(*mm) + (size_t)i * esize;

		if (!add_mmap_entry(p, tag, i, e))
			break;
	}
	return true;
}

/* A colour channel must fit inside the pixel, or drawing would shift past the word. */
static bool color_field_ok(uint8_t pos, uint8_t size, uint8_t bpp)
{
	return size > 0 && pos + size <= bpp;
}

static bool parse_framebuffer(struct mb2_parser *p, const struct mb2_tag *tag)
{
	const struct mb2_tag_framebuffer *t = (const void *)tag;
	struct boot_framebuffer fb = {
		.addr = t->addr, .pitch = t->pitch, .width = t->width, .height = t->height,
		.bpp = t->bpp, .type = t->fb_type,
	};

	if (fb.type > 2) {
		tag_warn(p, tag, "unknown framebuffer type %u, skipped", fb.type);
		return false;
	}
	if (!fb.width || !fb.height || !fb.bpp) {
		tag_warn(p, tag, "empty mode %ux%ux%u, skipped", fb.width, fb.height, fb.bpp);
		return false;
	}
	if ((uint64_t)fb.pitch * 8 < (uint64_t)fb.width * fb.bpp) {
		tag_warn(p, tag, "pitch %u is too small for %u pixels of %u bits, skipped",
			 fb.pitch, fb.width, fb.bpp);
		return false;
	}
	if ((uint64_t)fb.pitch * fb.height > UINT64_MAX - fb.addr) {
		tag_warn(p, tag, "framebuffer at 0x%llx wraps around 2^64, skipped",
			 (unsigned long long)fb.addr);
		return false;
	}
	if (fb.type == 1) {
		if (tag->size < sizeof(*t)) {
			tag_warn(p, tag, "size %u too small for RGB colour info, skipped",
				 tag->size);
			return false;
		}
		if (fb.bpp > 32 || !color_field_ok(t->red_pos, t->red_size, fb.bpp) ||
		    !color_field_ok(t->green_pos, t->green_size, fb.bpp) ||
		    !color_field_ok(t->blue_pos, t->blue_size, fb.bpp)) {
			tag_warn(p, tag, "colour fields do not fit a %u-bit pixel, skipped",
				 fb.bpp);
			return false;
		}
		fb.red_pos = t->red_pos;
		fb.red_size = t->red_size;
		fb.green_pos = t->green_pos;
		fb.green_size = t->green_size;
		fb.blue_pos = t->blue_pos;
		fb.blue_size = t->blue_size;
	}
	p->bi->fb = fb;
	p->bi->has_framebuffer = true;
	return true;
}

static uint8_t byte_sum(const void *data, uint32_t len)
{
	const uint8_t *b = data;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

/* The checks both RSDP tags share: the signature and the revision 0 checksum. */
static bool rsdp_v1_ok(struct mb2_parser *p, const struct mb2_tag *tag, const struct acpi_rsdp *r)
{
	static const char sig[] = "RSD PTR ";
	unsigned int i;

	for (i = 0; i < sizeof(sig) - 1; i++) {
		if (r->signature[i] != sig[i]) {
			tag_warn(p, tag, "RSDP signature is not \"RSD PTR \", skipped");
			return false;
		}
	}
	if (byte_sum(r, RSDP_V1_LEN) != 0) {
		tag_warn(p, tag, "RSDP checksum of the first %u bytes is wrong, skipped",
			 RSDP_V1_LEN);
		return false;
	}
	return true;
}

static const struct acpi_rsdp *tag_rsdp(const struct mb2_tag *tag)
{
	return (const void *)(tag_bytes(tag) + sizeof(*tag));
}

static bool parse_acpi_old(struct mb2_parser *p, const struct mb2_tag *tag)
{
	const struct acpi_rsdp *r = tag_rsdp(tag);
	struct boot_info *bi = p->bi;

	if (!rsdp_v1_ok(p, tag, r))
		return false;
	if (bi->rsdp_len == RSDP_V2_LEN)
		return true;	/* a valid new RSDP came first and is preferred */
	__builtin_memcpy(bi->rsdp, r, RSDP_V1_LEN);
	bi->rsdp_len = RSDP_V1_LEN;
	bi->has_rsdp = true;
	return true;
}

static bool parse_acpi_new(struct mb2_parser *p, const struct mb2_tag *tag)
{
	const struct acpi_rsdp *r = tag_rsdp(tag);
	struct boot_info *bi = p->bi;

	if (!rsdp_v1_ok(p, tag, r))
		return false;
	if (r->revision < 2) {
		tag_warn(p, tag, "RSDP revision %u has no extended fields, skipped", r->revision);
		return false;
	}
	if (r->length < RSDP_V2_LEN) {
		tag_warn(p, tag, "RSDP length %u is below %u, skipped", r->length, RSDP_V2_LEN);
		return false;
	}
	/* The sum covers `length` bytes, but never more than the tag holds. */
	if (byte_sum(r, MIN(r->length, tag->size - (uint32_t)sizeof(*tag))) != 0) {
		tag_warn(p, tag, "RSDP extended checksum is wrong, skipped");
		return false;
	}
	__builtin_memcpy(bi->rsdp, r, RSDP_V2_LEN);
	bi->rsdp_len = RSDP_V2_LEN;
	bi->has_rsdp = true;
	return true;
}

static bool parse_efi_mmap(struct mb2_parser *p, const struct mb2_tag *tag)
{
	const struct mb2_tag_efi_mmap *t = (const void *)tag;
	struct boot_info *bi = p->bi;

	/* Firmware may make descriptors longer than the spec's 40 bytes, never shorter. */
	if (t->desc_size < sizeof(struct efi_memory_desc)) {
		tag_warn(p, tag, "descriptor_size %u is below %u, skipped", t->desc_size,
			 (unsigned int)sizeof(struct efi_memory_desc));
		return false;
	}
	bi->efi_mmap = tag_bytes(tag) + sizeof(*t);
	bi->efi_desc_size = t->desc_size;
	bi->efi_desc_version = t->desc_version;
	bi->efi_nr_desc = (tag->size - sizeof(*t)) / t->desc_size;
	return true;
}

struct tag_parser {
	uint32_t min_size;	/* bytes, header included: what parse() may read blindly */
	bool once;		/* a second tag of this type is a loader bug */
	bool (*parse)(struct mb2_parser *p, const struct mb2_tag *tag);	/* false: not taken */
};

static const struct tag_parser tag_parsers[] = {
	[MB2_TAG_CMDLINE] = { sizeof(struct mb2_tag) + 1, true, parse_cmdline },
	[MB2_TAG_LOADER_NAME] = { sizeof(struct mb2_tag) + 1, true, parse_loader_name },
	[MB2_TAG_MODULE] = { sizeof(struct mb2_tag_module) + 1, false, parse_module },
	[MB2_TAG_BASIC_MEMINFO] = { sizeof(struct mb2_tag_basic_meminfo), true,
				    parse_basic_meminfo },
	[MB2_TAG_MMAP] = { sizeof(struct mb2_tag_mmap), true, parse_mmap },
	[MB2_TAG_FRAMEBUFFER] = { offsetof(struct mb2_tag_framebuffer, red_pos), true,
				  parse_framebuffer },
	[MB2_TAG_ACPI_OLD] = { sizeof(struct mb2_tag) + RSDP_V1_LEN, true, parse_acpi_old },
	[MB2_TAG_ACPI_NEW] = { sizeof(struct mb2_tag) + RSDP_V2_LEN, true, parse_acpi_new },
	[MB2_TAG_EFI_MMAP] = { sizeof(struct mb2_tag_efi_mmap), true, parse_efi_mmap },
};

/*
 * One tag whose header has been checked: its whole size lies inside the structure.
 * A duplicate is refused only when the first copy was taken, so a malformed first
 * tag does not hide a good second one.
 */
static void parse_tag(struct mb2_parser *p, const struct mb2_tag *tag)
{
	uint32_t type = tag->type;
	const struct tag_parser *tp;

	if (type >= ARRAY_SIZE(tag_parsers) || !tag_parsers[type].parse)
		return;		/* unknown or unused types are legal */
	tp = &tag_parsers[type];
	if (tag->size < tp->min_size) {
		tag_warn(p, tag, "size %u is below the minimum %u, skipped", tag->size,
			 tp->min_size);
		return;
	}
	if (tp->once && (p->accepted & (1u << type))) {
		tag_warn(p, tag, "given twice, keeping the first");
		return;
	}
	if (tp->parse(p, tag))
		p->accepted |= 1u << type;
}

/* Walks the tags after the 8-byte header; @total is trusted: 16 <= total <= avail. */
static void walk_tags(struct mb2_parser *p, const uint8_t *base, uint32_t total)
{
	uint64_t off = 8;	/* 64-bit: aligning an offset near 4 GiB must not wrap */

	while (off + sizeof(struct mb2_tag) <= total) {
		const struct mb2_tag *tag = (const void *)(base + off);
		uint32_t type = tag->type, size = tag->size, at = (uint32_t)off;

		/* The next tag is found through this size: if it is wrong, nothing after is. */
		if (size < sizeof(*tag)) {
			mb2_warn(p->bi, "tag %u (%s) at offset %u: size %u is below 8, stopping\n",
				 type, tag_name(type), at, size);
			return;
		}
		if (size > total - off) {
			mb2_warn(p->bi,
				 "tag %u (%s) at offset %u: size %u runs past total_size %u\n",
				 type, tag_name(type), at, size, total);
			return;
		}
		if (type == MB2_TAG_END) {
			if (size != sizeof(*tag))
				mb2_warn(p->bi, "end tag has size %u instead of 8\n", size);
			return;
		}
		parse_tag(p, tag);
		off = ALIGN_UP(off + size, 8);
	}
	mb2_warn(p->bi, "no end tag within total_size %u\n", total);
}

static void add_basic_region(struct boot_info *bi, uint64_t base, uint64_t kib)
{
	if (kib == 0)
		return;
	bi->mem[bi->nr_mem++] = (struct mem_region){
		.base = base, .length = kib * 1024, .type = MEM_USABLE,
	};
}

/* The memory map fallback, which needs the whole walk: basic meminfo may come first. */
static void finish(struct mb2_parser *p)
{
	struct boot_info *bi = p->bi;

	if (bi->nr_mem == 0 && p->basic) {
		mb2_warn(bi, "no usable mmap tag, using basic meminfo: %u KiB low, %u KiB high\n",
			 p->basic->mem_lower, p->basic->mem_upper);
		add_basic_region(bi, 0, p->basic->mem_lower);
		add_basic_region(bi, 1 << 20, p->basic->mem_upper);
		bi->mem_from_basic = true;
	}
	if (bi->nr_mem == 0) {
		bi->nr_warnings++;
		pr_err("no memory map from the boot loader: no usable RAM is known\n");
	}
}

/* total_size when the structure as a whole can be walked, else 0 with the reason logged. */
static uint32_t info_total_size(const void *info, size_t avail)
{
	uint32_t total;

	if (!info) {
		pr_err("no boot information\n");
		return 0;
	}
	if ((uintptr_t)info & 7) {
		pr_err("information at 0x%llx is not 8-byte aligned\n",
		       (unsigned long long)(uintptr_t)info);
		return 0;
	}
	if (avail < 16) {
		pr_err("only %llu bytes of information, need 16\n", (unsigned long long)avail);
		return 0;
	}
	total = *(const uint32_t *)info;
	if (total < 16 || total > avail) {
		pr_err("total_size %u is outside [16, %llu]\n", total, (unsigned long long)avail);
		return 0;
	}
	return total;
}

int multiboot2_parse(const void *info, size_t avail, uint64_t info_phys, struct boot_info *bi)
{
	struct mb2_parser p = { .bi = bi };
	uint32_t total;

	if (!bi)
		return -EINVAL;
	__builtin_memset(bi, 0, sizeof(*bi));
	total = info_total_size(info, avail);
	if (total) {
		bi->valid = true;
		bi->info_phys = info_phys;
		bi->info_size = total;
		walk_tags(&p, info, total);
		finish(&p);
	}
	if (!bi->cmdline)
		bi->cmdline = "";	/* so that no caller needs a NULL check */
	return bi->valid ? 0 : -EINVAL;
}
