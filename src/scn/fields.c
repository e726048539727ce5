/* SPDX-License-Identifier: MIT */
/*
 * fields.c - the table behind `stats` and `expect`.
 */
#include <stddef.h>
#include <string.h>
#include "fields.h"

#define F(name, member, help) { name, offsetof(struct av_stats, member), help, 0 }
/* A field only a scan of the page tables fills (av_stats_read). */
#define S(name, member, help) { name, offsetof(struct av_stats, member), help, 1 }

const struct stat_field stat_fields[] = {
	F("anon_vma", obj[AV_OBJ_ANON_VMA].live, "live anon_vma objects"),
	F("avc", obj[AV_OBJ_AVC].live, "live anon_vma_chain objects"),
	S("anon_pages", anon_pages, "distinct anonymous pages mapped (zero page excluded)"),
	S("anon_ptes", anon_ptes, "PTEs mapping an anonymous page"),
	S("zero_ptes", zero_ptes, "PTEs mapping the zero page"),
	S("swap_ptes", swap_ptes, "PTEs holding a swap entry"),
	S("file_ptes", file_ptes, "PTEs mapping a page of a file or of shared memory"),
	S("procs", procs, "live processes"),
	S("vmas", vmas, "VMAs of live processes"),
	F("pages", obj[AV_OBJ_PAGE].live, "page frames in use (incl. swap cache)"),
	F("swap_slots", obj[AV_OBJ_SWAP].live, "swap slots in use"),
	F("anon_vma_allocated", obj[AV_OBJ_ANON_VMA].allocated, "anon_vmas ever allocated"),
	F("anon_vma_freed", obj[AV_OBJ_ANON_VMA].freed, "anon_vmas freed"),
	F("avc_allocated", obj[AV_OBJ_AVC].allocated, "AVCs ever allocated"),
	F("avc_freed", obj[AV_OBJ_AVC].freed, "AVCs freed"),
	F("walks", walk.walks, "rmap walks"),
	F("avcs_visited", walk.avcs_visited, "AVCs rmap walks looked at"),
	F("vmas_covering", walk.vmas_covering, "of those, VMAs whose range covers the page"),
	F("ptes_found", walk.ptes_found, "PTEs rmap walks found mapping the page"),
	F("root_lock_write", lock.root_write, "root anon_vma lock taken for writing"),
	F("root_lock_read", lock.root_read, "root anon_vma lock taken for reading"),
	F("mmap_lock_write", lock.mmap_write, "mmap lock taken for writing"),
	F("mmap_lock_read", lock.mmap_read, "mmap lock taken for reading"),
	F("faults_read", fault.read, "read faults"),
	F("faults_write", fault.write, "write faults"),
	F("zero_maps", fault.zero_maps, "zero page mapped by a read fault"),
	F("new_pages", fault.new_pages, "fresh anonymous pages"),
	F("cow_copies", fault.cow_copies, "write to a shared page: copied"),
	F("cow_reuses", fault.cow_reuses, "write to a shared page: reused in place"),
	F("swapins", fault.swapins, "swap entries faulted back in"),
	F("segv", fault.segv, "accesses refused"),
	F("prepare_borrowed", prepare_borrowed, "anon_vma_prepare took a neighbour's anon_vma"),
	F("fork_reused", fork_reused, "fork reused an existing anon_vma"),
	F("reclaimed", reclaimed, "pages unmapped to swap"),
	F("referenced", referenced, "pages found referenced by aging"),
	F("migrated", migrated, "pages moved to a new frame"),
};

const size_t nr_stat_fields = sizeof(stat_fields) / sizeof(stat_fields[0]);

int stat_field_find(const char *name)
{
	for (size_t i = 0; i < nr_stat_fields; i++)
		if (strcmp(stat_fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

uint64_t stat_field_get(const struct av_stats *s, int field)
{
	uint64_t v;

	memcpy(&v, (const char *)s + stat_fields[field].offset, sizeof(v));
	return v;
}
