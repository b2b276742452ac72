/*
 * og_json: the one gate in front of jansson for JSON from outside (RPC
 * replies, answers, stream events, 402 bodies, saved files). A body that
 * fits its byte cap can still expand a hundredfold inside a parser (16 MB
 * of "{}" is eight million objects), so before any parse a linear scan
 * counts the values and the nesting depth and refuses what is over the
 * limits. The scan does not validate: jansson still does.
 */
#ifndef OPENGRADIENT_OG_JSON_H
#define OPENGRADIENT_OG_JSON_H

#include <jansson.h>

#include "og_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OG_JSON_MAX_VALUES 500000 /* objects, arrays, strings and scalars */
#define OG_JSON_MAX_DEPTH 128     /* nested objects and arrays */

/* Count the values and the depth of text[0..len). OG_OK when at most
 * OG_JSON_MAX_VALUES values nested at most OG_JSON_MAX_DEPTH deep (or when
 * the text is malformed in a way the scan does not notice: the parser will
 * refuse it); OG_E_TOO_LARGE otherwise, with a detail. No allocation. */
OG_API og_result og_json_scan(const char *text, size_t len, og_err *err);

/* og_json_scan, then json_loadb(text, len, flags, je). NULL on failure;
 * je then holds the reason: the scan's detail in je->text (with
 * line and column -1), or jansson's; je may be NULL. Caller frees the result with
 * json_decref. */
OG_API json_t *og_json_loadb(const char *text, size_t len, size_t flags,
                             json_error_t *je);

#ifdef __cplusplus
}
#endif

#endif
