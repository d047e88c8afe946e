/*
 * options.c - defaults for every command-line setting (see options.h and
 * man/otsentry.8).
 */
#include <string.h>

#include "config.h"
#include "options.h"

void ots_options_default(struct ots_options *o)
{
	memset(o, 0, sizeof(*o));
	o->snaplen = 262144;
	o->buffer_mb = 64;
	o->stats_interval = 60;
	o->max_open_files = 32;

	o->log_protocols = ~0u;
	o->log_anomalies = 1;
	o->log_flows = 1;

	o->max_flows = 65536;
	o->flow_timeout = 120;
	o->tcp_timeout = 3600;
	o->max_ooo_bytes = 64ULL << 20;

	o->oui_file = OTS_OUI_FILE;
	o->max_assets = 65536;
	o->max_edges = 262144;
	o->snapshot_interval = 0;

	o->learn_for = 0;
	o->period_spread = 3;
	o->value_margin = 0.1;
	o->silence_timeout = 300;
	o->max_baseline_keys = 100000;

	o->alert_rate = 100;
}
