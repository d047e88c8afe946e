/*
 * dnp3_log.c - struct dnp3_record -> the members of the "dnp3" EVE object
 * (the protocol line and the alerts that embed a DNP3 message), in
 * Suricata's dnp3 log shape: type, link control, src, dst, application
 * {control, function_code, function, objects, complete}, iin.
 */
#include <string.h>

#include "dnp3.h"
#include "jw.h"

void dnp3_log(struct jw *w, const struct ot_event *ev)
{
	const struct dnp3_record *r = ev->record;
	struct dnp3_objects_result res;
	struct ot_event scratch;
	struct cursor c;
	int b;

	jw_name(w, "type", ot_dir_name(ev->dir));
	jw_object_open(w, "control");
	jw_bool(w, "dir", r->link_ctrl & DNP3_LINK_DIR);
	jw_bool(w, "primary", r->link_ctrl & DNP3_LINK_PRM);
	jw_bool(w, "fcb", r->link_ctrl & DNP3_LINK_FCB);
	jw_bool(w, "fcv", r->link_ctrl & DNP3_LINK_FCV);
	jw_uint(w, "function_code", r->link_ctrl & DNP3_LINK_FUNC);
	jw_object_close(w);
	jw_uint(w, "src", r->src);
	jw_uint(w, "dst", r->dst);

	jw_object_open(w, "application");
	jw_object_open(w, "control");
	jw_bool(w, "fir", r->app_ctrl & DNP3_AC_FIR);
	jw_bool(w, "fin", r->app_ctrl & DNP3_AC_FIN);
	jw_bool(w, "con", r->app_ctrl & DNP3_AC_CON);
	jw_bool(w, "uns", r->app_ctrl & DNP3_AC_UNS);
	jw_uint(w, "sequence", r->app_ctrl & DNP3_AC_SEQ);
	jw_object_close(w);
	jw_uint(w, "function_code", r->function_code);
	jw_name(w, "function", ot_tok_str(dnp3_function_names, r->function_code));
	if (r->objects_len > 0) {
		/* the objects again, written this time (no anomalies, ev untouched);
		 * as Suricata: no objects array for a message without objects */
		scratch.dir = ev->dir;
		scratch.n_ranges = scratch.n_values = scratch.n_ident = 0;
		scratch.truncated = 0;
		cur_init(&c, r->objects, r->objects_len);
		dnp3_objects_parse(NULL, r->lim, &c, r->with_data, &scratch, w, &res);
	}
	jw_bool(w, "complete", r->complete);
	jw_object_close(w);

	if (r->has_iin) {
		jw_object_open(w, "iin");
		/* as Suricata: no indicators array when no bit is set */
		if (r->iin) {
			jw_array_open(w, "indicators");
			for (b = 0; b < 16; b++)
				if (r->iin & (1u << b))
					jw_name(w, NULL, ot_tok_str(dnp3_iin_names, b));
			jw_array_close(w);
		}
		jw_object_close(w);
	}
}
