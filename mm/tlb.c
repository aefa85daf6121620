/*
 * Flushing this CPU's TLB for a struct tlb_batch (include/mm/tlb.h states the contract).
 * Up to TLB_SINGLE_PAGE_FLUSH_CEILING pages: one invlpg per page of the batch's stride. An
 * invlpg also drops the paging-structure cache entries that translated its address (Intel
 * SDM vol. 3, 4.10.4.1), which is what unlinked tables need before they are reused.
 * More pages: one whole flush. Reloading CR3 drops every translation but the global ones;
 * when a global entry changed, clearing and setting CR4.PGE drops those too.
 * Not here yet: other CPUs (shootdown by IPI, once they run), PCID/INVPCID (a CR3 load then
 * keeps translations, so a whole flush needs INVPCID or the no-flush bit cleared), and
 * skipping the flush for an address space that is not loaded.
 * docs/paging.md explains the TLB.
 */
#include <asm/x86.h>
#include <mm/pgtable.h>
#include <mm/tlb.h>

struct tlb_stats tlb_stats;

static inline void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

static void flush_tlb_all_local(bool global)
{
	unsigned long flags = local_irq_save();
	uint64_t cr4 = read_cr4();

	if (global && (cr4 & X86_CR4_PGE)) {
		write_cr4(cr4 & ~X86_CR4_PGE);	/* drops everything, global entries too */
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3());
	}
	local_irq_restore(flags);
}

void tlb_flush_batch(struct tlb_batch *tlb)
{
	if (tlb->start != tlb->end) {
		if (tlb_batch_wants_full_flush(tlb)) {
			flush_tlb_all_local(tlb->global);
			tlb_stats.full++;
		} else {
			uint64_t stride = 1ull << tlb->stride_shift;

			for (uint64_t va = tlb->start; va != tlb->end; va += stride)
				invlpg(va);
			tlb_stats.page += tlb_batch_nr_invlpg(tlb);
			tlb_stats.range++;
		}
	}
	tlb_batch_done(tlb);
}
