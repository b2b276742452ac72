/* libFuzzer harness: bytes through the SSE parser and the chat stream
 * assembler, split at fuzzer-chosen points, checked against the same bytes
 * fed whole (the outcome must not depend on the splits). The split run
 * keeps every chunk's JSON (jansson only); the whole run does not, so the
 * gateway content-chunk scanner must agree with jansson too.
 *
 * Input: byte 0 = flags (bit 0-3: number of split sizes, bit 4: small
 * limits, bit 5-7: cancel at chunk n, 0 = never), then that many split
 * sizes (1..256 bytes each, used in turn), then the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_llm.h"
#include "opengradient/og_sse.h"

typedef struct outcome {
  og_result feed_rc, finish_rc;
  size_t chunks, finals, events;
  og_llm_result res;
  og_buf content; /* the chunks' content, concatenated */
  int cancel_at;
} outcome;

static int on_chunk(void *user, const og_llm_chunk *c)
{
  outcome *o = user;
  o->chunks++;
  if(c->content_len && !c->content)
    abort();
  if(c->content_len && og_buf_add(&o->content, c->content, c->content_len))
    abort();
  /* web-search status strings are readable NUL-terminated text */
  if(c->web_search_status)
    o->events += 0 * strlen(c->web_search_status);
  if(c->web_search_query)
    o->events += 0 * strlen(c->web_search_query);
  if(c->is_final) {
    o->finals++;
    if(!c->result || !c->finish_reason)
      abort();
  }
  return o->cancel_at && (int)o->chunks == o->cancel_at;
}

static og_result on_event(void *user, const char *data, size_t len,
                          og_err *err)
{
  size_t *n = user;
  (void)err;
  if(data[len] != 0)
    abort();
  (*n)++;
  return OG_OK;
}

static void run(outcome *o, const uint8_t *body, size_t len,
                const uint8_t *sizes, size_t nsizes, int small)
{
  og_llm_stream *s = og_llm_stream_new(on_chunk, o);
  og_sse p;
  og_err err;
  size_t off = 0, k = 0;
  if(!s)
    abort();
  og_llm_stream_set_chunk_json(s, sizes != NULL);
  og_sse_init(&p, on_event, &o->events);
  if(small) {
    og_llm_stream_set_limits(s, 64, 200);
    og_sse_set_limits(&p, 64, 200);
  }
  while(off < len) {
    size_t n = nsizes ? (size_t)sizes[k++ % nsizes] + 1 : len;
    og_result rc;
    if(n > len - off)
      n = len - off;
    rc = og_llm_stream_feed(s, body + off, n, &err);
    if(rc && !o->feed_rc)
      o->feed_rc = rc;
    if(og_sse_feed(&p, body + off, n, &err) != OG_OK && !small)
      abort(); /* only limits can fail the bare parser */
    off += n;
  }
  og_sse_finish(&p);
  og_sse_free(&p);
  o->finish_rc = og_llm_stream_finish(s, &o->res, &err);
  if(o->feed_rc && o->finish_rc != o->feed_rc)
    abort(); /* errors are sticky */
  if(!o->finish_rc && o->finals != 1)
    abort();
  og_llm_stream_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  outcome a, b;
  size_t nsizes;
  int small, cancel;
  if(size < 1)
    return 0;
  nsizes = data[0] & 15;
  small = (data[0] >> 4) & 1;
  cancel = data[0] >> 5;
  if(size < 1 + nsizes)
    return 0;
  memset(&a, 0, sizeof(a));
  memset(&b, 0, sizeof(b));
  a.cancel_at = b.cancel_at = cancel;
  og_buf_init(&a.content, (size_t)1 << 24);
  og_buf_init(&b.content, (size_t)1 << 24);
  run(&a, data + 1 + nsizes, size - 1 - nsizes, data + 1, nsizes, small);
  run(&b, data + 1 + nsizes, size - 1 - nsizes, NULL, 0, small);
  if(a.finish_rc != b.finish_rc || a.chunks != b.chunks ||
     a.finals != b.finals || a.content.len != b.content.len ||
     memcmp(og_buf_str(&a.content), og_buf_str(&b.content), a.content.len))
    abort();
  if(!small && a.events != b.events)
    abort();
  if(!a.finish_rc) {
    if(a.res.text_len != b.res.text_len ||
       memcmp(a.res.text, b.res.text, a.res.text_len) ||
       a.res.n_tool_calls != b.res.n_tool_calls)
      abort();
    /* newer gateways' extras: the same whatever the splits */
    if(memcmp(&a.res.cost, &b.res.cost, sizeof(a.res.cost)) ||
       !a.res.cost_json != !b.res.cost_json ||
       !a.res.citations != !b.res.citations ||
       !a.res.images != !b.res.images ||
       (a.res.citations && !json_equal(a.res.citations, b.res.citations)) ||
       (a.res.images && !json_equal(a.res.images, b.res.images)))
      abort();
    if(a.res.cost.present) {
      char opg[100];
      if(og_llm_cost_opg_text(opg, sizeof(opg), a.res.cost.cost_opg, NULL) ||
         strlen(strchr(opg, '.') + 1) != 18)
        abort();
    }
    json_decref(og_llm_result_message_json(&a.res));
  }
  og_llm_result_free(&a.res);
  og_llm_result_free(&b.res);
  og_buf_free(&a.content);
  og_buf_free(&b.content);
  return 0;
}
