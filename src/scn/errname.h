/* SPDX-License-Identifier: MIT */
#ifndef AV_CLI_ERRNAME_H
#define AV_CLI_ERRNAME_H

/* "EEXIST" for EEXIST or -EEXIST; "E<n>" for errnos without a name here. */
const char *errno_name(int err);

#endif
