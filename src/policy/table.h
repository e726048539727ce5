/* SPDX-License-Identifier: MIT */
/*
 * table.h - every policy, by name.  A new design is one file in this
 * folder and one line here (docs/writing-a-policy.md).
 */
#ifndef AV_POLICY_TABLE_H
#define AV_POLICY_TABLE_H

/* X(name, the policy's struct av_policy), oldest design first. */
#define AV_POLICY_LIST(X) \
	X("2.6.33", av_policy_2_6_33) \
	X("2.6.34", av_policy_2_6_34) \
	X("2.6.35", av_policy_2_6_35) \
	X("3.7", av_policy_3_7) \
	X("3.19", av_policy_3_19) \
	X("linux-6.18", av_policy_linux_6_18) \
	X("lazy", av_policy_lazy)

struct av_policy;
#define AV_POLICY_DECLARE(name, id) extern const struct av_policy id;
AV_POLICY_LIST(AV_POLICY_DECLARE)
#undef AV_POLICY_DECLARE

/* The policy of that name, or NULL. */
const struct av_policy *av_policy_find(const char *name);

#endif
