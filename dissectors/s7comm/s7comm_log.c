/*
 * s7comm_log.c - struct s7comm_record -> the members of the "s7comm" EVE
 * object (and "s7comm_plus" for S7comm-plus PDUs): the protocol line and
 * the alerts that embed an S7 message.
 *
 * Members come in the order the message carries them: the header, then
 * the function's parameters and data (items, upload/download, PI service)
 * or the userdata parameter and data parts.  A connect/disconnect record
 * (a session event: alerts only) writes its "cotp" object.
 */
#include <stddef.h>

#include "jw.h"
#include "s7comm.h"

/* Packet text: printable ASCII as is, anything else as hex. */
static void s7_log_text(struct jw *w, const char *key, struct s7_text t)
{
	size_t i;

	for (i = 0; i < t.n; i++)
		if (t.p[i] < 0x20 || t.p[i] > 0x7e) {
			jw_hex(w, key, t.p, t.n);
			return;
		}
	jw_stringn(w, key, (const char *)t.p, t.n);
}

static void s7_log_block_id(struct jw *w, const struct s7_block_id *b)
{
	const char *tn = s7_block_type_name(b->type);

	jw_string(w, "block_type", tn ? tn : "unknown");
	jw_uint(w, "block_number", b->number);
	if (b->has_filesystem)
		jw_name(w, "destination_filesystem",
			ot_tok_str(s7comm_filesystem_names, b->filesystem));
}

/* The value part of a data item; *budget: values the message may still log. */
static void s7_log_values(struct jw *w, const struct s7_rec_item *it, uint32_t *budget)
{
	const struct s7_item *x = it->typed ? &it->type : NULL;
	unsigned bytes = s7_value_bytes(x, it->data_tsize);
	struct cursor val;

	if (bytes == 0) {
		jw_uint(w, "data_length", it->data_len);
		return;
	}
	if (*budget == 0)
		return;
	cur_init(&val, it->data, it->data_len);
	jw_array_open(w, "values");
	while (*budget > 0 && cur_left(&val) >= bytes) {
		jw_real(w, NULL, s7_value(x, it->data_tsize, (uint32_t)cur_beN(&val, bytes)));
		(*budget)--;
	}
	jw_array_close(w);
}

static void s7_log_item(struct jw *w, const struct s7_rec_item *it, unsigned idx,
			uint32_t *budget)
{
	jw_object_open(w, NULL);
	if (it->has_spec) {
		const struct s7_item *x = &it->spec;

		jw_uint(w, "syntax_id", x->syntax);
		jw_name(w, "syntax_name", ot_tok_str(s7comm_syntax_names, x->syntax));
		if (it->spec_type != 0x12)
			jw_uint(w, "specification_type", it->spec_type);
		if (it->s7any) {
			jw_uint(w, "transport_size", x->tsize);
			jw_name(w, "transport_size_name",
				ot_tok_str(s7comm_item_tsize_names, x->tsize));
			jw_uint(w, "length", x->count);
			jw_uint(w, "db", x->db);
			jw_uint(w, "area", x->area);
			jw_name(w, "area_name", ot_tok_str(s7comm_area_names, x->area));
			if (x->area >= 0x1c && x->area <= 0x1f) {
				jw_uint(w, "number", x->addr);
			} else {
				jw_uint(w, "byte", x->addr >> 3);
				jw_uint(w, "bit", x->addr & 7);
			}
		} else {
			jw_uint(w, "specification_length", it->spec_len);
		}
		if (it->truncated)
			jw_int(w, "truncated", 1);
	}
	jw_uint(w, "item", idx);
	if (it->has_rc) {
		jw_uint(w, "return_code", it->rc);
		jw_name(w, "return_code_name", ot_tok_str(s7comm_return_code_names, it->rc));
	}
	if (it->has_data) {
		jw_uint(w, "data_transport_size", it->data_tsize);
		jw_name(w, "data_transport_size_name",
			ot_tok_str(s7comm_data_tsize_names, it->data_tsize));
		if (it->has_values)
			s7_log_values(w, it, budget);
	}
	jw_object_close(w);
}

/* Job and ack-data: the function and what it carried. */
static void s7_log_job(struct jw *w, const struct s7comm_record *r)
{
	uint32_t budget = r->max_log_values;
	unsigned i;

	if (!(r->has & S7H_FUNC))
		return;
	jw_uint(w, "function_code", r->func);
	jw_name(w, "function_name", ot_tok_str(s7comm_func_names, r->func));
	if (r->has & S7H_SETUP) {
		jw_uint(w, "max_amq_calling", r->max_amq_calling);
		jw_uint(w, "max_amq_called", r->max_amq_called);
		jw_uint(w, "pdu_size", r->pdu_size);
	}
	if (r->has & S7H_ITEMS) {
		jw_uint(w, "item_count", r->item_count);
		jw_array_open(w, "items");
		for (i = 0; i < r->n_items; i++)
			s7_log_item(w, &r->items[i], i, &budget);
		jw_array_close(w);
	}
	if (r->has & S7H_FUNCTION_STATUS)
		jw_uint(w, "function_status", r->function_status);
	if (r->has & S7H_SESSION_ID)
		jw_uint(w, "session_id", r->session_id);
	if (r->has & S7H_BLOCKLENGTH)
		jw_uint(w, "blocklength", r->blocklength);
	if (r->has & S7H_FILENAME)
		s7_log_text(w, "filename", r->filename);
	if (r->has & S7H_BLOCK_ID)
		s7_log_block_id(w, &r->block);
	if (r->has & S7H_LOAD_LENGTH)
		jw_uint(w, "load_memory_length", r->load_memory_length);
	if (r->has & S7H_MC7_LENGTH)
		jw_uint(w, "mc7_length", r->mc7_length);
	if (r->has & S7H_PI_SERVICE)
		s7_log_text(w, "pi_service", r->pi_service);
	if (r->has & S7H_PI_NAME)
		jw_name(w, "pi_service_name", ot_tok_str(s7comm_pi_names, r->pi));
	if (r->has & S7H_PI_BLOCKS) {
		jw_array_open(w, "blocks");
		for (i = 0; i < r->n_pi_blocks; i++) {
			struct s7_block_id b;

			jw_object_open(w, NULL);
			if (s7_block_id_parse(NULL, r->pi_blocks + 8 * (size_t)i, 8, &b) == 0)
				s7_log_block_id(w, &b);
			jw_object_close(w);
		}
		jw_array_close(w);
	}
	if (r->has & S7H_PI_PARAMETER)
		s7_log_text(w, "pi_parameter", r->pi_parameter);
}

/* Userdata: the parameter part, the data part's header, the group's data. */
static void s7_log_userdata(struct jw *w, const struct s7comm_record *r)
{
	const struct ot_tok *subt;
	uint8_t i;

	if (!(r->has & S7H_USERDATA))
		return;
	subt = s7comm_group_sub_names(r->ud_group);
	jw_uint(w, "parameter_head", r->ud_head);
	jw_uint(w, "method", r->ud_method);
	jw_uint(w, "type", r->ud_type);
	jw_name(w, "type_name", ot_tok_str(s7comm_ud_type_names, r->ud_type));
	jw_uint(w, "function_group", r->ud_group);
	jw_name(w, "function_group_name", ot_tok_str(s7comm_group_names, r->ud_group));
	jw_uint(w, "subfunction_code", r->ud_sub);
	jw_name(w, "subfunction_name", subt ? ot_tok_str(subt, r->ud_sub) : "unknown");
	jw_uint(w, "sequence_number", r->ud_seq);
	if (r->has & S7H_UD_EXTENDED) {
		jw_uint(w, "data_unit_reference", r->ud_dur);
		jw_int(w, "last_data_unit", r->ud_last == 0);
		jw_uint(w, "userdata_error_code", r->ud_error);
	}
	if (!(r->has & S7H_UD_DATA))
		return;
	jw_uint(w, "return_code", r->ud_rc);
	jw_name(w, "return_code_name", ot_tok_str(s7comm_return_code_names, r->ud_rc));
	jw_uint(w, "transport_size", r->ud_tsize);
	if (r->has & S7H_SZL_FRAGMENT)
		jw_int(w, "szl_fragment", 1);
	if (r->has & S7H_SZL_ID) {
		jw_uint(w, "szl_id", r->szl_id);
		if (r->has & S7H_SZL_ANSWER)
			jw_name(w, "szl_id_name",
				ot_tok_str(s7comm_szl_list_names, r->szl_id & 0xff));
		jw_uint(w, "szl_index", r->szl_index);
		if (r->has & S7H_SZL_ANSWER) {
			jw_uint(w, "szl_record_length", r->szl_rlen);
			jw_uint(w, "szl_record_count", r->szl_count);
		}
	}
	if (r->n_ident) {
		jw_object_open(w, "identity");
		for (i = 0; i < r->n_ident; i++)
			s7_log_text(w, s7_ident_fields[r->ident[i].field], r->ident[i].text);
		jw_object_close(w);
	}
	if (r->has & S7H_FILENAME)
		s7_log_text(w, "filename", r->filename);
	if (r->has & S7H_BLOCK_ID)
		s7_log_block_id(w, &r->block);
	if (r->has & S7H_BLOCK_TYPE) {
		const char *n = s7_block_type_name(r->block_type);

		jw_string(w, "block_type", n ? n : "unknown");
	}
	if (r->has & S7H_BLOCK_COUNTS) {
		size_t k;

		jw_array_open(w, "block_counts");
		for (k = 0; k < r->n_block_counts; k++) {
			const uint8_t *e = r->block_counts + 4 * k;
			const char *n = s7_block_type_name(e[1]);

			jw_object_open(w, NULL);
			jw_string(w, "block_type", n ? n : "unknown");
			jw_uint(w, "count", (unsigned)e[2] << 8 | e[3]);
			jw_object_close(w);
		}
		jw_array_close(w);
	}
	if (r->has & S7H_PLC_TIME)
		jw_string(w, "plc_time", r->plc_time);
	if (r->has & S7H_PASSWORD)
		jw_uint(w, "password_length", r->password_length);
}

static void s7_log_pdu(struct jw *w, const struct ot_event *ev, const struct s7comm_record *r)
{
	jw_uint(w, "rosctr_code", r->rosctr);
	jw_name(w, "rosctr_name", ot_tok_str(s7comm_rosctr_names, r->rosctr));
	jw_uint(w, "pdu_reference", r->pdu_ref);
	jw_uint(w, "parameter_length", r->param_len);
	jw_uint(w, "data_length", r->data_len);
	if (ev->rack >= 0) {
		jw_int(w, "rack", ev->rack);
		jw_int(w, "slot", ev->slot);
	}
	if (r->has & S7H_ERROR) {
		jw_uint(w, "error_class", r->error_class);
		jw_name(w, "error_class_name",
			ot_tok_str(s7comm_error_class_names, r->error_class));
		jw_uint(w, "error_code", r->error_code);
	}
	if (r->rosctr == S7_ROSCTR_USERDATA)
		s7_log_userdata(w, r);
	else
		s7_log_job(w, r);
}

static void s7_log_plus(struct jw *w, const struct s7comm_record *r)
{
	jw_uint(w, "version", r->plus_version);
	jw_uint(w, "data_length", r->plus_data_len);
	if (r->plus_has_opcode) {
		jw_uint(w, "opcode", r->plus_opcode);
		jw_name(w, "opcode_name", ot_tok_str(s7comm_plus_opcode_names, r->plus_opcode));
	}
	if (r->plus_has_function) {
		jw_uint(w, "function_code", r->plus_function);
		jw_name(w, "function_name", ot_tok_str(s7comm_plus_func_names, r->plus_function));
		jw_uint(w, "sequence_number", r->plus_seq);
	}
}

static void s7_log_cotp(struct jw *w, const struct ot_event *ev, const struct s7comm_record *r)
{
	uint8_t i;

	jw_object_open(w, "cotp");
	jw_uint(w, "pdu_code", r->cotp_code);
	jw_name(w, "pdu_name", ot_tok_str(s7comm_cotp_names, r->cotp_code));
	jw_uint(w, "destination_reference", r->cotp_dref);
	jw_uint(w, "source_reference", r->cotp_sref);
	if (r->cotp_has_class)
		jw_uint(w, "class", r->cotp_class);
	for (i = 0; i < r->n_cotp_params; i++) {
		switch (r->cotp_params[i]) {
		case S7P_TPDU_SIZE:
			jw_uint(w, "tpdu_size", r->tpdu_size);
			break;
		case S7P_CALLING_TSAP:
			s7_log_text(w, "calling_tsap", r->calling_tsap);
			break;
		case S7P_CALLED_TSAP:
			s7_log_text(w, "called_tsap", r->called_tsap);
			break;
		default:
			break;
		}
	}
	if (r->cotp_has_reason)
		jw_uint(w, "reason", r->cotp_class);
	jw_object_close(w);
	if (ev->rack >= 0) {
		jw_int(w, "rack", ev->rack);
		jw_int(w, "slot", ev->slot);
	}
}

void s7comm_log(struct jw *w, const struct ot_event *ev)
{
	const struct s7comm_record *r = ev->record;

	switch (r->kind) {
	case S7R_PDU:
		s7_log_pdu(w, ev, r);
		break;
	case S7R_PLUS:
		s7_log_plus(w, r);
		break;
	case S7R_COTP:
		s7_log_cotp(w, ev, r);
		break;
	default:
		break;
	}
}
