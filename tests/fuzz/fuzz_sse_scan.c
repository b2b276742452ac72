/* libFuzzer harness: the gateway content-chunk scanner (stream_scan.c)
 * against jansson.
 *
 * 1. Whatever the scanner accepts, jansson must parse to exactly the
 *    gateway's content-chunk shape with the same content, role and model
 *    bytes.
 * 2. A stream that keeps chunk JSON (jansson for every event) and one that
 *    does not (the scanner first) must give the same chunks, the same
 *    error (code and message) and the same result, event by event.
 *
 * Input: byte 0 = mode. Mode bit 0 clear: the rest is the data of one
 * event. Set: the rest is split at 0xFF bytes into content, role and model
 * (missing pieces are "assistant" and "m"), each written between quotes
 * into the gateway's template (a piece that is exactly "\xFE" is written
 * as null), so that the fuzzer works on string contents: escapes,
 * surrogates, UTF-8. Bit 1: follow the event with a gateway final chunk. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "llm/llm_internal.h"
#include "opengradient/og_llm.h"

static const char final_ev[] =
  "{\"choices\": [{\"delta\": {}, \"index\": 0, \"finish_reason\": "
  "\"stop\"}], \"model\": \"m\"}";

typedef struct rec {
  json_t *chunks;
  int fast; /* chunks seen without json */
} rec;

static json_t *strn_or_null(const char *s, size_t n)
{
  return s ? json_stringn_nocheck(s, n) : json_null();
}

static json_t *str_or_null(const char *s)
{
  return s ? json_stringn_nocheck(s, strlen(s)) : json_null();
}

static int on_chunk(void *user, const og_llm_chunk *c)
{
  rec *r = user;
  json_t *o;
  if(!c->json) {
    /* only plain content chunks may come without their JSON */
    if(c->is_final || c->finish_reason || c->tool_calls || c->usage ||
       c->result)
      abort();
    r->fast++;
  }
  if(c->content && c->content[c->content_len] != 0)
    abort();
  o = json_pack("[o,o,o,o,b,b,b]",
                strn_or_null(c->content, c->content_len),
                str_or_null(c->role), str_or_null(c->model),
                str_or_null(c->finish_reason), c->is_final,
                c->usage != NULL, c->tool_calls != NULL);
  if(!o || json_array_append_new(r->chunks, o))
    abort();
  return 0;
}

typedef struct run_out {
  og_result rc[2], finish;
  og_err err;
  og_llm_result res;
  rec r;
} run_out;

static void run(run_out *o, int keep_json, const char *ev, size_t len,
                int with_final)
{
  og_llm_stream *s;
  og_err e;
  memset(o, 0, sizeof(*o));
  o->r.chunks = json_array();
  s = og_llm_stream_new(on_chunk, &o->r);
  if(!s || !o->r.chunks)
    abort();
  og_llm_stream_set_chunk_json(s, keep_json);
  og_err_clear(&o->err);
  o->rc[0] = og_llm_stream_event(s, ev, len, &o->err);
  if(with_final)
    o->rc[1] = og_llm_stream_event(s, final_ev, sizeof(final_ev) - 1, &e);
  o->finish = og_llm_stream_finish(s, &o->res, &e);
  if(o->finish && !o->rc[0] && !o->rc[1])
    o->err = e;
  og_llm_stream_free(s);
}

static int same_str(const char *a, const char *b)
{
  return (!a && !b) || (a && b && !strcmp(a, b));
}

static void differential(const char *ev, size_t len, int with_final)
{
  run_out a, b;
  run(&a, 1, ev, len, with_final);
  run(&b, 0, ev, len, with_final);
  if(a.r.fast)
    abort();
  if(a.rc[0] != b.rc[0] || a.rc[1] != b.rc[1] || a.finish != b.finish ||
     strcmp(a.err.msg, b.err.msg) || !json_equal(a.r.chunks, b.r.chunks))
    abort();
  if(!a.finish &&
     (a.res.text_len != b.res.text_len ||
      memcmp(a.res.text, b.res.text, a.res.text_len) ||
      !same_str(a.res.model, b.res.model) ||
      !same_str(a.res.role, b.res.role) ||
      !same_str(a.res.finish_reason, b.res.finish_reason)))
    abort();
  og_llm_result_free(&a.res);
  og_llm_result_free(&b.res);
  json_decref(a.r.chunks);
  json_decref(b.r.chunks);
}

/* The decoded field (offset/length into out) equals jansson's member. */
static void same_field(const json_t *obj, const char *key, const og_buf *out,
                       size_t off, size_t len)
{
  const json_t *v = json_object_get(obj, key);
  if(!v)
    abort();
  if(off == LLM_SCAN_NONE) {
    if(!json_is_null(v))
      abort();
    return;
  }
  if(!json_is_string(v) || json_string_length(v) != len ||
     memcmp(json_string_value(v), out->data + off, len) ||
     out->data[off + len] != 0)
    abort();
}

static void oracle(const char *ev, size_t len)
{
  llm_fast_chunk fc;
  og_buf out;
  json_t *root;
  const json_t *ch, *c0, *d;
  og_buf_init(&out, (size_t)1 << 20);
  if(!llm_scan_chunk(&fc, &out, ev, len)) {
    og_buf_free(&out);
    return;
  }
  root = json_loadb(ev, len, JSON_ALLOW_NUL, NULL);
  if(!root || json_object_size(root) != 2)
    abort();
  ch = json_object_get(root, "choices");
  c0 = json_array_get(ch, 0);
  d = json_object_get(c0, "delta");
  if(json_array_size(ch) != 1 || json_object_size(c0) != 3 ||
     json_object_size(d) != 2 ||
     json_integer_value(json_object_get(c0, "index")) != 0 ||
     !json_is_integer(json_object_get(c0, "index")) ||
     !json_is_null(json_object_get(c0, "finish_reason")))
    abort();
  same_field(d, "content", &out, fc.content, fc.content_len);
  same_field(d, "role", &out, fc.role, fc.role_len);
  same_field(root, "model", &out, fc.model, fc.model_len);
  json_decref(root);
  og_buf_free(&out);
}

static int add_piece(og_buf *b, const uint8_t *p, size_t n)
{
  if(n == 1 && p[0] == 0xFE)
    return og_buf_addstr(b, "null") != OG_OK;
  return og_buf_addc(b, '"') || og_buf_add(b, p, n) || og_buf_addc(b, '"');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  og_buf ev;
  int mode;
  if(size < 1 || size > 4096)
    return 0;
  mode = data[0];
  data++;
  size--;
  og_buf_init(&ev, 1 << 16);
  if(!(mode & 1)) {
    if(og_buf_add(&ev, data, size))
      abort();
  }
  else {
    const uint8_t *piece[3] = {NULL, (const uint8_t *)"assistant",
                               (const uint8_t *)"m"};
    size_t plen[3] = {0, 9, 1};
    size_t i, k = 0, start = 0;
    for(i = 0; i <= size && k < 3; i++) {
      if(i == size || data[i] == 0xFF) {
        piece[k] = data + start;
        plen[k] = i - start;
        k++;
        start = i + 1;
      }
    }
    if(og_buf_addstr(&ev, "{\"choices\": [{\"delta\": {\"content\": ") ||
       add_piece(&ev, piece[0], plen[0]) ||
       og_buf_addstr(&ev, ", \"role\": ") ||
       add_piece(&ev, piece[1], plen[1]) ||
       og_buf_addstr(&ev, "}, \"index\": 0, \"finish_reason\": null}], "
                          "\"model\": ") ||
       add_piece(&ev, piece[2], plen[2]) || og_buf_addc(&ev, '}'))
      abort();
  }
  oracle(og_buf_str(&ev), ev.len);
  differential(og_buf_str(&ev), ev.len, (mode >> 1) & 1);
  og_buf_free(&ev);
  return 0;
}
