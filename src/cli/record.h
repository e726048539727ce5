/* SPDX-License-Identifier: MIT */
/*
 * record.h - `anonvma record`: a real program recorded as a scenario and
 * its replay judged (the kernel side is src/krun/record.c).
 */
#ifndef AV_CLI_RECORD_H
#define AV_CLI_RECORD_H

/* argv[1] is "record".  Exit status: 0 recorded and its replay passes; 1
 * failed (or written but its replay differs); 2 usage; 77 this machine
 * cannot record; 126/127 CMD cannot be run / not found; 128+N CMD killed
 * by signal N. */
int record_command(int argc, char **argv);

#endif
