/* SPDX-License-Identifier: MIT */
#ifndef AV_CLI_DEMO_H
#define AV_CLI_DEMO_H

/* The built-in demo: scenarios/examples/demo.scn, embedded by the build
 * (scripts/embed.sh), so the example file and the demo cannot drift. */
extern const char demo_scenario[];

#endif
