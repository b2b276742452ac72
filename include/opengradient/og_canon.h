/*
 * Canonical JSON: the one JSON writer used for hashing.
 *
 * og_canon_write() reproduces Python's json.dumps(obj, sort_keys=True) byte
 * for byte from a jansson value (separators ", " and ": ", keys sorted by
 * code point, ensure_ascii with lowercase \u escapes, float repr).
 *
 * On top of it: the gateway's canonical request dict (two rule sets, see
 * the signatures reference §3), the request hash, and the output string and
 * hash of an answer (§4).
 */
#ifndef OPENGRADIENT_OG_CANON_H
#define OPENGRADIENT_OG_CANON_H

#include <jansson.h>

#include "og_buf.h"
#include "og_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Deepest nesting the writers accept (jansson's own parser stops at
 * 2048). */
#define OG_CANON_MAX_DEPTH 2048

/* Cap on the canonical bytes built internally for a request hash. */
#define OG_CANON_MAX_BYTES (64u * 1024u * 1024u)

/* Parse JSON text (any value) with jansson, allowing \u0000 in strings.
 * Fails with OG_E_TOO_LARGE when len > max, OG_E_USAGE for numbers that
 * Python would keep but jansson cannot hold (integers beyond 64 bits, reals
 * that overflow a double), OG_E_PARSE for malformed text (including lone
 * surrogate escapes and NUL in object keys, which jansson refuses).
 * Caller frees *out with json_decref. */
OG_API og_result og_json_parse(json_t **out, const char *text, size_t len,
                        size_t max, og_err *err);

/* Append json.dumps(v, sort_keys=True) to out. Fails with OG_E_USAGE on
 * invalid UTF-8 in a string or key, or nesting deeper than
 * OG_CANON_MAX_DEPTH; with the og_buf error when out is full. */
OG_API og_result og_canon_write(og_buf *out, const json_t *v, og_err *err);

/* Append one JSON string literal (ensure_ascii) for the UTF-8 bytes s[n]. */
OG_API og_result og_canon_write_string(og_buf *out, const char *s, size_t n,
                                og_err *err);

/* Python repr() of a double, as json.dumps prints it ("0.7", "1e-07",
 * "1e+16", "-0.0", "Infinity", "NaN"). out holds at least 32 bytes. */
OG_API void og_canon_float(char out[32], double x);

/* Append Python str(v) of a JSON value to out, as Python prints the value
 * json.loads gives: a str prints itself, containers print their repr (single
 * quotes, True/None, insertion order, printable non-ASCII kept raw).
 * Printability follows the Unicode 14.0 tables of CPython 3.11. */
OG_API og_result og_canon_pystr(og_buf *out, const json_t *v, og_err *err);

/* Which gateway's canonicalisation rules to apply. */
typedef enum og_canon_rules {
  OG_RULES_2026_04 = 0, /* tee-gateway as of commit cb95a5c */
  OG_RULES_NEWER = 1    /* newer gateways, mirrored by SDK 1.1.3 */
} og_canon_rules;

#define OG_RULES_COUNT 2

/* Name of a rule set: "2026-04" or "newer". */
OG_API const char *og_canon_rules_name(og_canon_rules rules);

typedef enum og_endpoint {
  OG_ENDPOINT_CHAT = 0,      /* /v1/chat/completions */
  OG_ENDPOINT_COMPLETION = 1 /* /v1/completions */
} og_endpoint;

/* Build the canonical dict the gateway hashes for a request (the parsed
 * JSON as sent). Fails with OG_E_VERIFY (detail says why) when that gateway
 * version would reject the request or its hash cannot be reproduced, e.g.
 * role "developer" under 2026-04. Caller frees *out with json_decref. */
OG_API og_result og_canon_request(json_t **out, const json_t *request,
                           og_endpoint kind, og_canon_rules rules,
                           og_err *err);

/* Append the canonical request bytes (json.dumps of the dict above). */
OG_API og_result og_canon_request_bytes(og_buf *out, const json_t *request,
                                 og_endpoint kind, og_canon_rules rules,
                                 og_err *err);

/* request_hash = keccak256(canonical request bytes). */
OG_API og_result og_canon_request_hash(og_bytes32 *out, const json_t *request,
                                og_endpoint kind, og_canon_rules rules,
                                og_err *err);

/* One tool call of an answer, as returned (non-stream) or reassembled from
 * a stream (last non-empty id and name, concatenated arguments, in index
 * order). A NULL member is hashed as JSON null. */
typedef struct og_tool_call {
  const char *id;
  const char *type; /* normally "function" */
  const char *name;
  const char *arguments;
} og_tool_call;

/* Append the output string of a tool-call answer:
 * json.dumps([{"id","type","function":{"name","arguments"}}...],
 * sort_keys=True). */
OG_API og_result og_canon_tool_calls(og_buf *out, const og_tool_call *calls,
                              size_t ncalls, og_err *err);

/* output_hash: keccak256 of the tool-call string when ncalls > 0, else of
 * the text bytes (chat content, concatenated stream deltas, or completion
 * text; text may be NULL when text_len is 0). */
OG_API og_result og_canon_output_hash(og_bytes32 *out, const char *text,
                               size_t text_len, const og_tool_call *calls,
                               size_t ncalls, og_err *err);

#ifdef __cplusplus
}
#endif

#endif
