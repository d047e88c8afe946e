/*
 * wiring.h - the options turned into module configurations, and the
 * modules attached to the sensor as observers.  The only place that knows
 * both struct ots_options and the modules: the modules take plain
 * configurations and never see the command line.
 */
#ifndef OTS_WIRING_H
#define OTS_WIRING_H

#include <stddef.h>

#include "options.h"

struct sensor;
struct alerter;
struct inventory;

/* The flow table's configuration for these options. */
void wiring_flow_config(const struct ots_options *o, struct flow_config *cfg);
/*
 * --memcap: share o->memcap among the tables that traffic grows, each
 * lowered to what its share holds (never raised): flows with their nDPI
 * and application state 40 %, reassembly buffers 20 %, assets 10 %, graph
 * edges 10 %; the rest is left to the fixed bounds (fragments, alerts,
 * sink queues) and the baseline's own cap.  Each table then sheds its
 * oldest entries at its cap, counted as always.  Call right after parsing.
 */
void wiring_memcap(struct ots_options *o);
/* What one flow may hold: the flow table's own structures and nDPI's state
 * (by size) and the largest dissector state (measured by the allocator). */
size_t wiring_flow_bytes(void);
/* The "memory" object of the stats event (with --memcap): each table's
 * bytes, from its counters and per-entry size, and the caps in force. */
int memory_attach(struct sensor *s, const struct ots_options *o);

/*
 * The inventory: loads the OUI registry (a missing default registry only
 * warns; a missing --oui-file is an error) and the --geoip databases, and
 * attaches it to write --inventory / --graph at the end (and on snapshots)
 * and print the summary unless quiet or live.  Returns the inventory (owned
 * by the sensor) or NULL with a one-line reason in err.
 */
struct inventory *inventory_attach(struct sensor *s, const struct ots_options *o,
				   char *err, size_t errlen);

/* The baseline's thresholds for these options. */
void wiring_baseline_config(const struct ots_options *o, struct bl_config *cfg);

/*
 * The baseline (--learn, --baseline, --learn-for and thresholds): nothing
 * when none of the three is given.  0, or -1 with err set (e.g. a corrupt
 * baseline file).
 */
int baseline_attach(struct sensor *s, struct alerter *al,
		    const struct ots_options *o, char *err, size_t errlen);

/*
 * The rules (--rules, --var, --rules-warn, -q; nothing with --no-rules):
 * rules_attach() with the options' arrays, which live as long as the
 * process.  0, -2 (a rule did not parse, no --rules-warn) or -1.
 */
int wiring_rules_attach(struct sensor *s, struct alerter *al, const struct ots_options *o);

/*
 * The HTML page (--report): nothing without it.  The report observes the
 * sensor last and the alerter's alerts (the mapping of the detection
 * modules' alerts onto the report's record is here, where both are known).
 * 0, or -1 with err set.
 */
int report_attach(struct sensor *s, struct inventory *inv, struct alerter *al,
		  const struct ots_options *o, char *err, size_t errlen);

#endif /* OTS_WIRING_H */
