/* SPDX-License-Identifier: MIT */
/*
 * errname.c - errno values by name, as scenarios and reports spell them.
 */
#include <errno.h>
#include <stdio.h>
#include "errname.h"

const char *errno_name(int err)
{
	static _Thread_local char buf[16];

	switch (err < 0 ? -err : err) {
	case EINVAL: return "EINVAL";
	case EEXIST: return "EEXIST";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case ESRCH: return "ESRCH";
	case EAGAIN: return "EAGAIN";
	case EPERM: return "EPERM";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EUCLEAN: return "EUCLEAN";
	case EBUSY: return "EBUSY";
	case EACCES: return "EACCES";
	case EOVERFLOW: return "EOVERFLOW";
	default:
		snprintf(buf, sizeof(buf), "E%d", err < 0 ? -err : err);
		return buf;
	}
}

