/* Helpers shared by the request, answer and stream parts of og_llm. */
#ifndef OG_LLM_INTERNAL_H
#define OG_LLM_INTERNAL_H

#include "opengradient/og_llm.h"

/* Decode one UTF-8 sequence strictly, as jansson accepts it (no overlong
 * forms, no surrogates, nothing above U+10FFFF): its length, with the code
 * point in *cp, or 0 when s (n bytes) does not start with one. Inline: the
 * stream scanner runs it on every non-ASCII byte. */
static inline size_t llm_utf8_next(const unsigned char *s, size_t n,
                                   uint32_t *cp)
{
  uint32_t c;
  size_t len, i;
  if(!n)
    return 0;
  c = s[0];
  if(c < 0x80) {
    *cp = c;
    return 1;
  }
  if(c >= 0xC2 && c <= 0xDF) {
    len = 2;
    c &= 0x1F;
  }
  else if(c >= 0xE0 && c <= 0xEF) {
    len = 3;
    c &= 0x0F;
  }
  else if(c >= 0xF0 && c <= 0xF4) {
    len = 4;
    c &= 0x07;
  }
  else
    return 0;
  if(n < len)
    return 0;
  for(i = 1; i < len; i++) {
    if((s[i] & 0xC0) != 0x80)
      return 0;
    c = (c << 6) | (s[i] & 0x3F);
  }
  if((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
     c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
    return 0;
  *cp = c;
  return len;
}

/* A malloc'd NUL-terminated copy of n bytes; NULL on failure. */
char *llm_strndup(const char *s, size_t n);

/* Load outside JSON behind the size cap; what names the source in the
 * message. OG_E_TOO_LARGE, OG_E_PARSE or OG_E_NOMEM. */
og_result llm_load(json_t **out, const char *what, const char *s,
                   size_t len, size_t cap, og_err *err);

/* A member that must be a string, null or absent: *out is NULL for null
 * or absent. OG_E_PARSE (naming where) for another type. */
og_result llm_opt_string(const char **out, size_t *len, const json_t *obj,
                         const char *key, const char *where, og_err *err);

/* Append the text of a content value (string, null, or a list of parts
 * flattened as the Python SDK does) to out. */
og_result llm_content_append(og_buf *out, const json_t *content,
                             const char *where, og_err *err);

/* usage: absent or null = not present; an object gives the counts. */
og_result llm_usage(og_llm_usage *u, const json_t *obj, og_err *err);

/* Merge tee_* members of obj into r (present members replace). */
og_result llm_tee_fields(og_llm_result *r, const json_t *obj, og_err *err);

/* Merge the unsigned extras of newer gateways found in obj into r: the
 * "opengradient" cost block (checked, see og_llm_cost), "citations" (an
 * array) and "images" (an array; msg.images first when msg is given).
 * Members of the wrong type are ignored: none of them is signed, and a
 * bad one must not cost the answer. Present members replace. */
void llm_extras(og_llm_result *r, const json_t *obj, const json_t *msg);

/* The message of an error member ({"error": ...}) or of a whole error
 * body, cleaned of control characters, into out (n bytes). */
void llm_error_text(char *out, size_t n, const json_t *body);

/* Build one tool call object {"id","type","function":{"name",
 * "arguments"}}, with "index" first when index >= 0. NULL on failure. */
json_t *llm_tool_call_json(const og_llm_tool_call *tc, int64_t index);

/* The three fields of a content chunk recognised by llm_scan_chunk, as
 * offsets into its output buffer (each string is followed by a NUL there);
 * LLM_SCAN_NONE for null. */
#define LLM_SCAN_NONE ((size_t)-1)
typedef struct llm_fast_chunk {
  size_t content, content_len;
  size_t role, role_len;
  size_t model, model_len;
} llm_fast_chunk;

/* The gateway's content-chunk scanner (stream_scan.c): 1 when data (one
 * event, blanks trimmed) is exactly a content chunk of the gateway's shape,
 * with its strings decoded into out (reset first) as jansson would decode
 * them; 0 for anything else, which the caller must give to jansson. */
int llm_scan_chunk(llm_fast_chunk *fc, og_buf *out, const char *data,
                   size_t len);

#endif
