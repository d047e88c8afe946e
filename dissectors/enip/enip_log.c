/*
 * enip_log.c - struct enip_record -> the EVE "enip" object.
 *
 * Built only when the protocol log is on (ctx->want_detail).  Field names
 * and their meaning are listed in otsentry-enip(7).
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "enip.h"
#include "eve.h"

static void jint(json_t *o, const char *k, json_int_t v)
{
	json_object_set_new(o, k, json_integer(v));
}

static void jstr(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, json_string(v));
}

static void jhex(json_t *o, const char *k, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char b[2 * 16 + 1];
	size_t i;

	if (n > 16)
		n = 16;
	for (i = 0; i < n; i++) {
		b[2 * i] = digits[p[i] >> 4];
		b[2 * i + 1] = digits[p[i] & 0xf];
	}
	b[2 * n] = '\0';
	jstr(o, k, b);
}

static void log_path(json_t *o, const struct cip_path *p)
{
	const char *cn;

	if (p->class_id >= 0) {
		jint(o, "class", p->class_id);
		cn = cip_class_name(p->class_id);
		if (cn)
			jstr(o, "class_name", cn);
	}
	if (p->instance >= 0)
		jint(o, "instance", p->instance);
	if (p->attribute >= 0)
		jint(o, "attribute", p->attribute);
	if (p->member >= 0)
		jint(o, "member", p->member);
	if (p->conn_point >= 0)
		jint(o, "connection_point", p->conn_point);
	if (p->has_symbol)
		json_object_set_new(o, "symbol", eve_string((const uint8_t *)p->symbol,
							    strlen(p->symbol)));
}

static json_t *log_service(const struct cip_service *s)
{
	json_t *o = json_object();

	jint(o, "service_code", s->service);
	jstr(o, "service", cip_service_name(s->service, s->path.class_id));
	json_object_set_new(o, "response", json_boolean(s->response));
	if (s->embedded)
		json_object_set_new(o, "embedded", json_true());
	if (s->in_msp)
		json_object_set_new(o, "in_multiple_service", json_true());
	log_path(o, &s->path);
	if (s->path_from_request)
		json_object_set_new(o, "path_from_request", json_true());
	if (s->route[0])
		jstr(o, "route_path", s->route);
	if (s->response) {
		jint(o, "status_code", s->status);
		jstr(o, "status", cip_status_name(s->status));
		if (s->n_ext > 0) {
			json_t *a = json_array();
			unsigned i;

			for (i = 0; i < s->n_ext && i < 2; i++)
				json_array_append_new(a, json_integer(s->ext_status[i]));
			json_object_set_new(o, "extended_status", a);
		}
	}
	jint(o, "data_length", s->data_len);
	jstr(o, "category", ot_category_name(s->cat));
	return o;
}

static json_t *log_connection(const struct cip_connection_params *k, int request)
{
	json_t *o = json_object();

	if (k->ot_id || !request)
		jint(o, "o_t_connection_id", k->ot_id);
	if (k->to_id || !request)
		jint(o, "t_o_connection_id", k->to_id);
	jint(o, "connection_serial", k->serial);
	jint(o, "originator_vendor", k->vendor);
	jint(o, "originator_serial", k->orig_serial);
	if (request && k->ot_rpi) {
		jint(o, "timeout_multiplier", k->timeout_mult);
		jint(o, "o_t_rpi", k->ot_rpi);
		jint(o, "o_t_parameters", k->ot_params);
		jint(o, "t_o_rpi", k->to_rpi);
		jint(o, "t_o_parameters", k->to_params);
		jint(o, "transport_class", k->trigger & 0x0f);
		jint(o, "transport_trigger", k->trigger);
		log_path(o, &k->conn_path);
	}
	if (!request && (k->ot_api || k->to_api)) {
		jint(o, "o_t_api", k->ot_api);
		jint(o, "t_o_api", k->to_api);
	}
	if (k->large)
		json_object_set_new(o, "large", json_true());
	return o;
}

static json_t *log_identity(const struct enip_identity *id)
{
	json_t *o = json_object();
	char b[32];
	const char *n;

	if (!id->from_cip) {
		jint(o, "encapsulation_version", id->encap_version);
		snprintf(b, sizeof(b), "%u.%u.%u.%u", id->sock_addr[0], id->sock_addr[1],
			 id->sock_addr[2], id->sock_addr[3]);
		jstr(o, "socket_address", b);
		jint(o, "socket_port", id->sock_port);
	}
	if (id->fields & ENIP_IDF_VENDOR) {
		jint(o, "vendor_id", id->vendor);
		n = cip_vendor_name(id->vendor);
		if (n)
			json_object_set_new(o, "vendor", eve_string((const uint8_t *)n, strlen(n)));
	}
	if (id->fields & ENIP_IDF_DEVTYPE) {
		jint(o, "device_type_id", id->device_type);
		n = cip_device_type_name(id->device_type);
		if (n)
			jstr(o, "device_type", n);
	}
	if (id->fields & ENIP_IDF_PRODUCT)
		jint(o, "product_code", id->product_code);
	if (id->fields & ENIP_IDF_REVISION) {
		snprintf(b, sizeof(b), "%u.%03u", id->rev_major, id->rev_minor);
		jstr(o, "revision", b);
	}
	if (id->fields & ENIP_IDF_STATUS)
		jint(o, "status", id->status);
	if (id->fields & ENIP_IDF_SERIAL) {
		snprintf(b, sizeof(b), "0x%08x", id->serial);
		jstr(o, "serial_number", b);
	}
	if (id->fields & ENIP_IDF_NAME)
		json_object_set_new(o, "product_name",
				    eve_string((const uint8_t *)id->product_name,
					       strlen(id->product_name)));
	if (id->fields & ENIP_IDF_STATE) {
		jint(o, "state_code", id->state);
		jstr(o, "state", enip_state_name(id->state));
	}
	return o;
}

void enip_log_message(const struct dissect_ctx *ctx, const struct enip_record *rec,
		      struct ot_event *ev)
{
	json_t *o;
	const char *cn;
	unsigned i;

	(void)ctx;
	o = json_object();
	if (!o)
		return;
	jstr(o, "direction", ot_dir_name(ev->dir));
	jint(o, "command_code", rec->command);
	cn = enip_command_name(rec->command);
	jstr(o, "command", cn ? cn : "unknown");
	jint(o, "length", rec->length);
	jint(o, "session_handle", rec->session);
	jint(o, "status_code", rec->status);
	jstr(o, "status", enip_status_name(rec->status));
	jhex(o, "sender_context", rec->context, 8);
	jint(o, "options", rec->options);
	if (rec->has_rr) {
		jint(o, "interface_handle", rec->interface_handle);
		jint(o, "timeout", rec->timeout);
	}
	if (rec->has_register) {
		jint(o, "protocol_version", rec->protocol_version);
		jint(o, "option_flags", rec->option_flags);
	}
	if (rec->has_services) {
		json_t *s = json_object();

		jint(s, "version", rec->svc_version);
		jint(s, "capability_flags", rec->svc_flags);
		json_object_set_new(s, "name", eve_string((const uint8_t *)rec->svc_name,
							  strlen(rec->svc_name)));
		json_object_set_new(o, "list_services", s);
	}
	if (rec->n_items > 0 || rec->item_count > 0) {
		json_t *a = json_array();

		jint(o, "item_count", rec->item_count);
		for (i = 0; i < rec->n_items; i++) {
			json_t *it = json_object();

			jint(it, "type_id", rec->items[i].type);
			jstr(it, "type", enip_item_name(rec->items[i].type));
			jint(it, "length", rec->items[i].length);
			json_array_append_new(a, it);
		}
		json_object_set_new(o, "items", a);
	}
	if (rec->connected)
		jint(o, "connection_id", rec->conn_id);
	if (rec->has_sequenced)
		jint(o, "encapsulation_sequence", rec->encap_seq);
	if (rec->has_cip_seq)
		jint(o, "sequence_count", rec->cip_seq);
	if (rec->n_cip > 0) {
		json_t *a = json_array();

		for (i = 0; i < rec->n_cip; i++)
			json_array_append_new(a, log_service(&rec->cip[i]));
		json_object_set_new(o, "cip", a);
		if (rec->cip_total > rec->n_cip)
			jint(o, "cip_services_dropped", rec->cip_total - rec->n_cip);
	}
	if (rec->conn.present)
		json_object_set_new(o, "connection", log_connection(&rec->conn, rec->is_request));
	if (rec->ident.present)
		json_object_set_new(o, "identity", log_identity(&rec->ident));
	jstr(o, "category", ot_category_name(ev->cat));
	if (rec->n_anom > 0) {
		json_t *a = json_array();

		for (i = 0; i < rec->n_anom; i++)
			json_array_append_new(a, json_string(rec->anom[i]));
		json_object_set_new(o, "anomalies", a);
	}
	ev->detail = o;
}

void enip_log_io(const struct dissect_ctx *ctx, const struct enip_io_summary *io,
		 struct ot_event *ev)
{
	json_t *o = json_object(), *s = json_object();
	double dur = io->last_ts - io->first_ts;

	(void)ctx;
	if (!o || !s) {
		json_decref(o);
		json_decref(s);
		return;
	}
	jint(s, "connection_id", io->conn_id);
	jint(s, "packets", (json_int_t)io->packets);
	jint(s, "first_sequence", io->first_seq);
	jint(s, "last_sequence", io->last_seq);
	jint(s, "sequence_gaps", (json_int_t)io->seq_gaps);
	json_object_set_new(s, "duration", json_real(dur));
	if (dur > 0 && io->packets > 1)
		json_object_set_new(s, "rate", json_real((double)(io->packets - 1) / dur));
	jint(s, "data_length", io->last_len);
	json_object_set_new(s, "final", json_boolean(io->final));
	jstr(o, "direction", "none");
	json_object_set_new(o, "io", s);
	jstr(o, "category", ot_category_name(ev->cat));
	ev->detail = o;
}
