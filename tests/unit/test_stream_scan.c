/* The gateway content-chunk scanner (src/llm/stream_scan.c): known
 * answers for what it decodes, the shapes and strings it must leave to
 * jansson, and for every case the same chunks, errors and result from a
 * stream with and without chunk JSON. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "llm/llm_internal.h"
#include "opengradient/og_llm.h"

#define PRE "{\"choices\": [{\"delta\": {\"content\": "
#define MID ", \"role\": "
#define POST "}, \"index\": 0, \"finish_reason\": null}], \"model\": "
/* a gateway content chunk with the given JSON values (text) */
#define EV(c, r, m) PRE c MID r POST m "}"

/* ---- stream differential ---- */

typedef struct rec {
  json_t *chunks;
  size_t scanned;
} rec;

static json_t *strn_or_null(const char *s, size_t n)
{
  return s ? json_stringn_nocheck(s, n) : json_null();
}

static int on_chunk(void *user, const og_llm_chunk *c)
{
  rec *r = user;
  json_t *o;
  if(!c->json) {
    assert_false(c->is_final);
    r->scanned++;
  }
  if(c->content)
    assert_int_equal(c->content[c->content_len], 0);
  o = json_pack("[o,o,o,o,b]", strn_or_null(c->content, c->content_len),
                strn_or_null(c->role, c->role ? strlen(c->role) : 0),
                strn_or_null(c->model, c->model ? strlen(c->model) : 0),
                strn_or_null(c->finish_reason, c->finish_reason
                                                 ? strlen(c->finish_reason)
                                                 : 0),
                c->is_final);
  assert_non_null(o);
  assert_int_equal(json_array_append_new(r->chunks, o), 0);
  return 0;
}

static const char final_ev[] =
  "{\"choices\": [{\"delta\": {}, \"index\": 0, \"finish_reason\": "
  "\"stop\"}], \"model\": \"gpt-5\"}";

typedef struct outcome {
  og_result rc, frc;
  char msg[512];
  og_llm_result res;
  rec r;
} outcome;

static void run(outcome *o, int keep_json, const char *ev, size_t len)
{
  og_llm_stream *s;
  og_err err;
  memset(o, 0, sizeof(*o));
  o->r.chunks = json_array();
  s = og_llm_stream_new(on_chunk, &o->r);
  assert_non_null(s);
  og_llm_stream_set_chunk_json(s, keep_json);
  og_err_clear(&err);
  o->rc = og_llm_stream_event(s, ev, len, &err);
  if(!o->rc)
    o->rc = og_llm_stream_event(s, final_ev, strlen(final_ev), &err);
  snprintf(o->msg, sizeof(o->msg), "%s", err.msg);
  o->frc = og_llm_stream_finish(s, &o->res, &err);
  og_llm_stream_free(s);
}

/* Both streams agree on ev; returns the number of chunks scanned. */
static size_t same_both_ways(const char *ev, size_t len)
{
  outcome a, b;
  size_t n;
  run(&a, 1, ev, len);
  run(&b, 0, ev, len);
  assert_int_equal(a.r.scanned, 0);
  assert_int_equal(a.rc, b.rc);
  assert_string_equal(a.msg, b.msg);
  assert_int_equal(a.frc, b.frc);
  assert_true(json_equal(a.r.chunks, b.r.chunks));
  if(!a.frc) {
    assert_int_equal(a.res.text_len, b.res.text_len);
    assert_memory_equal(a.res.text, b.res.text, a.res.text_len + 1);
    assert_string_equal(a.res.model, b.res.model);
    assert_string_equal(a.res.role, b.res.role);
    assert_string_equal(a.res.finish_reason, b.res.finish_reason);
  }
  n = b.r.scanned;
  og_llm_result_free(&a.res);
  og_llm_result_free(&b.res);
  json_decref(a.r.chunks);
  json_decref(b.r.chunks);
  return n;
}

/* ---- known answers ---- */

/* The scanner takes ev and decodes these (NULL: the value was null). */
static void accepts(const char *ev, const char *content, size_t clen,
                    const char *role, const char *model)
{
  llm_fast_chunk fc;
  og_buf out;
  og_buf_init(&out, 1 << 20);
  assert_int_equal(llm_scan_chunk(&fc, &out, ev, strlen(ev)), 1);
  if(content) {
    assert_int_not_equal(fc.content, LLM_SCAN_NONE);
    assert_int_equal(fc.content_len, clen);
    assert_memory_equal(out.data + fc.content, content, clen + 1);
  }
  else
    assert_int_equal(fc.content, LLM_SCAN_NONE);
  if(role) {
    assert_int_equal(fc.role_len, strlen(role));
    assert_string_equal((const char *)out.data + fc.role, role);
  }
  else
    assert_int_equal(fc.role, LLM_SCAN_NONE);
  if(model) {
    assert_int_equal(fc.model_len, strlen(model));
    assert_string_equal((const char *)out.data + fc.model, model);
  }
  else
    assert_int_equal(fc.model, LLM_SCAN_NONE);
  og_buf_free(&out);
  assert_int_equal(same_both_ways(ev, strlen(ev)), 1);
}

/* The scanner leaves ev to jansson; the streams still agree. */
static void declines(const char *ev, size_t len)
{
  llm_fast_chunk fc;
  og_buf out;
  og_buf_init(&out, 1 << 20);
  assert_int_equal(llm_scan_chunk(&fc, &out, ev, len), 0);
  og_buf_free(&out);
  assert_int_equal(same_both_ways(ev, len), 0);
}

#define DECLINES(ev) declines(ev, sizeof(ev) - 1)

static void test_gateway_chunks(void **state)
{
  (void)state;
  accepts(EV("\"Hel\"", "\"assistant\"", "\"gpt-5\""), "Hel", 3,
          "assistant", "gpt-5");
  accepts(EV("\"w \"", "\"assistant\"", "\"bench/bench-1000\""), "w ", 2,
          "assistant", "bench/bench-1000");
  accepts(EV("\"\"", "\"\"", "\"\""), "", 0, "", "");
  accepts(EV("null", "null", "null"), NULL, 0, NULL, NULL);
  accepts(EV("\"x\"", "null", "\"m\""), "x", 1, NULL, "m");
}

static void test_escapes(void **state)
{
  (void)state;
  accepts(EV("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"assistant\"", "\"m\""),
          "\"\\/\b\f\n\r\t", 8, "assistant", "m");
  /* \u: 1, 2, 3 and 4 bytes of UTF-8, either hex case, and NUL */
  accepts(EV("\"w\\u00f6r \\u65E5\\u672c \\ud83d\\ude80!\"", "\"a\"",
             "\"m\""),
          "w\xc3\xb6r \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80!", 17, "a",
          "m");
  accepts(EV("\"a\\u0000b\"", "\"assistant\"", "\"m\""), "a\0b", 3,
          "assistant", "m");
  accepts(EV("\"\\u007f\\u0080\\u07ff\\u0800\\uffff\\udbff\\udfff\"",
             "\"assistant\"", "\"m\""),
          "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf",
          15, "assistant", "m");
  /* escapes in role and model too */
  accepts(EV("\"x\"", "\"\\u0061ssistant\"", "\"a\\/b\""), "x", 1,
          "assistant", "a/b");
}

static void test_raw_utf8(void **state)
{
  (void)state;
  /* ensure_ascii=False: raw UTF-8 (2, 3 and 4 bytes, and the limits) */
  accepts(EV("\"gr\xc3\xbc\xc3\x9f" "e \xe6\x97\xa5 \xf0\x9f\x9a\x80\"",
             "\"assistant\"", "\"m\""),
          "gr\xc3\xbc\xc3\x9f" "e \xe6\x97\xa5 \xf0\x9f\x9a\x80", 16,
          "assistant", "m");
  accepts(EV("\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
             "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\x7f\"",
             "\"assistant\"", "\"m\""),
          "\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
          "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\x7f", 22, "assistant", "m");
}

/* Strings jansson refuses: the scanner declines, jansson reports. */
static void test_bad_strings(void **state)
{
  (void)state;
  DECLINES(EV("\"\\ud83d\"", "\"assistant\"", "\"m\""));
  DECLINES(EV("\"\\ud83dx\"", "\"assistant\"", "\"m\""));
  DECLINES(EV("\"\\ud83d\\u0041\"", "\"assistant\"", "\"m\""));
  DECLINES(EV("\"\\ude80\"", "\"assistant\"", "\"m\""));
  DECLINES(EV("\"\\u12g4\"", "\"assistant\"", "\"m\""));
  DECLINES(EV("\"\\u12\"", "\"assistant\"", "\"m\""));
  DECLINES(EV("\"\\x41\"", "\"assistant\"", "\"m\""));
  DECLINES(EV("\"\\'\"", "\"assistant\"", "\"m\""));
  DECLINES(EV("\"tab\there\"", "\"assistant\"", "\"m\""));
  DECLINES(EV("\"nl\nhere\"", "\"assistant\"", "\"m\""));
  DECLINES(EV("\"\xc0\x80\"", "\"assistant\"", "\"m\""));     /* overlong */
  DECLINES(EV("\"\xe0\x9f\xbf\"", "\"assistant\"", "\"m\"")); /* overlong */
  DECLINES(EV("\"\xf0\x8f\xbf\xbf\"", "\"assistant\"", "\"m\""));
  DECLINES(EV("\"\xed\xa0\x80\"", "\"assistant\"", "\"m\"")); /* surrogate */
  DECLINES(EV("\"\xf4\x90\x80\x80\"", "\"assistant\"", "\"m\""));
  DECLINES(EV("\"\xf5\x80\x80\x80\"", "\"assistant\"", "\"m\""));
  DECLINES(EV("\"\x80\"", "\"assistant\"", "\"m\""));
  DECLINES(EV("\"\xc3\"", "\"assistant\"", "\"m\""));  /* cut short */
  DECLINES(EV("\"\xe6\x97\"", "\"assistant\"", "\"m\""));
  DECLINES(EV("\"x\"", "\"\xff\"", "\"m\""));
  DECLINES(EV("\"x\"", "\"assistant\"", "\"\\q\""));
  /* NUL as a raw byte (the SSE layer can deliver one) */
  declines(EV("\"a\0b\"", "\"assistant\"", "\"m\""),
           sizeof(EV("\"a\0b\"", "\"assistant\"", "\"m\"")) - 1);
}

/* Other shapes: the scanner declines, jansson decides. */
static void test_other_shapes(void **state)
{
  (void)state;
  /* values of other types */
  DECLINES(EV("1", "\"assistant\"", "\"m\""));
  DECLINES(EV("[\"a\"]", "\"assistant\"", "\"m\""));
  DECLINES(EV("\"x\"", "true", "\"m\""));
  DECLINES(EV("\"x\"", "\"assistant\"", "{}"));
  DECLINES(EV("nul", "\"assistant\"", "\"m\""));
  /* other spacing or order */
  DECLINES("{\"choices\":[{\"delta\":{\"content\":\"x\",\"role\":"
           "\"assistant\"},\"index\":0,\"finish_reason\":null}],"
           "\"model\":\"m\"}");
  DECLINES("{\"choices\": [{\"delta\": {\"role\": \"assistant\", "
           "\"content\": \"x\"}, \"index\": 0, \"finish_reason\": null}], "
           "\"model\": \"m\"}");
  DECLINES("{\"model\": \"m\", \"choices\": [{\"delta\": {\"content\": "
           "\"x\", \"role\": \"assistant\"}, \"index\": 0, "
           "\"finish_reason\": null}]}");
  /* other members, index, finish_reason */
  DECLINES("{\"choices\": [{\"delta\": {\"content\": \"x\", \"role\": "
           "\"assistant\"}, \"index\": 1, \"finish_reason\": null}], "
           "\"model\": \"m\"}");
  DECLINES("{\"choices\": [{\"delta\": {\"content\": \"x\", \"role\": "
           "\"assistant\"}, \"index\": 0, \"finish_reason\": \"stop\"}], "
           "\"model\": \"m\"}");
  DECLINES("{\"choices\": [{\"delta\": {\"content\": \"x\", \"role\": "
           "\"assistant\"}, \"index\": 0, \"finish_reason\": null}], "
           "\"model\": \"m\", \"usage\": null}");
  DECLINES("{\"id\": \"c\", \"choices\": [{\"delta\": {\"content\": \"x\", "
           "\"role\": \"assistant\"}, \"index\": 0, \"finish_reason\": "
           "null}], \"model\": \"m\"}");
  DECLINES("{\"choices\": [{\"delta\": {\"role\": \"assistant\", "
           "\"tool_calls\": [{\"index\": 0, \"id\": \"c\", \"type\": "
           "\"function\", \"function\": {\"name\": \"f\", \"arguments\": "
           "\"{}\"}}]}, \"index\": 0, \"finish_reason\": null}], "
           "\"model\": \"m\"}");
  DECLINES("{\"choices\": [{\"delta\": {\"content\": \"x\", \"role\": "
           "\"assistant\"}, \"index\": 0, \"finish_reason\": null}, {}], "
           "\"model\": \"m\"}");
  DECLINES("{\"error\": \"Stream processing failed\"}");
  /* cut short, or something after the object */
  DECLINES(PRE "\"x\"" MID "\"assistant\"" POST "\"m\"");
  DECLINES(PRE "\"x");
  DECLINES(EV("\"x\"", "\"assistant\"", "\"m\"") "}");
  DECLINES(EV("\"x\"", "\"assistant\"", "\"m\"") " x");
  DECLINES(EV("\"x\"", "\"assistant\"", "\"m\"") "\n{}");
  /* a duplicate key inside the template's place is not the template */
  DECLINES("{\"choices\": [{\"delta\": {\"content\": \"x\", \"content\": "
           "\"y\"}, \"index\": 0, \"finish_reason\": null}], "
           "\"model\": \"m\"}");
}

/* The stream trims blanks around the data, as it does for jansson. */
static void test_blanks_around(void **state)
{
  static const char ev[] = " \t\r\n" EV("\"x\"", "\"assistant\"", "\"m\"")
                           "\n \t";
  (void)state;
  assert_int_equal(same_both_ways(ev, sizeof(ev) - 1), 1);
}

/* A whole stream: only the content chunks are scanned; text assembled. */
static void test_whole_stream(void **state)
{
  static const char body[] =
    "data: " EV("\"Hel\"", "\"assistant\"", "\"gpt-5\"") "\n\n"
    "data: " EV("\"lo \\u00e9\"", "\"assistant\"", "\"gpt-5\"") "\n\n"
    "data: {\"choices\": [{\"delta\": {}, \"index\": 0, \"finish_reason\": "
    "\"stop\"}], \"model\": \"gpt-5\"}\n\n"
    "data: [DONE]\n\n";
  rec r;
  og_llm_stream *s;
  og_llm_result res;
  og_err err;
  (void)state;
  memset(&r, 0, sizeof(r));
  r.chunks = json_array();
  s = og_llm_stream_new(on_chunk, &r);
  assert_non_null(s);
  og_llm_stream_set_chunk_json(s, 0);
  assert_int_equal(og_llm_stream_feed(s, body, sizeof(body) - 1, &err),
                   OG_OK);
  assert_int_equal(og_llm_stream_finish(s, &res, &err), OG_OK);
  assert_int_equal(r.scanned, 2);
  assert_int_equal(json_array_size(r.chunks), 3);
  assert_string_equal(res.text, "Hello \xc3\xa9");
  assert_string_equal(res.model, "gpt-5");
  assert_string_equal(res.role, "assistant");
  assert_string_equal(res.finish_reason, "stop");
  assert_non_null(res.json);
  og_llm_result_free(&res);
  og_llm_stream_free(s);
  json_decref(r.chunks);
}

/* Without a callback nobody can read chunk JSON: the scanner is on. */
static void test_no_callback(void **state)
{
  static const char ev[] = EV("\"x\"", "\"assistant\"", "\"m\"");
  og_llm_stream *s = og_llm_stream_new(NULL, NULL);
  og_llm_result res;
  og_err err;
  (void)state;
  assert_non_null(s);
  assert_int_equal(og_llm_stream_event(s, ev, sizeof(ev) - 1, &err), OG_OK);
  assert_int_equal(og_llm_stream_event(s, final_ev, strlen(final_ev), &err),
                   OG_OK);
  assert_int_equal(og_llm_stream_chunks(s), 2);
  assert_int_equal(og_llm_stream_finish(s, &res, &err), OG_OK);
  assert_string_equal(res.text, "x");
  og_llm_result_free(&res);
  og_llm_stream_free(s);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_gateway_chunks),
    cmocka_unit_test(test_escapes),
    cmocka_unit_test(test_raw_utf8),
    cmocka_unit_test(test_bad_strings),
    cmocka_unit_test(test_other_shapes),
    cmocka_unit_test(test_blanks_around),
    cmocka_unit_test(test_whole_stream),
    cmocka_unit_test(test_no_callback),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
