/* The chat stream assembler (see og_llm.h): SSE events in, chunks out
 * through the callback, one og_llm_result at the end.
 *
 * Rules (gateway-api.md 5.3): the final chunk is the first one with a
 * non-null finish_reason; tool calls are grouped by index (last non-empty
 * id and name, first type, arguments concatenated); an {"error": ...}
 * frame fails the stream; "[DONE]" ends it; a missing or empty delta falls
 * back to "message" (the non-streamed shape some proxies send). */
#include <stdlib.h>
#include <string.h>

#include "llm_internal.h"

typedef struct tc_acc {
  int64_t index;
  char *id;
  char *type;
  char *name;
  og_buf args;
} tc_acc;

struct og_llm_stream {
  og_sse sse;
  og_llm_chunk_cb cb;
  void *user;
  og_result failed; /* sticky */
  og_err ferr;      /* its message */
  int done;         /* [DONE] seen */
  int final_seen;
  size_t chunks;
  og_buf text;
  og_buf scratch; /* flattened list content of one chunk */
  og_buf scan;    /* strings of a chunk decoded by llm_scan_chunk */
  int want_json;  /* chunks must carry their jansson object */
  char *model;
  size_t model_len;
  char *role;
  size_t role_len;
  tc_acc *tc;
  size_t n_tc;
  size_t tc_total;    /* tool-call bytes so far (OG_LLM_MAX_TOOL_TOTAL) */
  og_llm_result meta; /* finish_reason, usage and tee_* merged so far */
  json_t *final_json;
};

static og_result on_event(void *user, const char *data, size_t len,
                          og_err *err);

og_llm_stream *og_llm_stream_new(og_llm_chunk_cb cb, void *user)
{
  og_llm_stream *s = calloc(1, sizeof(*s));
  if(!s)
    return NULL;
  og_sse_init(&s->sse, on_event, s);
  s->cb = cb;
  s->user = user;
  s->want_json = cb != NULL;
  og_buf_init(&s->text, OG_LLM_MAX_TEXT);
  og_buf_init(&s->scratch, OG_LLM_MAX_TEXT);
  og_buf_init(&s->scan, OG_LLM_MAX_RESPONSE);
  return s;
}

void og_llm_stream_free(og_llm_stream *s)
{
  size_t i;
  if(!s)
    return;
  og_sse_free(&s->sse);
  og_buf_free(&s->text);
  og_buf_free(&s->scratch);
  og_buf_free(&s->scan);
  free(s->model);
  free(s->role);
  for(i = 0; i < s->n_tc; i++) {
    free(s->tc[i].id);
    free(s->tc[i].type);
    free(s->tc[i].name);
    og_buf_free(&s->tc[i].args);
  }
  free(s->tc);
  og_llm_result_free(&s->meta);
  json_decref(s->final_json);
  free(s);
}

void og_llm_stream_set_limits(og_llm_stream *s, size_t max_line,
                              size_t max_event)
{
  og_sse_set_limits(&s->sse, max_line, max_event);
}

void og_llm_stream_set_chunk_json(og_llm_stream *s, int on)
{
  s->want_json = on != 0;
}

int og_llm_stream_done(const og_llm_stream *s)
{
  return s->done;
}

size_t og_llm_stream_chunks(const og_llm_stream *s)
{
  return s->chunks;
}

/* Record a failure (its message is in s->ferr) and hand it back. */
static og_result stream_fail(og_llm_stream *s, og_result r, og_err *err)
{
  s->failed = r;
  if(err && err != &s->ferr)
    memcpy(err->msg, s->ferr.msg, sizeof(err->msg));
  return r;
}

static og_result nomem(og_llm_stream *s)
{
  return og_fail(&s->ferr, OG_E_NOMEM, "out of memory assembling the "
                 "stream");
}

static og_result set_dup(og_llm_stream *s, char **dst, const char *v,
                         size_t n)
{
  char *c = llm_strndup(v, n);
  if(!c)
    return nomem(s);
  free(*dst);
  *dst = c;
  return OG_OK;
}

/* set_dup for a value that is usually the same in every chunk (model,
 * role): no allocation when it did not change. */
static og_result keep_dup(og_llm_stream *s, char **dst, size_t *dst_len,
                          const char *v, size_t n)
{
  og_result r;
  if(*dst && *dst_len == n && !memcmp(*dst, v, n))
    return OG_OK;
  r = set_dup(s, dst, v, n);
  if(!r)
    *dst_len = n;
  return r;
}

static tc_acc *tc_find(og_llm_stream *s, int64_t index)
{
  size_t i;
  tc_acc *t;
  for(i = 0; i < s->n_tc; i++)
    if(s->tc[i].index == index)
      return &s->tc[i];
  if(s->n_tc >= OG_LLM_MAX_TOOL_CALLS)
    return NULL;
  t = realloc(s->tc, (s->n_tc + 1) * sizeof(*t));
  if(!t)
    return NULL;
  s->tc = t;
  t = &s->tc[s->n_tc++];
  memset(t, 0, sizeof(*t));
  t->index = index;
  og_buf_init(&t->args, OG_LLM_MAX_TEXT);
  return t;
}

/* Merge one delta's tool_calls array. */
static og_result merge_tool_calls(og_llm_stream *s, const json_t *arr)
{
  size_t i;
  const json_t *d;
  json_array_foreach(arr, i, d) {
    const json_t *ix, *fn;
    const char *id, *type, *name = NULL, *args = NULL;
    size_t idn, typen, namen = 0, argsn = 0;
    int64_t index;
    tc_acc *t;
    og_result r;

    if(!json_is_object(d))
      return og_fail(&s->ferr, OG_E_PARSE, "stream tool_calls[%zu] is "
                     "not an object", i);
    ix = json_object_get(d, "index");
    if(ix && !json_is_null(ix) && !json_is_integer(ix))
      return og_fail(&s->ferr, OG_E_PARSE, "stream tool call index is "
                     "not an integer");
    /* without an index (the non-streamed shape) the position counts */
    index = json_is_integer(ix) ? json_integer_value(ix) : (int64_t)i;
    r = llm_opt_string(&id, &idn, d, "id", "tool call", &s->ferr);
    if(!r)
      r = llm_opt_string(&type, &typen, d, "type", "tool call", &s->ferr);
    if(r)
      return r;
    fn = json_object_get(d, "function");
    if(fn && !json_is_null(fn)) {
      if(!json_is_object(fn))
        return og_fail(&s->ferr, OG_E_PARSE, "stream tool call function "
                       "is not an object");
      r = llm_opt_string(&name, &namen, fn, "name", "function", &s->ferr);
      if(!r)
        r = llm_opt_string(&args, &argsn, fn, "arguments", "function",
                           &s->ferr);
      if(r)
        return r;
    }
    /* each call is capped, and so are all of them together */
    if(argsn + idn + namen > OG_LLM_MAX_TOOL_TOTAL - s->tc_total)
      return og_fail(&s->ferr, OG_E_TOO_LARGE, "tool calls in the stream "
                     "larger than %zu bytes in total", OG_LLM_MAX_TOOL_TOTAL);
    s->tc_total += argsn + idn + namen;
    t = tc_find(s, index);
    if(!t) {
      if(s->n_tc >= OG_LLM_MAX_TOOL_CALLS)
        return og_fail(&s->ferr, OG_E_TOO_LARGE, "more than %d tool "
                       "calls in the stream", OG_LLM_MAX_TOOL_CALLS);
      return nomem(s);
    }
    if(id && idn)
      r = set_dup(s, &t->id, id, idn);
    if(!r && name && namen)
      r = set_dup(s, &t->name, name, namen);
    if(!r && type && typen && !t->type)
      r = set_dup(s, &t->type, type, typen);
    if(r)
      return r;
    if(argsn) {
      r = og_buf_add(&t->args, args, argsn);
      if(r == OG_E_TOO_LARGE)
        return og_fail(&s->ferr, r, "tool call arguments larger than %zu "
                       "bytes", t->args.max);
      if(r)
        return nomem(s);
    }
  }
  return OG_OK;
}

static int tc_cmp(const void *a, const void *b)
{
  const tc_acc *x = *(const tc_acc *const *)a;
  const tc_acc *y = *(const tc_acc *const *)b;
  return (x->index > y->index) - (x->index < y->index);
}

static char *dup_or_null(const char *s, int *bad)
{
  char *c;
  if(!s)
    return NULL;
  c = llm_strndup(s, strlen(s));
  if(!c)
    *bad = 1;
  return c;
}

/* A copy of everything assembled so far. */
static og_result build_result(og_llm_stream *s, og_llm_result *out)
{
  int bad = 0;
  size_t i;
  memset(out, 0, sizeof(*out));
  out->model = dup_or_null(s->model, &bad);
  out->finish_reason = dup_or_null(s->meta.finish_reason, &bad);
  out->role = dup_or_null(s->role ? s->role : "assistant", &bad);
  out->text = llm_strndup(og_buf_str(&s->text), s->text.len);
  out->text_len = s->text.len;
  bad |= !out->text;
  out->usage = s->meta.usage;
  out->tee_signature = dup_or_null(s->meta.tee_signature, &bad);
  out->tee_request_hash = dup_or_null(s->meta.tee_request_hash, &bad);
  out->tee_output_hash = dup_or_null(s->meta.tee_output_hash, &bad);
  out->tee_id = dup_or_null(s->meta.tee_id, &bad);
  out->has_tee_timestamp = s->meta.has_tee_timestamp;
  out->tee_timestamp = s->meta.tee_timestamp;
  out->cost = s->meta.cost;
  out->cost_json = json_incref(s->meta.cost_json);
  out->citations = json_incref(s->meta.citations);
  out->images = json_incref(s->meta.images);
  if(s->n_tc && !bad) {
    tc_acc **order = malloc(s->n_tc * sizeof(*order));
    out->tool_calls = calloc(s->n_tc, sizeof(*out->tool_calls));
    if(!order || !out->tool_calls)
      bad = 1;
    else {
      for(i = 0; i < s->n_tc; i++)
        order[i] = &s->tc[i];
      qsort(order, s->n_tc, sizeof(*order), tc_cmp);
      out->n_tool_calls = s->n_tc;
      for(i = 0; i < s->n_tc; i++) {
        og_llm_tool_call *c = &out->tool_calls[i];
        c->id = dup_or_null(order[i]->id, &bad);
        c->type = dup_or_null(order[i]->type, &bad);
        c->name = dup_or_null(order[i]->name, &bad);
        c->arguments = llm_strndup(og_buf_str(&order[i]->args),
                                   order[i]->args.len);
        c->arguments_len = order[i]->args.len;
        bad |= !c->arguments;
      }
    }
    free(order);
  }
  if(s->final_json)
    out->json = json_incref(s->final_json);
  if(bad) {
    og_llm_result_free(out);
    return nomem(s);
  }
  return OG_OK;
}

static og_result add_text(og_llm_stream *s, const char *p, size_t n)
{
  og_result r;
  if(!n)
    return OG_OK;
  r = og_buf_add(&s->text, p, n);
  if(r == OG_E_TOO_LARGE)
    return og_fail(&s->ferr, r, "streamed text larger than %zu bytes",
                   s->text.max);
  if(r)
    return nomem(s);
  return OG_OK;
}

static og_result cancelled(og_llm_stream *s)
{
  return og_fail(&s->ferr, OG_E_CANCELLED, "stream cancelled by the "
                 "caller");
}

static int has_members(const json_t *v)
{
  return json_is_object(v) && json_object_size(v) > 0;
}

/* One parsed chunk. */
static og_result on_chunk(og_llm_stream *s, json_t *root)
{
  const json_t *e, *choices, *c0 = NULL, *delta = NULL, *v;
  og_llm_chunk ck;
  og_llm_usage usage;
  og_llm_result snap;
  const char *fr = NULL;
  size_t n;
  og_result r;
  int cancel;

  if(!json_is_object(root))
    return og_fail(&s->ferr, OG_E_PARSE, "stream event is not a JSON "
                   "object");
  e = json_object_get(root, "error");
  if(e && !json_is_null(e)) {
    char text[400];
    llm_error_text(text, sizeof(text), root);
    return og_fail(&s->ferr, OG_E_SERVER, "server reported an error in "
                   "the stream: %s", text);
  }
  memset(&ck, 0, sizeof(ck));
  ck.json = root;
  r = llm_opt_string(&ck.model, &n, root, "model", "chunk", &s->ferr);
  if(r)
    return r;
  ck.model_len = ck.model ? n : 0;
  if(ck.model) {
    r = keep_dup(s, &s->model, &s->model_len, ck.model, n);
    if(r)
      return r;
  }
  r = llm_usage(&usage, root, &s->ferr);
  if(r)
    return r;
  if(usage.present) {
    s->meta.usage = usage;
    ck.usage = &s->meta.usage;
  }
  r = llm_tee_fields(&s->meta, root, &s->ferr);
  if(r)
    return r;
  /* newer gateways: cost, citations, images (not signed), and web-search
   * status frames (progress, never text) */
  llm_extras(&s->meta, root, NULL);
  v = json_object_get(root, "web_search");
  if(json_is_object(v)) {
    const json_t *st = json_object_get(v, "status");
    const json_t *q = json_object_get(v, "query");
    ck.web_search_status = json_is_string(st) ? json_string_value(st)
                                              : NULL;
    ck.web_search_query = json_is_string(q) ? json_string_value(q) : NULL;
  }

  choices = json_object_get(root, "choices");
  if(choices && !json_is_null(choices) && !json_is_array(choices))
    return og_fail(&s->ferr, OG_E_PARSE, "stream chunk 'choices' is not "
                   "a list");
  if(json_array_size(choices)) {
    c0 = json_array_get(choices, 0);
    if(!json_is_object(c0))
      return og_fail(&s->ferr, OG_E_PARSE, "stream choices[0] is not an "
                     "object");
    delta = json_object_get(c0, "delta");
    if(delta && !json_is_null(delta) && !json_is_object(delta))
      return og_fail(&s->ferr, OG_E_PARSE, "stream delta is not an "
                     "object");
    if(!has_members(delta)) {
      v = json_object_get(c0, "message");
      if(has_members(v))
        delta = v;
    }
    r = llm_opt_string(&fr, NULL, c0, "finish_reason", "choice",
                       &s->ferr);
    if(r)
      return r;
  }
  if(json_is_object(delta)) {
    r = llm_opt_string(&ck.role, &n, delta, "role", "delta", &s->ferr);
    if(r)
      return r;
    ck.role_len = ck.role ? n : 0;
    if(ck.role && n) {
      r = keep_dup(s, &s->role, &s->role_len, ck.role, n);
      if(r)
        return r;
    }
    v = json_object_get(delta, "content");
    if(json_is_string(v)) {
      ck.content = json_string_value(v);
      ck.content_len = json_string_length(v);
    }
    else if(v && !json_is_null(v)) {
      /* list content (the non-streamed shape): flattened */
      og_buf_reset(&s->scratch);
      r = llm_content_append(&s->scratch, v, "delta", &s->ferr);
      if(r)
        return r;
      ck.content = og_buf_str(&s->scratch);
      ck.content_len = s->scratch.len;
    }
    r = add_text(s, ck.content, ck.content_len);
    if(r)
      return r;
    v = json_object_get(delta, "tool_calls");
    if(v && !json_is_null(v)) {
      if(!json_is_array(v))
        return og_fail(&s->ferr, OG_E_PARSE, "stream delta tool_calls is "
                       "not a list");
      ck.tool_calls = v;
      r = merge_tool_calls(s, v);
      if(r)
        return r;
    }
  }
  ck.finish_reason = fr;
  s->chunks++;
  if(fr && !s->final_seen) {
    /* the one final chunk: keep its finish_reason and the chunk itself */
    s->final_seen = 1;
    ck.is_final = 1;
    r = set_dup(s, &s->meta.finish_reason, fr, strlen(fr));
    if(r)
      return r;
    json_decref(s->final_json);
    s->final_json = json_incref(root);
  }
  if(!s->cb)
    return OG_OK;
  if(ck.is_final) {
    r = build_result(s, &snap);
    if(r)
      return r;
    ck.result = &snap;
    cancel = s->cb(s->user, &ck);
    og_llm_result_free(&snap);
  }
  else
    cancel = s->cb(s->user, &ck);
  if(cancel)
    return cancelled(s);
  return OG_OK;
}

/* A content chunk decoded by llm_scan_chunk: the same steps as on_chunk
 * for that shape (no error member, usage, tee_* or tool calls; a null
 * finish_reason), without a jansson object. */
static og_result on_fast_chunk(og_llm_stream *s, const llm_fast_chunk *fc)
{
  const char *base = og_buf_str(&s->scan);
  og_llm_chunk ck;
  og_result r;
  memset(&ck, 0, sizeof(ck));
  if(fc->model != LLM_SCAN_NONE) {
    ck.model = base + fc->model;
    ck.model_len = fc->model_len;
    r = keep_dup(s, &s->model, &s->model_len, ck.model, fc->model_len);
    if(r)
      return r;
  }
  if(fc->role != LLM_SCAN_NONE) {
    ck.role = base + fc->role;
    ck.role_len = fc->role_len;
    if(fc->role_len) {
      r = keep_dup(s, &s->role, &s->role_len, ck.role, fc->role_len);
      if(r)
        return r;
    }
  }
  if(fc->content != LLM_SCAN_NONE) {
    ck.content = base + fc->content;
    ck.content_len = fc->content_len;
    r = add_text(s, ck.content, ck.content_len);
    if(r)
      return r;
  }
  s->chunks++;
  if(s->cb && s->cb(s->user, &ck))
    return cancelled(s);
  return OG_OK;
}

static int blank(unsigned char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

og_result og_llm_stream_event(og_llm_stream *s, const char *data,
                              size_t len, og_err *err)
{
  json_t *root;
  og_result r;
  size_t a = 0, b = len;
  if(s->failed)
    return stream_fail(s, s->failed, err);
  if(s->done)
    return OG_OK; /* data after [DONE] is ignored */
  while(a < b && blank((unsigned char)data[a]))
    a++;
  while(b > a && blank((unsigned char)data[b - 1]))
    b--;
  if(a == b)
    return OG_OK;
  if(b - a == 6 && !memcmp(data + a, "[DONE]", 6)) {
    s->done = 1;
    return OG_OK;
  }
  if(!s->want_json && b - a <= OG_LLM_MAX_RESPONSE) {
    llm_fast_chunk fc;
    if(llm_scan_chunk(&fc, &s->scan, data + a, b - a)) {
      r = on_fast_chunk(s, &fc);
      if(r)
        return stream_fail(s, r, err);
      return OG_OK;
    }
  }
  r = llm_load(&root, "a stream event", data + a, b - a, OG_LLM_MAX_RESPONSE,
               &s->ferr);
  if(r)
    return stream_fail(s, r, err);
  r = on_chunk(s, root);
  json_decref(root);
  if(r)
    return stream_fail(s, r, err);
  return OG_OK;
}

static og_result on_event(void *user, const char *data, size_t len,
                          og_err *err)
{
  og_llm_stream *s = user;
  og_result r = og_llm_stream_event(s, data, len, err);
  /* after [DONE] stop the parser: later bytes are not even looked at */
  if(!r && s->done)
    return OG_E_CANCELLED;
  return r;
}

og_result og_llm_stream_feed(og_llm_stream *s, const void *bytes,
                             size_t len, og_err *err)
{
  og_result r;
  if(s->failed)
    return stream_fail(s, s->failed, err);
  if(s->done)
    return OG_OK;
  r = og_sse_feed(&s->sse, bytes, len, &s->ferr);
  if(r && s->done && !s->failed)
    return OG_OK; /* stopped at [DONE] */
  if(r)
    return stream_fail(s, r, err);
  return OG_OK;
}

og_result og_llm_stream_deliver(og_llm_stream *s, const og_llm_result *res,
                                og_err *err)
{
  json_t *chunk, *delta, *choice, *calls = NULL;
  size_t i;
  og_result r;
  int bad;

  if(s->failed)
    return stream_fail(s, s->failed, err);
  chunk = json_object();
  delta = json_object();
  choice = json_object();
  bad = !chunk || !delta || !choice;
  if(!bad) {
    bad |= json_object_set_new(delta, "role",
                               json_string_nocheck(res->role ? res->role
                                                   : "assistant"));
    bad |= json_object_set_new(delta, "content",
                               json_stringn_nocheck(res->text ? res->text
                                                    : "", res->text_len));
    if(res->n_tool_calls) {
      calls = json_array();
      bad |= !calls;
      for(i = 0; !bad && i < res->n_tool_calls; i++)
        bad |= json_array_append_new(calls,
                                     llm_tool_call_json(&res->tool_calls[i],
                                                        (int64_t)i));
      bad |= json_object_set_new(delta, "tool_calls", calls);
    }
    bad |= json_object_set(choice, "delta", delta);
    bad |= json_object_set_new(choice, "index", json_integer(0));
    bad |= json_object_set_new(choice, "finish_reason",
                               res->finish_reason
                                 ? json_string_nocheck(res->finish_reason)
                                 : json_string("stop"));
    bad |= json_object_set_new(chunk, "choices", json_pack("[O]", choice));
    if(res->model)
      bad |= json_object_set_new(chunk, "model",
                                 json_string_nocheck(res->model));
    if(res->tee_signature)
      bad |= json_object_set_new(chunk, "tee_signature",
                                 json_string_nocheck(res->tee_signature));
    if(res->has_tee_timestamp)
      bad |= json_object_set_new(chunk, "tee_timestamp",
                                 json_integer(res->tee_timestamp));
    if(res->tee_request_hash)
      bad |= json_object_set_new(chunk, "tee_request_hash",
                                 json_string_nocheck(res->tee_request_hash));
    if(res->tee_output_hash)
      bad |= json_object_set_new(chunk, "tee_output_hash",
                                 json_string_nocheck(res->tee_output_hash));
    if(res->tee_id)
      bad |= json_object_set_new(chunk, "tee_id",
                                 json_string_nocheck(res->tee_id));
    if(res->usage.present)
      bad |= json_object_set_new(chunk, "usage",
                                 og_llm_result_usage_json(res));
    if(res->cost_json)
      bad |= json_object_set(chunk, "opengradient", res->cost_json);
    if(res->citations)
      bad |= json_object_set(chunk, "citations", res->citations);
    if(res->images)
      bad |= json_object_set(chunk, "images", res->images);
  }
  json_decref(delta);
  json_decref(choice);
  if(bad) {
    json_decref(chunk);
    return stream_fail(s, nomem(s), err);
  }
  r = on_chunk(s, chunk);
  json_decref(chunk);
  if(r)
    return stream_fail(s, r, err);
  return OG_OK;
}

og_result og_llm_stream_finish(og_llm_stream *s, og_llm_result *out,
                               og_err *err)
{
  og_result r;
  memset(out, 0, sizeof(*out));
  if(s->failed)
    return stream_fail(s, s->failed, err);
  og_sse_finish(&s->sse);
  if(!s->final_seen) {
    og_fail(&s->ferr, OG_E_SERVER, "stream ended before its final chunk "
            "(%s)", s->done ? "[DONE] came without a finish_reason"
                            : "the connection closed early");
    return stream_fail(s, OG_E_SERVER, err);
  }
  r = build_result(s, out);
  if(r)
    return stream_fail(s, r, err);
  return OG_OK;
}
