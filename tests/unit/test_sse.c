/* The SSE parser and the chat stream assembler: every case of
 * tests/vectors/gateway_sse.json at every split point of its bytes, plus
 * the line-level rules one by one. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "opengradient/og_llm.h"
#include "opengradient/og_sse.h"

/* ---- a recorder: SSE events into a JSON array, forwarded to a stream ---- */

/* 1: streams keep every chunk's JSON (jansson only); 0: they do not, so
 * plain content chunks take the scanner. Everything else must not change. */
static int keep_json = 1;
static size_t scanned_chunks; /* chunks seen without JSON */

typedef struct rec {
  json_t *events;        /* array of strings */
  og_llm_stream *stream; /* may be NULL */
  og_result stop_with;   /* make the callback fail after stop_after */
  size_t stop_after;
  /* chunk callback */
  og_buf content;
  size_t chunks, finals;
  char final_content[64];
  int cancel_at; /* cancel on this chunk number (1-based); 0 never */
} rec;

static og_result rec_event(void *user, const char *data, size_t len,
                           og_err *err)
{
  rec *r = user;
  assert_int_equal(strlen(data) <= len, 1);
  assert_int_equal(data[len], 0);
  assert_int_equal(json_array_append_new(r->events,
                                         json_stringn_nocheck(data, len)), 0);
  if(r->stop_with && json_array_size(r->events) == r->stop_after)
    return og_fail(err, r->stop_with, "stopped by test");
  if(r->stream)
    return og_llm_stream_event(r->stream, data, len, err);
  return OG_OK;
}

static int rec_chunk(void *user, const og_llm_chunk *c)
{
  rec *r = user;
  if(keep_json)
    assert_non_null(c->json);
  else if(!c->json) {
    assert_false(c->is_final);
    assert_null(c->finish_reason);
    assert_null(c->tool_calls);
    scanned_chunks++;
  }
  if(c->content_len)
    assert_int_equal(og_buf_add(&r->content, c->content, c->content_len),
                     OG_OK);
  r->chunks++;
  if(c->is_final) {
    r->finals++;
    assert_non_null(c->finish_reason);
    assert_non_null(c->result);
    assert_non_null(c->result->finish_reason);
    assert_string_equal(c->result->finish_reason, c->finish_reason);
    snprintf(r->final_content, sizeof(r->final_content), "%s",
             c->result->text);
  }
  else
    assert_null(c->result);
  return r->cancel_at && (int)r->chunks == r->cancel_at;
}

static void rec_init(rec *r, int with_stream)
{
  memset(r, 0, sizeof(*r));
  r->events = json_array();
  og_buf_init(&r->content, 1 << 20);
  if(with_stream) {
    r->stream = og_llm_stream_new(rec_chunk, r);
    assert_non_null(r->stream);
    og_llm_stream_set_chunk_json(r->stream, keep_json);
  }
}

static void rec_free(rec *r)
{
  json_decref(r->events);
  og_buf_free(&r->content);
  og_llm_stream_free(r->stream);
}

/* ---- the vector cases ---- */

/* Run one case with the body cut at the given points (sorted, may repeat,
 * may include 0 and len) and check everything the case expects. */
static void run_case(const json_t *c, const size_t *cuts, size_t ncuts,
                     int via_stream_feed)
{
  const char *body = tu_str(c, "body");
  size_t len = strlen(body), i, prev = 0;
  const json_t *x = json_object_get(c, "expected");
  const json_t *want_err = json_object_get(x, "error");
  rec r;
  og_sse p;
  og_err err;
  og_result rc = OG_OK;
  og_llm_result res;

  assert_int_equal(len, (size_t)json_integer_value(
                          json_object_get(c, "body_len")));
  rec_init(&r, 1);
  og_sse_init(&p, rec_event, &r);
  for(i = 0; i <= ncuts && !rc; i++) {
    size_t at = i < ncuts ? cuts[i] : len;
    if(via_stream_feed)
      rc = og_llm_stream_feed(r.stream, body + prev, at - prev, &err);
    else
      rc = og_sse_feed(&p, body + prev, at - prev, &err);
    prev = at;
  }
  if(!via_stream_feed) {
    og_sse_finish(&p);
    /* the SSE events themselves */
    assert_true(json_equal(r.events, json_object_get(c,
                                                     "expected_data_events")));
  }
  og_sse_free(&p);
  {
    og_result rc2 = og_llm_stream_finish(r.stream, &res, &err);
    if(rc)
      assert_int_equal(rc2, rc); /* sticky */
    rc = rc2;
  }
  /* the text seen through the chunk callback */
  assert_string_equal(og_buf_str(&r.content),
                      json_string_value(json_object_get(x, "content")));
  assert_int_equal(og_llm_stream_done(r.stream),
                   json_is_true(json_object_get(x, "done_seen")));
  if(json_is_string(want_err)) {
    assert_int_equal(rc, OG_E_SERVER);
    if(!strncmp(json_string_value(want_err), "truncated", 9))
      assert_non_null(strstr(err.msg, "stream ended before its final "
                                      "chunk"));
    else
      assert_non_null(strstr(err.msg, json_string_value(want_err)));
    assert_null(res.text);
    assert_int_equal(r.finals, 0);
  }
  else {
    const json_t *u = json_object_get(x, "usage");
    const json_t *tcs = json_object_get(x, "tool_calls"), *tc;
    size_t k;
    assert_int_equal(rc, OG_OK);
    assert_int_equal(r.finals, 1);
    assert_string_equal(res.text, json_string_value(json_object_get(
                                    x, "content")));
    assert_string_equal(r.final_content, res.text);
    assert_int_equal(res.text_len, strlen(res.text));
    assert_string_equal(res.finish_reason,
                        json_string_value(json_object_get(x,
                                                          "finish_reason")));
    assert_string_equal(res.role, "assistant");
    assert_string_equal(res.model, "gpt-5");
    assert_string_equal(res.tee_output_hash,
                        json_string_value(json_object_get(
                          x, "tee_output_hash")));
    assert_non_null(res.tee_signature);
    assert_non_null(res.tee_request_hash);
    assert_string_equal(res.tee_id, "0x29d0ffc200a161fa22c2222ce8426e6fc474"
                                    "2462b1d02fcc3c58b8d44c647835");
    assert_true(res.has_tee_timestamp);
    assert_true(res.tee_timestamp == 1900000123 ||
                res.tee_timestamp == 1900000456);
    assert_true(res.usage.present);
    assert_int_equal(res.usage.prompt_tokens,
                     json_integer_value(json_object_get(u,
                                                        "prompt_tokens")));
    assert_int_equal(res.usage.completion_tokens,
                     json_integer_value(json_object_get(
                       u, "completion_tokens")));
    assert_int_equal(res.usage.total_tokens,
                     json_integer_value(json_object_get(u,
                                                        "total_tokens")));
    assert_int_equal(res.n_tool_calls, json_array_size(tcs));
    json_array_foreach(tcs, k, tc) {
      const json_t *fn = json_object_get(tc, "function");
      assert_string_equal(res.tool_calls[k].id, tu_str(tc, "id"));
      assert_string_equal(res.tool_calls[k].type, tu_str(tc, "type"));
      assert_string_equal(res.tool_calls[k].name, tu_str(fn, "name"));
      assert_string_equal(res.tool_calls[k].arguments,
                          tu_str(fn, "arguments"));
    }
    {
      /* the tool calls as JSON: the shape the signature covers, and the
       * signed output string (json.dumps(..., sort_keys=True) of them, or
       * the text) */
      json_t *a = og_llm_result_tool_calls_json(&res);
      char *d = json_dumps(a, JSON_SORT_KEYS | JSON_ENSURE_ASCII);
      assert_true(json_equal(a, tcs));
      assert_string_equal(res.n_tool_calls ? d : res.text,
                          tu_str(x, "output_string_for_hash"));
      free(d);
      json_decref(a);
    }
    assert_non_null(res.json);
    assert_string_equal(json_string_value(json_object_get(
                          res.json, "tee_output_hash")),
                        res.tee_output_hash);
  }
  og_llm_result_free(&res);
  rec_free(&r);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static int cmp_size(const void *a, const void *b)
{
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return (x > y) - (x < y);
}

static void vectors_every_split(void)
{
  json_t *v = tu_load_vectors("gateway_sse.json");
  json_t *cases = json_object_get(v, "cases"), *c;
  size_t i;
  assert_true(json_array_size(cases) >= 10);
  json_array_foreach(cases, i, c) {
    size_t len = strlen(tu_str(c, "body")), at, k;
    size_t *cuts = malloc((len + 1) * sizeof(*cuts));
    assert_non_null(cuts);
    /* whole */
    run_case(c, NULL, 0, 0);
    run_case(c, NULL, 0, 1);
    /* every single split */
    for(at = 0; at <= len; at++)
      run_case(c, &at, 1, 0);
    /* byte at a time */
    for(k = 0; k < len; k++)
      cuts[k] = k;
    run_case(c, cuts, len, 0);
    run_case(c, cuts, len, 1);
    /* random multi-splits */
    for(k = 0; k < 30; k++) {
      size_t n = 1 + rng() % 40, j;
      for(j = 0; j < n; j++)
        cuts[j] = rng() % (len + 1);
      qsort(cuts, n, sizeof(*cuts), cmp_size);
      run_case(c, cuts, n, k & 1);
    }
    free(cuts);
  }
  json_decref(v);
}

static void test_vectors_every_split(void **state)
{
  (void)state;
  keep_json = 1;
  scanned_chunks = 0;
  vectors_every_split();
  assert_int_equal(scanned_chunks, 0);
}

/* The same without chunk JSON: the scanner takes the plain content chunks
 * and every expectation still holds. */
static void test_vectors_every_split_scanner(void **state)
{
  (void)state;
  keep_json = 0;
  scanned_chunks = 0;
  vectors_every_split();
  keep_json = 1;
  assert_true(scanned_chunks > 1000);
}

/* ---- the line rules ---- */

/* Feed the pieces (NULL-terminated list) to a fresh parser; return the
 * events as a JSON array (caller frees) and the finish verdict. */
static json_t *events_of(const char *const *pieces, int *dropped,
                         og_result *rc)
{
  rec r;
  og_sse p;
  og_err err;
  json_t *out;
  rec_init(&r, 0);
  og_sse_init(&p, rec_event, &r);
  *rc = OG_OK;
  for(; *pieces && !*rc; pieces++)
    *rc = og_sse_feed(&p, *pieces, strlen(*pieces), &err);
  if(dropped)
    *dropped = og_sse_finish(&p);
  og_sse_free(&p);
  out = json_incref(r.events);
  rec_free(&r);
  return out;
}

/* Expect the events, as a JSON array text, for the pieces. */
#define EXPECT(want, ...)                                              \
  do {                                                                 \
    const char *pieces_[] = {__VA_ARGS__, NULL};                       \
    og_result rc_;                                                     \
    json_t *got_ = events_of(pieces_, NULL, &rc_);                     \
    json_t *w_ = json_loads(want, 0, NULL);                            \
    char *gs_ = json_dumps(got_, JSON_ENCODE_ANY);                     \
    assert_int_equal(rc_, OG_OK);                                      \
    assert_non_null(w_);                                               \
    if(!json_equal(got_, w_))                                          \
      fail_msg("got %s, want %s (line %d)", gs_, want, __LINE__);      \
    free(gs_);                                                         \
    json_decref(got_);                                                 \
    json_decref(w_);                                                   \
  } while(0)

static void test_line_ends(void **state)
{
  (void)state;
  EXPECT("[\"a\"]", "data: a\n\n");
  EXPECT("[\"a\"]", "data: a\r\n\r\n");
  EXPECT("[\"a\"]", "data: a\r\r");
  EXPECT("[\"a\", \"b\"]", "data: a\r\rdata: b\n\n");
  /* CR at the end of one feed, LF at the start of the next: one end */
  EXPECT("[\"a\\nb\"]", "data: a\r", "\ndata: b\r\n\r\n");
  EXPECT("[\"a\"]", "data: a\r", "\n", "\r", "\n");
  /* but CR then CR is two line ends */
  EXPECT("[\"a\"]", "data: a\r", "\r");
  /* LF then LF after a CR-terminated line */
  EXPECT("[\"a\"]", "data: a\r\n", "\n");
  /* a lone LF after CR LF is a blank line */
  EXPECT("[\"a\", \"b\"]", "data: a\r\n\ndata: b\n\n");
  /* mixed */
  EXPECT("[\"x\\ny\\nz\"]", "data: x\rdata: y\r\ndata: z\n\r\n");
}

static void test_fields(void **state)
{
  (void)state;
  EXPECT("[\"a\"]", "data:a\n\n");
  EXPECT("[\" a\"]", "data:  a\n\n"); /* only one space is stripped */
  EXPECT("[\"a \"]", "data: a \n\n");
  EXPECT("[\"\"]", "data\n\n");       /* bare field: empty value */
  EXPECT("[\"\"]", "data:\n\n");
  EXPECT("[\"\\n\"]", "data\ndata\n\n");
  EXPECT("[\"a\\n\\nb\"]", "data: a\ndata:\ndata: b\n\n");
  EXPECT("[]", "data : a\n\n");       /* field "data " is not data */
  EXPECT("[]", "Data: a\n\n");        /* names are case-sensitive */
  EXPECT("[]", "datax: a\n\n");
  EXPECT("[]", "dat: a\n\n");
  EXPECT("[]", "event: x\nid: 1\nretry: 5\n\n");
  EXPECT("[\"v\"]", "event: x\nid: 1\ndata: v\nretry: 5\nfoo\n\n");
  EXPECT("[]", ": comment\n\n");
  EXPECT("[]", ":data: x\n\n");
  EXPECT("[\"v\"]", ": c\ndata: v\n: c2\n\n");
  EXPECT("[\"a:b: c\"]", "data: a:b: c\n\n");
  /* blank lines without data dispatch nothing */
  EXPECT("[]", "\n\n\n\r\n\r");
  EXPECT("[\"1\", \"2\"]", "\n\ndata: 1\n\n\n\ndata: 2\n\n\n");
  /* field name split across feeds, at every place */
  EXPECT("[\"v\"]", "d", "a", "t", "a", ":", " ", "v", "\n", "\n");
  EXPECT("[\"v\"]", "da", "ta: v\n\n");
  EXPECT("[]", "dat", "ax: v\n\n");
  EXPECT("[\"v\"]", "data:", " v\n\n");
  EXPECT("[\" v\"]", "data: ", " v\n\n");
  /* UTF-8 split inside a sequence */
  EXPECT("[\"w\xc3\xb6r\"]", "data: w\xc3", "\xb6r\n\n");
  EXPECT("[\"\xe2\x82\xac\"]", "data: \xe2", "\x82", "\xac\n\n");
}

static void test_bom(void **state)
{
  (void)state;
  EXPECT("[\"a\"]", "\xef\xbb\xbf" "data: a\n\n");
  EXPECT("[\"a\"]", "\xef", "\xbb", "\xbf", "data: a\n\n");
  EXPECT("[\"a\"]", "\xef\xbb", "\xbf" "data: a\n\n");
  /* only one BOM, only at the start */
  EXPECT("[]", "\xef\xbb\xbf\xef\xbb\xbf" "data: a\n\n");
  EXPECT("[\"\xef\xbb\xbf" "a\"]", "data: \xef\xbb\xbf" "a\n\n");
  /* a BOM prefix that is not a BOM is content (here: the field name) */
  EXPECT("[]", "\xef\xbb", "data: a\n\n");
  EXPECT("[\"a\"]", "\xef\xbb", "\n\ndata: a\n\n");
  /* no BOM: a first byte that merely starts like one */
  EXPECT("[\"b\"]", "data: b\n\n");
}

static void test_unterminated(void **state)
{
  const char *p1[] = {"data: a\n\ndata: b\n", NULL};
  const char *p2[] = {"data: a\n\ndata: b", NULL};
  const char *p3[] = {"data: a\n\n: partial comment", NULL};
  int dropped;
  og_result rc;
  json_t *e;
  (void)state;
  e = events_of(p1, &dropped, &rc);
  assert_int_equal(json_array_size(e), 1);
  assert_int_equal(dropped, 1);
  json_decref(e);
  e = events_of(p2, &dropped, &rc);
  assert_int_equal(json_array_size(e), 1);
  assert_int_equal(dropped, 1);
  json_decref(e);
  e = events_of(p3, &dropped, &rc);
  assert_int_equal(json_array_size(e), 1);
  assert_int_equal(dropped, 0);
  json_decref(e);
}

static void test_nul_bytes(void **state)
{
  rec r;
  og_sse p;
  og_err err;
  static const char in[] = "data: a\0b\n\n";
  (void)state;
  rec_init(&r, 0);
  og_sse_init(&p, rec_event, &r);
  assert_int_equal(og_sse_feed(&p, in, sizeof(in) - 1, &err), OG_OK);
  assert_int_equal(json_array_size(r.events), 1);
  assert_int_equal(json_string_length(json_array_get(r.events, 0)), 3);
  assert_memory_equal(json_string_value(json_array_get(r.events, 0)),
                      "a\0b", 3);
  og_sse_free(&p);
  rec_free(&r);
}

static og_result feed_all(og_sse *p, const char *s, size_t step,
                          og_err *err)
{
  size_t len = strlen(s), off;
  og_result rc = OG_OK;
  for(off = 0; off < len && !rc; off += step)
    rc = og_sse_feed(p, s + off, len - off < step ? len - off : step, err);
  return rc;
}

static void test_limits(void **state)
{
  rec r;
  og_sse p;
  og_err err;
  size_t step;
  (void)state;
  for(step = 1; step <= 64; step *= 4) {
    /* a line of exactly 16 bytes passes, 17 does not */
    rec_init(&r, 0);
    og_sse_init(&p, rec_event, &r);
    og_sse_set_limits(&p, 16, 0);
    assert_int_equal(feed_all(&p, "data: 0123456789\n\n", step, &err),
                     OG_OK);
    assert_int_equal(json_array_size(r.events), 1);
    assert_int_equal(feed_all(&p, ": 34567890123456\n", step, &err),
                     OG_OK);
    assert_int_equal(feed_all(&p, ": 345678901234567\n", step, &err),
                     OG_E_TOO_LARGE);
    assert_non_null(strstr(err.msg, "line longer than 16"));
    /* sticky */
    assert_int_equal(og_sse_feed(&p, "\n", 1, &err), OG_E_TOO_LARGE);
    og_sse_reset(&p);
    assert_int_equal(feed_all(&p, "data: x\n\n", step, &err), OG_OK);
    assert_int_equal(json_array_size(r.events), 2);
    /* a long field name counts too */
    assert_int_equal(feed_all(&p, "abcdefghijklmnopq\n", step, &err),
                     OG_E_TOO_LARGE);
    og_sse_free(&p);
    rec_free(&r);

    /* event data: 10 bytes pass (LF joins count), 11 do not */
    rec_init(&r, 0);
    og_sse_init(&p, rec_event, &r);
    og_sse_set_limits(&p, 0, 10);
    assert_int_equal(feed_all(&p, "data: 0123456789\n\n", step, &err),
                     OG_OK);
    assert_int_equal(feed_all(&p, "data: 01234\ndata: 0123\n\n", step,
                              &err), OG_OK);
    assert_int_equal(json_array_size(r.events), 2);
    assert_int_equal(feed_all(&p, "data: 01234\ndata: 01234\n\n", step,
                              &err), OG_E_TOO_LARGE);
    assert_non_null(strstr(err.msg, "larger than 10"));
    assert_int_equal(json_array_size(r.events), 2);
    og_sse_free(&p);
    rec_free(&r);
  }
  /* the default is 1 MiB */
  rec_init(&r, 0);
  og_sse_init(&p, rec_event, &r);
  {
    size_t n = (1u << 20) + 1;
    char *big = malloc(n + 8);
    assert_non_null(big);
    memcpy(big, "data:", 5);
    memset(big + 5, 'x', n);
    assert_int_equal(og_sse_feed(&p, big, n + 5, &err), OG_E_TOO_LARGE);
    free(big);
  }
  og_sse_free(&p);
  rec_free(&r);
}

static void test_callback_error(void **state)
{
  rec r;
  og_sse p;
  og_err err;
  (void)state;
  rec_init(&r, 0);
  r.stop_with = OG_E_CANCELLED;
  r.stop_after = 2;
  og_sse_init(&p, rec_event, &r);
  assert_int_equal(og_sse_feed(&p, "data: 1\n\ndata: 2\n\ndata: 3\n\n", 27,
                               &err), OG_E_CANCELLED);
  assert_string_equal(err.msg, "stopped by test");
  assert_int_equal(json_array_size(r.events), 2);
  assert_int_equal(og_sse_feed(&p, "data: 4\n\n", 9, &err), OG_E_CANCELLED);
  assert_int_equal(json_array_size(r.events), 2);
  og_sse_free(&p);
  rec_free(&r);
}

static void test_pending(void **state)
{
  rec r;
  og_sse p;
  (void)state;
  rec_init(&r, 0);
  og_sse_init(&p, rec_event, &r);
  assert_false(og_sse_pending(&p));
  assert_int_equal(og_sse_feed(&p, "\xef", 1, NULL), OG_OK);
  assert_true(og_sse_pending(&p));
  assert_int_equal(og_sse_feed(&p, "\xbb\xbf", 2, NULL), OG_OK);
  assert_false(og_sse_pending(&p));
  assert_int_equal(og_sse_feed(&p, "da", 2, NULL), OG_OK);
  assert_true(og_sse_pending(&p));
  assert_int_equal(og_sse_feed(&p, "ta: x\n", 6, NULL), OG_OK);
  assert_true(og_sse_pending(&p));
  assert_int_equal(og_sse_feed(&p, "\n", 1, NULL), OG_OK);
  assert_false(og_sse_pending(&p));
  assert_int_equal(json_array_size(r.events), 1);
  og_sse_free(&p);
  rec_free(&r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_vectors_every_split),
    cmocka_unit_test(test_vectors_every_split_scanner),
    cmocka_unit_test(test_line_ends),
    cmocka_unit_test(test_fields),
    cmocka_unit_test(test_bom),
    cmocka_unit_test(test_unterminated),
    cmocka_unit_test(test_nul_bytes),
    cmocka_unit_test(test_limits),
    cmocka_unit_test(test_callback_error),
    cmocka_unit_test(test_pending),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
