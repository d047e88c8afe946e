/*
 * enip_log.c - struct enip_record -> the members of the "enip" EVE object
 * (the protocol line and the alerts that embed an EtherNet/IP message).
 *
 * Field names and meanings are listed in otsentry-enip(7).
 */
#include <stdio.h>
#include <string.h>

#include "enip.h"
#include "jw.h"

static void log_path(struct jw *w, const struct cip_path *p)
{
	const char *cn;

	if (p->class_id >= 0) {
		jw_int(w, "class", p->class_id);
		cn = cip_class_name(p->class_id);
		if (cn)
			jw_name(w, "class_name", cn);
	}
	if (p->instance >= 0)
		jw_int(w, "instance", p->instance);
	if (p->attribute >= 0)
		jw_int(w, "attribute", p->attribute);
	if (p->member >= 0)
		jw_int(w, "member", p->member);
	if (p->conn_point >= 0)
		jw_int(w, "connection_point", p->conn_point);
	if (p->has_symbol)
		jw_string(w, "symbol", p->symbol);
}

static void log_service(struct jw *w, const struct cip_service *s)
{
	unsigned i;

	jw_object_open(w, NULL);
	jw_uint(w, "service_code", s->service);
	jw_name(w, "service", cip_service_name(s->service, s->path.class_id));
	jw_bool(w, "response", s->response);
	if (s->embedded)
		jw_bool(w, "embedded", 1);
	if (s->in_msp)
		jw_bool(w, "in_multiple_service", 1);
	log_path(w, &s->path);
	if (s->path_from_request)
		jw_bool(w, "path_from_request", 1);
	if (s->route[0])
		jw_string(w, "route_path", s->route);
	if (s->response) {
		jw_int(w, "status_code", s->status);
		jw_name(w, "status", cip_status_name(s->status));
		if (s->n_ext > 0) {
			jw_array_open(w, "extended_status");
			for (i = 0; i < s->n_ext && i < 2; i++)
				jw_uint(w, NULL, s->ext_status[i]);
			jw_array_close(w);
		}
	}
	jw_uint(w, "data_length", s->data_len);
	jw_name(w, "category", ot_category_name(s->cat));
	jw_object_close(w);
}

static void log_connection(struct jw *w, const struct cip_connection_params *k, int request)
{
	jw_object_open(w, "connection");
	if (k->ot_id || !request)
		jw_uint(w, "o_t_connection_id", k->ot_id);
	if (k->to_id || !request)
		jw_uint(w, "t_o_connection_id", k->to_id);
	jw_uint(w, "connection_serial", k->serial);
	jw_uint(w, "originator_vendor", k->vendor);
	jw_uint(w, "originator_serial", k->orig_serial);
	if (request && k->ot_rpi) {
		jw_uint(w, "timeout_multiplier", k->timeout_mult);
		jw_uint(w, "o_t_rpi", k->ot_rpi);
		jw_uint(w, "o_t_parameters", k->ot_params);
		jw_uint(w, "t_o_rpi", k->to_rpi);
		jw_uint(w, "t_o_parameters", k->to_params);
		jw_uint(w, "transport_class", k->trigger & 0x0f);
		jw_uint(w, "transport_trigger", k->trigger);
		log_path(w, &k->conn_path);
	}
	if (!request && (k->ot_api || k->to_api)) {
		jw_uint(w, "o_t_api", k->ot_api);
		jw_uint(w, "t_o_api", k->to_api);
	}
	if (k->large)
		jw_bool(w, "large", 1);
	jw_object_close(w);
}

static void log_identity(struct jw *w, const struct enip_identity *id)
{
	char b[32];
	const char *n;

	jw_object_open(w, "identity");
	if (!id->from_cip) {
		jw_uint(w, "encapsulation_version", id->encap_version);
		snprintf(b, sizeof(b), "%u.%u.%u.%u", id->sock_addr[0], id->sock_addr[1],
			 id->sock_addr[2], id->sock_addr[3]);
		jw_string(w, "socket_address", b);
		jw_uint(w, "socket_port", id->sock_port);
	}
	if (id->fields & ENIP_IDF_VENDOR) {
		jw_uint(w, "vendor_id", id->vendor);
		n = cip_vendor_name(id->vendor);
		if (n)
			jw_name(w, "vendor", n);
	}
	if (id->fields & ENIP_IDF_DEVTYPE) {
		jw_uint(w, "device_type_id", id->device_type);
		n = cip_device_type_name(id->device_type);
		if (n)
			jw_name(w, "device_type", n);
	}
	if (id->fields & ENIP_IDF_PRODUCT)
		jw_uint(w, "product_code", id->product_code);
	if (id->fields & ENIP_IDF_REVISION) {
		snprintf(b, sizeof(b), "%u.%03u", id->rev_major, id->rev_minor);
		jw_string(w, "revision", b);
	}
	if (id->fields & ENIP_IDF_STATUS)
		jw_uint(w, "status", id->status);
	if (id->fields & ENIP_IDF_SERIAL) {
		snprintf(b, sizeof(b), "0x%08x", id->serial);
		jw_string(w, "serial_number", b);
	}
	if (id->fields & ENIP_IDF_NAME)
		jw_string(w, "product_name", id->product_name);
	if (id->fields & ENIP_IDF_STATE) {
		jw_int(w, "state_code", id->state);
		jw_name(w, "state", enip_state_name(id->state));
	}
	jw_object_close(w);
}

static void log_io(struct jw *w, const struct ot_event *ev, const struct enip_io_summary *io)
{
	double dur = io->last_ts - io->first_ts;

	jw_name(w, "direction", ot_dir_name(ev->dir));
	jw_object_open(w, "io");
	jw_uint(w, "connection_id", io->conn_id);
	jw_uint(w, "packets", io->packets);
	jw_uint(w, "first_sequence", io->first_seq);
	jw_uint(w, "last_sequence", io->last_seq);
	jw_uint(w, "sequence_gaps", io->seq_gaps);
	jw_real(w, "duration", dur);
	if (dur > 0 && io->packets > 1)
		jw_real(w, "rate", (double)(io->packets - 1) / dur);
	jw_uint(w, "data_length", io->last_len);
	jw_bool(w, "final", io->final);
	jw_object_close(w);
	jw_name(w, "category", ot_category_name(ev->cat));
}

void enip_log(struct jw *w, const struct ot_event *ev)
{
	const struct enip_record *rec = ev->record;
	const char *cn;
	unsigned i;

	if (rec->is_io) {
		log_io(w, ev, &rec->io);
		return;
	}
	jw_name(w, "direction", ot_dir_name(ev->dir));
	jw_uint(w, "command_code", rec->command);
	cn = rec->command_name;
	jw_name(w, "command", cn ? cn : "unknown");
	jw_uint(w, "length", rec->length);
	jw_uint(w, "session_handle", rec->session);
	jw_uint(w, "status_code", rec->status);
	jw_name(w, "status", enip_status_name(rec->status));
	jw_hex(w, "sender_context", rec->context, 8);
	jw_uint(w, "options", rec->options);
	if (rec->has_rr) {
		jw_uint(w, "interface_handle", rec->interface_handle);
		jw_uint(w, "timeout", rec->timeout);
	}
	if (rec->has_register) {
		jw_uint(w, "protocol_version", rec->protocol_version);
		jw_uint(w, "option_flags", rec->option_flags);
	}
	if (rec->has_services) {
		jw_object_open(w, "list_services");
		jw_uint(w, "version", rec->svc_version);
		jw_uint(w, "capability_flags", rec->svc_flags);
		jw_string(w, "name", rec->svc_name);
		jw_object_close(w);
	}
	if (rec->n_items > 0 || rec->item_count > 0) {
		jw_uint(w, "item_count", rec->item_count);
		jw_array_open(w, "items");
		for (i = 0; i < rec->n_items; i++) {
			jw_object_open(w, NULL);
			jw_uint(w, "type_id", rec->items[i].type);
			jw_name(w, "type", enip_item_name(rec->items[i].type));
			jw_uint(w, "length", rec->items[i].length);
			jw_object_close(w);
		}
		jw_array_close(w);
	}
	if (rec->connected)
		jw_uint(w, "connection_id", rec->conn_id);
	if (rec->has_sequenced)
		jw_uint(w, "encapsulation_sequence", rec->encap_seq);
	if (rec->has_cip_seq)
		jw_uint(w, "sequence_count", rec->cip_seq);
	if (rec->n_cip > 0) {
		jw_array_open(w, "cip");
		for (i = 0; i < rec->n_cip; i++)
			log_service(w, &rec->cip[i]);
		jw_array_close(w);
		if (rec->cip_total > rec->n_cip)
			jw_uint(w, "cip_services_dropped", rec->cip_total - rec->n_cip);
	}
	if (rec->conn.present)
		log_connection(w, &rec->conn, rec->is_request);
	if (rec->ident.present)
		log_identity(w, &rec->ident);
	jw_name(w, "category", ot_category_name(ev->cat));
	if (rec->n_anom > 0) {
		jw_array_open(w, "anomalies");
		for (i = 0; i < rec->n_anom; i++)
			jw_string(w, NULL, rec->anom[i]);
		jw_array_close(w);
	}
}
