/*
 * options.c - every default of the sensor (see options.h and
 * man/otsentry.8).
 */
#include <string.h>

#include "config.h"
#include "alert.h"
#include "baseline.h"
#include "flow.h"
#include "inventory.h"
#include "options.h"

void ots_options_default(struct ots_options *o)
{
	memset(o, 0, sizeof(*o));
	o->snaplen = OTS_DEF_SNAPLEN;
	o->buffer_mb = OTS_DEF_BUFFER_MB;
	o->stats_interval = OTS_DEF_STATS_INTERVAL;
	o->max_open_files = OTS_DEF_MAX_OPEN_FILES;
	o->iface_silence = OTS_DEF_IFACE_SILENCE;
	o->loss_threshold = OTS_DEF_LOSS_THRESHOLD;
	o->loss_interval = OTS_DEF_LOSS_INTERVAL;

	o->log_protocols = ~0u;
	o->log_anomalies = 1;
	o->log_flows = 1;

	o->max_flows = OTS_DEF_MAX_FLOWS;
	o->flow_timeout = OTS_DEF_FLOW_TIMEOUT;
	o->tcp_timeout = OTS_DEF_TCP_TIMEOUT;
	o->max_ooo_bytes = OTS_DEF_MAX_REASSEMBLY;

	o->oui_file = OTS_OUI_FILE;
	o->max_assets = OTS_DEF_MAX_ASSETS;
	o->max_edges = OTS_DEF_MAX_EDGES;
	o->snapshot_interval = 0;

	o->learn_for = 0;
	o->period_spread = OTS_DEF_PERIOD_SPREAD;
	o->value_margin = OTS_DEF_VALUE_MARGIN;
	o->silence_timeout = OTS_DEF_SILENCE_TIMEOUT;
	o->max_baseline_keys = OTS_DEF_MAX_BASELINE_KEYS;
	o->confidence_samples = OTS_DEF_CONFIDENCE_SAMPLES;
	o->confidence_span = OTS_DEF_CONFIDENCE_SPAN;

	o->alert_rate = OTS_DEF_ALERT_RATE;
}

void ots_flow_config_default(struct flow_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_flows = OTS_DEF_MAX_FLOWS;
	cfg->idle_timeout = OTS_DEF_FLOW_TIMEOUT;
	cfg->tcp_idle_timeout = OTS_DEF_TCP_TIMEOUT;
	cfg->tcp_closed_timeout = 10;
	cfg->tcp_embryonic_timeout = 30;
	cfg->max_ooo_per_flow = 262144;
	cfg->max_ooo_total = OTS_DEF_MAX_REASSEMBLY;
	cfg->ndpi_max_packets = 24;
	cfg->ndpi_enable = 1;
	cfg->ot_enable = 1;
	cfg->want_detail = 1;
	ots_limits_default(&cfg->lim);
	cfg->dissectors = NULL;
	cfg->n_dissectors = 0;
}

void ots_limits_default(struct ot_limits *lim)
{
	lim->max_pending = OTS_DEF_MAX_PENDING;
	lim->max_objects = OTS_DEF_MAX_OBJECTS;
	lim->max_points = OTS_DEF_MAX_POINTS;
	lim->max_log_values = OTS_DEF_MAX_LOG_VALUES;
	lim->max_pdu_buffer = OTS_DEF_MAX_PDU_BUFFER;
	lim->max_reassembly = OTS_DEF_MAX_PDU_REASSEMBLY;
	lim->reassembly_timeout = OTS_DEF_REASSEMBLY_TIMEOUT;
}

void ots_alert_config_default(struct alert_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_per_second = OTS_DEF_ALERT_RATE;
	cfg->max_dedup_keys = OTS_DEF_ALERT_DEDUP_KEYS;
	cfg->repeat_summary_interval = OTS_DEF_ALERT_SUMMARY;
}

void ots_baseline_config_default(struct bl_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->period_spread = OTS_DEF_PERIOD_SPREAD;
	cfg->period_floor = 0.2;
	cfg->value_margin = OTS_DEF_VALUE_MARGIN;
	cfg->silence_timeout = OTS_DEF_SILENCE_TIMEOUT;
	cfg->max_keys = OTS_DEF_MAX_BASELINE_KEYS;
	cfg->min_period_samples = OTS_DEF_CONFIDENCE_SAMPLES;
	cfg->min_value_samples = OTS_DEF_CONFIDENCE_SAMPLES;
	cfg->min_span = OTS_DEF_CONFIDENCE_SPAN;
	cfg->scan_targets = 10;
	cfg->scan_units = 5;
	cfg->scan_window = 60.0;
	cfg->error_burst = 5;
	cfg->max_scan_sources = 4096;
}

void ots_inventory_config_default(struct inventory_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_assets = OTS_DEF_MAX_ASSETS;
	cfg->max_ips = 0;       /* 2 * max_assets */
	cfg->max_edges = OTS_DEF_MAX_EDGES;
}
