/*
 * jtext.h - the one rule for turning packet bytes into JSON text, for values
 * built as jansson trees (jw_bytes() in jw.h is the same rule for lines
 * written as a stream): the bytes themselves when they are valid UTF-8
 * without NULs, else their hex form.  So a device name reads the same in a
 * protocol log, an alert and the inventory.
 */
#ifndef OTS_JTEXT_H
#define OTS_JTEXT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* New reference; "" for no bytes.  Never NULL for n <= 64 KiB (aborts on
 * ENOMEM as jansson does). */
json_t *eve_string(const uint8_t *s, size_t n);

#endif /* OTS_JTEXT_H */
