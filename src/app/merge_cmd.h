/*
 * merge_cmd.h - otsentry --merge-inventory: one site inventory (and its
 * graph and page) from the inventory files of several sensors.
 *
 * Ownership: borrows the options and the EVE writer (identity conflicts
 * are written there as "asset" events); everything else it makes, it frees.
 */
#ifndef OTS_MERGE_CMD_H
#define OTS_MERGE_CMD_H

#include "eve.h"
#include "options.h"

#define OTS_MAX_MERGE_FILES 1024        /* --merge-inventory inputs */

/* Exit status: 0, 1 an input unreadable or not an inventory, or an output
 * not written (each said on stderr). */
int merge_command(const struct ots_options *o, struct eve *eve);

#endif /* OTS_MERGE_CMD_H */
