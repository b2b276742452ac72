/* libFuzzer harness: the non-streamed answer parsers and the error-body
 * reader. Input: byte 0 picks the parser, byte 1 the HTTP status class,
 * the rest is the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_llm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(const og_err *err)
{
  size_t i, n = strnlen(err->msg, sizeof(err->msg));
  if(n == sizeof(err->msg))
    abort(); /* always terminated */
  for(i = 0; i < n; i++)
    if((unsigned char)err->msg[i] < 0x20)
      abort(); /* no control bytes reach the terminal */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const long statuses[] = {200, 201, 400, 401, 402, 404, 500, 503};
  const char *body;
  size_t len;
  long status;
  og_llm_result r;
  og_err err;
  og_result rc;
  if(size < 2)
    return 0;
  status = statuses[data[1] & 7];
  body = (const char *)data + 2;
  len = size - 2;
  err.msg[0] = 0;
  switch(data[0] & 3) {
  case 0:
  case 3:
    rc = og_llm_parse_chat(&r, status, body, len, &err);
    break;
  case 1:
    rc = og_llm_parse_completion(&r, status, body, len, &err);
    break;
  default:
    rc = og_llm_error_message(status, body, len, &err);
    if(rc != OG_E_SERVER)
      abort();
    check_err(&err);
    return 0;
  }
  if(status >= 300 && rc != OG_E_SERVER)
    abort();
  if(rc) {
    if(r.text || r.json)
      abort(); /* nothing leaks out of a failed parse */
    if(rc == OG_E_SERVER)
      check_err(&err);
    return 0;
  }
  if(!r.text || !r.json)
    abort();
  json_decref(og_llm_result_message_json(&r));
  json_decref(og_llm_result_usage_json(&r));
  if(r.cost.present) {
    char opg[100];
    const char *dot;
    if(og_llm_cost_opg_text(opg, sizeof(opg), r.cost.cost_opg, &err))
      abort(); /* a kept cost_opg always formats */
    dot = strchr(opg, '.');
    if(!dot || strlen(dot + 1) != 18 || !r.cost_json)
      abort();
  }
  if((r.citations && !json_is_array(r.citations)) ||
     (r.images && !json_is_array(r.images)))
    abort();
  if((data[0] & 3) == 3) {
    /* the --stream-tools-fallback path: one final chunk */
    og_llm_stream *s = og_llm_stream_new(NULL, NULL);
    og_llm_result r2;
    if(!s)
      abort();
    if(og_llm_stream_deliver(s, &r, &err) ||
       og_llm_stream_finish(s, &r2, &err))
      abort();
    if(r2.text_len != r.text_len || memcmp(r2.text, r.text, r.text_len) ||
       r2.n_tool_calls != r.n_tool_calls)
      abort();
    /* the fallback chunk carries the extras through */
    if(memcmp(&r2.cost, &r.cost, sizeof(r.cost)) ||
       !r2.citations != !r.citations || !r2.images != !r.images ||
       !r2.cost_json != !r.cost_json ||
       (r.citations && !json_equal(r2.citations, r.citations)) ||
       (r.images && !json_equal(r2.images, r.images)))
      abort();
    og_llm_result_free(&r2);
    og_llm_stream_free(s);
  }
  og_llm_result_free(&r);
  return 0;
}
