/* Non-streamed answers, error bodies and result helpers (see og_llm.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_json.h"
#include "opengradient/og_text.h"
#include "llm_internal.h"

/* How much of an error message we keep (the og_err holds 512 bytes with
 * the prefix). */
#define ERR_TEXT_MAX 400

char *llm_strndup(const char *s, size_t n)
{
  char *p = malloc(n + 1);
  if(!p)
    return NULL;
  if(n)
    memcpy(p, s, n);
  p[n] = 0;
  return p;
}

og_result llm_load(json_t **out, const char *what, const char *s,
                   size_t len, size_t cap, og_err *err)
{
  json_error_t e;
  *out = NULL;
  if(len > cap)
    return og_fail(err, OG_E_TOO_LARGE, "%s larger than %zu bytes", what,
                   cap);
  {
    og_err se;
    if(og_json_scan(s, len, &se) != OG_OK)
      return og_fail(err, OG_E_TOO_LARGE, "%s: %s", what, se.msg);
  }
  *out = og_json_loadb(s, len, JSON_ALLOW_NUL, &e);
  if(!*out) {
    if(json_error_code(&e) == json_error_out_of_memory)
      return og_fail(err, OG_E_NOMEM, "out of memory parsing %s", what);
    return og_fail(err, OG_E_PARSE, "%s is not valid JSON: %s (line %d, "
                   "column %d)", what, e.text, e.line, e.column);
  }
  return OG_OK;
}

og_result llm_opt_string(const char **out, size_t *len, const json_t *obj,
                         const char *key, const char *where, og_err *err)
{
  const json_t *v = json_object_get(obj, key);
  *out = NULL;
  if(len)
    *len = 0;
  if(!v || json_is_null(v))
    return OG_OK;
  if(!json_is_string(v))
    return og_fail(err, OG_E_PARSE, "%s.%s is not a string", where, key);
  *out = json_string_value(v);
  if(len)
    *len = json_string_length(v);
  return OG_OK;
}

static int is_space(unsigned char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

og_result llm_content_append(og_buf *out, const json_t *content,
                             const char *where, og_err *err)
{
  size_t i, start, first = 1;
  const json_t *part;
  og_result r = OG_OK;

  if(!content || json_is_null(content))
    return OG_OK;
  if(json_is_string(content)) {
    r = og_buf_add(out, json_string_value(content),
                   json_string_length(content));
    goto done;
  }
  if(!json_is_array(content))
    return og_fail(err, OG_E_PARSE, "%s.content is neither a string nor "
                   "a list", where);
  /* List content: the text of the text parts, joined by one space and
   * trimmed (the Python SDK's rule); other parts are dropped. */
  start = out->len;
  json_array_foreach(content, i, part) {
    const json_t *t;
    if(json_is_string(part))
      t = part;
    else if(json_is_object(part) &&
            json_is_string(json_object_get(part, "type")) &&
            !strcmp(json_string_value(json_object_get(part, "type")),
                    "text"))
      t = json_object_get(part, "text");
    else
      continue;
    if(!json_is_string(t))
      continue;
    if(!first)
      r = og_buf_addc(out, ' ');
    if(!r)
      r = og_buf_add(out, json_string_value(t), json_string_length(t));
    if(r)
      break;
    first = 0;
  }
  if(!r) {
    /* trim what this call added */
    size_t a = start, b = out->len;
    while(a < b && is_space(out->data[a]))
      a++;
    while(b > a && is_space(out->data[b - 1]))
      b--;
    if(a > start)
      memmove(out->data + start, out->data + a, b - a);
    out->len = start + (b - a);
    if(out->data)
      out->data[out->len] = 0;
  }
done:
  if(r == OG_E_TOO_LARGE)
    return og_fail(err, r, "answer text larger than %zu bytes", out->max);
  if(r)
    return og_fail(err, r, "out of memory reading the answer");
  return OG_OK;
}

static og_result count(int64_t *out, const json_t *u, const char *key,
                       og_err *err)
{
  const json_t *v = json_object_get(u, key);
  *out = 0;
  if(!v || json_is_null(v))
    return OG_OK;
  if(!json_is_integer(v))
    return og_fail(err, OG_E_PARSE, "usage.%s is not an integer", key);
  *out = json_integer_value(v);
  return OG_OK;
}

og_result llm_usage(og_llm_usage *u, const json_t *obj, og_err *err)
{
  const json_t *v = json_object_get(obj, "usage");
  og_result r;
  memset(u, 0, sizeof(*u));
  if(!v || json_is_null(v))
    return OG_OK;
  if(!json_is_object(v))
    return og_fail(err, OG_E_PARSE, "usage is not an object");
  r = count(&u->prompt_tokens, v, "prompt_tokens", err);
  if(!r)
    r = count(&u->completion_tokens, v, "completion_tokens", err);
  if(!r)
    r = count(&u->total_tokens, v, "total_tokens", err);
  if(r)
    return r;
  u->present = 1;
  return OG_OK;
}

static og_result replace_str(char **dst, const json_t *obj, const char *key,
                             og_err *err)
{
  const char *s;
  size_t n;
  char *c;
  og_result r = llm_opt_string(&s, &n, obj, key, "answer", err);
  if(r || !s)
    return r;
  c = llm_strndup(s, n);
  if(!c)
    return og_fail(err, OG_E_NOMEM, "out of memory reading the answer");
  free(*dst);
  *dst = c;
  return OG_OK;
}

og_result llm_tee_fields(og_llm_result *r, const json_t *obj, og_err *err)
{
  const json_t *ts = json_object_get(obj, "tee_timestamp");
  og_result rc;
  rc = replace_str(&r->tee_signature, obj, "tee_signature", err);
  if(!rc)
    rc = replace_str(&r->tee_request_hash, obj, "tee_request_hash", err);
  if(!rc)
    rc = replace_str(&r->tee_output_hash, obj, "tee_output_hash", err);
  if(!rc)
    rc = replace_str(&r->tee_id, obj, "tee_id", err);
  if(rc)
    return rc;
  if(json_is_integer(ts)) {
    r->tee_timestamp = json_integer_value(ts);
    r->has_tee_timestamp = 1;
  }
  else if(json_is_string(ts)) {
    /* a decimal string is accepted (some proxies stringify it) */
    const char *s = json_string_value(ts);
    char *end;
    long long v;
    errno = 0;
    v = strtoll(s, &end, 10);
    if(!*s || *end || errno || s[0] == ' ' || s[0] == '+')
      return og_fail(err, OG_E_PARSE, "tee_timestamp \"%.40s\" is not an "
                     "integer", s);
    r->tee_timestamp = v;
    r->has_tee_timestamp = 1;
  }
  else if(ts && !json_is_null(ts))
    return og_fail(err, OG_E_PARSE, "tee_timestamp is not an integer");
  return OG_OK;
}

/* ---- newer gateways: cost block, citations, images ---- */

/* 1 when s (n bytes) is 1..max decimal digits */
static int all_digits(const char *s, size_t n, size_t max)
{
  size_t i;
  if(!n || n > max)
    return 0;
  for(i = 0; i < n; i++)
    if(s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

/* A plain decimal: digits, at most one '.', a digit on each side of it. */
static int plain_decimal(const char *s, size_t n, size_t max)
{
  const char *dot;
  if(!n || n > max)
    return 0;
  dot = memchr(s, '.', n);
  if(!dot)
    return all_digits(s, n, max);
  return all_digits(s, (size_t)(dot - s), max) &&
         all_digits(dot + 1, n - (size_t)(dot - s) - 1, max);
}

static int cost_field(char *dst, size_t cap, const json_t *block,
                      const char *key, int integer)
{
  const json_t *v = json_object_get(block, key);
  const char *s;
  size_t n;
  if(!json_is_string(v))
    return 0;
  s = json_string_value(v);
  n = json_string_length(v);
  if(integer ? !all_digits(s, n, 78) : !plain_decimal(s, n, cap - 1))
    return 0;
  memcpy(dst, s, n);
  dst[n] = 0;
  return 1;
}

static void replace_json(json_t **dst, json_t *v)
{
  json_incref(v);
  json_decref(*dst);
  *dst = v;
}

void llm_extras(og_llm_result *r, const json_t *obj, const json_t *msg)
{
  json_t *v = json_object_get(obj, "opengradient");
  if(json_is_object(v)) {
    og_llm_cost c;
    memset(&c, 0, sizeof(c));
    c.present = cost_field(c.cost_opg, sizeof(c.cost_opg), v, "cost_opg",
                           1) &&
                cost_field(c.cost_usd, sizeof(c.cost_usd), v, "cost_usd",
                           0) &&
                cost_field(c.opg_price_usd, sizeof(c.opg_price_usd), v,
                           "opg_price_usd", 0);
    if(!c.present)
      memset(&c, 0, sizeof(c));
    r->cost = c;
    replace_json(&r->cost_json, v);
  }
  v = json_object_get(obj, "citations");
  if(json_is_array(v))
    replace_json(&r->citations, v);
  v = msg ? json_object_get(msg, "images") : NULL;
  if(!json_is_array(v))
    v = json_object_get(obj, "images");
  if(json_is_array(v))
    replace_json(&r->images, v);
}

og_result og_llm_cost_opg_text(char *out, size_t outlen,
                               const char *cost_opg, og_err *err)
{
  size_t n = cost_opg ? strlen(cost_opg) : 0, ip, i, o = 0;
  if(!all_digits(cost_opg ? cost_opg : "", n, 78))
    return og_fail(err, OG_E_PARSE, "cost_opg is not a whole number of "
                   "base units");
  if(outlen < 100)
    return og_fail(err, OG_E_USAGE, "output buffer too small");
  /* integer part: the digits before the last 18, without leading zeros */
  ip = n > 18 ? n - 18 : 0;
  for(i = 0; i < ip && cost_opg[i] == '0'; i++)
    ;
  if(i == ip)
    out[o++] = '0';
  for(; i < ip; i++)
    out[o++] = cost_opg[i];
  out[o++] = '.';
  /* fraction: left-padded with zeros to 18 digits */
  for(i = n - ip; i < 18; i++)
    out[o++] = '0';
  for(i = ip; i < n; i++)
    out[o++] = cost_opg[i];
  out[o] = 0;
  return OG_OK;
}

/* ---- error messages ---- */

static void append(char *out, size_t cap, const char *s, size_t n)
{
  size_t o = strlen(out);
  if(o + 1 < cap)
    (void)og_text_visible(out + o, cap - o, s, n, 0);
}

static void append_str(char *out, size_t cap, const json_t *v)
{
  append(out, cap, json_string_value(v), json_string_length(v));
}

static void append_dump(char *out, size_t cap, const json_t *v)
{
  char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  if(d) {
    append(out, cap, d, strlen(d));
    free(d);
  }
}

void llm_error_text(char *out, size_t n, const json_t *body)
{
  const json_t *e, *m, *t, *d;
  out[0] = 0;
  if(json_is_string(body)) {
    append_str(out, n, body);
    return;
  }
  if(!json_is_object(body)) {
    append_dump(out, n, body);
    return;
  }
  e = json_object_get(body, "error");
  if(json_is_string(e)) {
    append_str(out, n, e);
    m = json_object_get(body, "message");
    if(json_is_string(m)) {
      append(out, n, ": ", 2);
      append_str(out, n, m);
    }
    t = json_object_get(body, "exception_type");
    if(json_is_string(t)) {
      append(out, n, " (", 2);
      append_str(out, n, t);
      append(out, n, ")", 1);
    }
    return;
  }
  if(json_is_object(e)) {
    m = json_object_get(e, "message");
    if(!json_is_string(m))
      m = json_object_get(e, "detail");
    if(json_is_string(m))
      append_str(out, n, m);
    else
      append_dump(out, n, e);
    t = json_object_get(e, "type");
    if(!json_is_string(t))
      t = json_object_get(e, "code");
    if(json_is_string(t) && json_is_string(m)) {
      append(out, n, " (", 2);
      append_str(out, n, t);
      append(out, n, ")", 1);
    }
    return;
  }
  /* problem+json */
  t = json_object_get(body, "title");
  d = json_object_get(body, "detail");
  if(json_is_string(t) || json_is_string(d)) {
    if(json_is_string(t))
      append_str(out, n, t);
    if(json_is_string(t) && json_is_string(d))
      append(out, n, ": ", 2);
    if(json_is_string(d))
      append_str(out, n, d);
    return;
  }
  m = json_object_get(body, "message");
  if(json_is_string(m)) {
    append_str(out, n, m);
    return;
  }
  if(e && !json_is_null(e)) {
    append_dump(out, n, e);
    return;
  }
  append_dump(out, n, body);
}

og_result og_llm_error_message(long http_status, const char *body, size_t len,
                               og_err *err)
{
  char text[ERR_TEXT_MAX];
  size_t a = 0, b = len;
  json_t *j = NULL;
  json_error_t e;

  text[0] = 0;
  if(!body)
    len = b = 0;
  while(a < b && is_space((unsigned char)body[a]))
    a++;
  while(b > a && is_space((unsigned char)body[b - 1]))
    b--;
  if(a == b)
    snprintf(text, sizeof(text), "(empty body)");
  else {
    if((body[a] == '{' || body[a] == '[' || body[a] == '"') &&
       len <= OG_LLM_MAX_RESPONSE)
      j = og_json_loadb(body + a, b - a, JSON_ALLOW_NUL | JSON_DECODE_ANY,
                        &e);
    if(j) {
      llm_error_text(text, sizeof(text), j);
      json_decref(j);
    }
    else {
      /* plain text (or HTML): its first line */
      const char *nl = memchr(body + a, '\n', b - a);
      size_t n = nl ? (size_t)(nl - (body + a)) : b - a;
      while(n && is_space((unsigned char)body[a + n - 1]))
        n--;
      (void)og_text_visible(text, sizeof(text), body + a, n, 0);
    }
    if(!text[0])
      snprintf(text, sizeof(text), "(no message)");
  }
  return og_fail(err, OG_E_SERVER, "server answered HTTP %ld: %s",
                 http_status, text);
}

/* ---- tool calls ---- */

static og_result tool_calls_from_message(og_llm_result *r,
                                         const json_t *arr, og_err *err)
{
  size_t i, n;
  const json_t *tc;
  if(!arr || json_is_null(arr))
    return OG_OK;
  if(!json_is_array(arr))
    return og_fail(err, OG_E_PARSE, "message.tool_calls is not a list");
  n = json_array_size(arr);
  if(!n)
    return OG_OK;
  if(n > OG_LLM_MAX_TOOL_CALLS)
    return og_fail(err, OG_E_TOO_LARGE, "more than %d tool calls",
                   OG_LLM_MAX_TOOL_CALLS);
  r->tool_calls = calloc(n, sizeof(*r->tool_calls));
  if(!r->tool_calls)
    return og_fail(err, OG_E_NOMEM, "out of memory reading tool calls");
  json_array_foreach(arr, i, tc) {
    og_llm_tool_call *c = &r->tool_calls[i];
    const char *id, *type, *name = NULL, *args = NULL;
    size_t idn, typen, namen = 0, argsn = 0;
    const json_t *fn;
    og_result rc;
    r->n_tool_calls = i + 1;
    if(!json_is_object(tc))
      return og_fail(err, OG_E_PARSE, "tool_calls[%zu] is not an object",
                     i);
    rc = llm_opt_string(&id, &idn, tc, "id", "tool call", err);
    if(!rc)
      rc = llm_opt_string(&type, &typen, tc, "type", "tool call", err);
    if(rc)
      return rc;
    fn = json_object_get(tc, "function");
    if(fn && !json_is_null(fn)) {
      if(!json_is_object(fn))
        return og_fail(err, OG_E_PARSE, "tool_calls[%zu].function is not "
                       "an object", i);
      rc = llm_opt_string(&name, &namen, fn, "name", "function", err);
      if(!rc)
        rc = llm_opt_string(&args, &argsn, fn, "arguments", "function",
                            err);
      if(rc)
        return rc;
    }
    c->id = id ? llm_strndup(id, idn) : NULL;
    c->type = type ? llm_strndup(type, typen) : NULL;
    c->name = name ? llm_strndup(name, namen) : NULL;
    c->arguments = llm_strndup(args ? args : "", argsn);
    if((id && !c->id) || (type && !c->type) || (name && !c->name) ||
       !c->arguments)
      return og_fail(err, OG_E_NOMEM, "out of memory reading tool calls");
    c->arguments_len = argsn;
  }
  return OG_OK;
}

/* ---- answers ---- */

static og_result set_text(og_llm_result *r, og_buf *b, og_err *err)
{
  size_t n;
  unsigned char *p = og_buf_take(b, &n);
  if(!p) {
    p = (unsigned char *)llm_strndup("", 0);
    if(!p)
      return og_fail(err, OG_E_NOMEM, "out of memory reading the answer");
  }
  r->text = (char *)p;
  r->text_len = n;
  return OG_OK;
}

/* Common start: status, JSON, error member, top-level fields. */
static og_result answer_begin(og_llm_result *out, json_t **root,
                              long status, const char *body, size_t len,
                              og_err *err)
{
  const json_t *e;
  og_result r;
  memset(out, 0, sizeof(*out));
  *root = NULL;
  if(status < 200 || status > 299)
    return og_llm_error_message(status, body, len, err);
  r = llm_load(root, "the answer", body, len, OG_LLM_MAX_RESPONSE, err);
  if(r)
    return r;
  if(!json_is_object(*root))
    return og_fail(err, OG_E_PARSE, "the answer is not a JSON object");
  e = json_object_get(*root, "error");
  if(e && !json_is_null(e)) {
    char text[ERR_TEXT_MAX];
    llm_error_text(text, sizeof(text), *root);
    return og_fail(err, OG_E_SERVER, "server answered with an error: %s",
                   text);
  }
  r = replace_str(&out->model, *root, "model", err);
  if(!r)
    r = llm_usage(&out->usage, *root, err);
  if(!r)
    r = llm_tee_fields(out, *root, err);
  return r;
}

static og_result finish_reason(og_llm_result *out, const json_t *choice,
                               og_err *err)
{
  return replace_str(&out->finish_reason, choice, "finish_reason", err);
}

static og_result answer_end(og_result r, og_llm_result *out, json_t *root)
{
  if(r) {
    og_llm_result_free(out);
    json_decref(root);
    return r;
  }
  out->json = root;
  return OG_OK;
}

og_result og_llm_parse_chat(og_llm_result *out, long http_status,
                            const char *body, size_t len, og_err *err)
{
  json_t *root;
  const json_t *choices, *c0, *msg;
  og_buf text;
  og_result r;

  og_buf_init(&text, OG_LLM_MAX_TEXT);
  r = answer_begin(out, &root, http_status, body, len, err);
  if(r)
    return answer_end(r, out, root);
  choices = json_object_get(root, "choices");
  if(!json_is_array(choices) || !json_array_size(choices))
    return answer_end(og_fail(err, OG_E_SERVER, "invalid answer: "
                              "'choices' missing or empty"), out, root);
  c0 = json_array_get(choices, 0);
  if(!json_is_object(c0))
    return answer_end(og_fail(err, OG_E_PARSE, "invalid answer: "
                              "choices[0] is not an object"), out, root);
  msg = json_object_get(c0, "message");
  if(!json_is_object(msg))
    return answer_end(og_fail(err, OG_E_PARSE, "invalid answer: "
                              "choices[0].message missing"), out, root);
  r = finish_reason(out, c0, err);
  if(!r)
    r = replace_str(&out->role, msg, "role", err);
  if(!r && !out->role) {
    out->role = llm_strndup("assistant", 9);
    if(!out->role)
      r = og_fail(err, OG_E_NOMEM, "out of memory reading the answer");
  }
  if(!r)
    r = llm_content_append(&text, json_object_get(msg, "content"),
                           "message", err);
  if(!r)
    r = set_text(out, &text, err);
  if(!r)
    r = tool_calls_from_message(out, json_object_get(msg, "tool_calls"),
                                err);
  if(!r)
    llm_extras(out, root, msg);
  og_buf_free(&text);
  return answer_end(r, out, root);
}

og_result og_llm_parse_completion(og_llm_result *out, long http_status,
                                  const char *body, size_t len,
                                  og_err *err)
{
  json_t *root;
  const json_t *choices, *c0 = NULL, *t = NULL;
  og_buf text;
  og_result r;

  og_buf_init(&text, OG_LLM_MAX_TEXT);
  r = answer_begin(out, &root, http_status, body, len, err);
  if(r)
    return answer_end(r, out, root);
  choices = json_object_get(root, "choices");
  if(choices && !json_is_null(choices) && !json_is_array(choices))
    return answer_end(og_fail(err, OG_E_PARSE, "invalid answer: "
                              "'choices' is not a list"), out, root);
  if(json_array_size(choices)) {
    c0 = json_array_get(choices, 0);
    if(!json_is_object(c0))
      return answer_end(og_fail(err, OG_E_PARSE, "invalid answer: "
                                "choices[0] is not an object"), out, root);
    t = json_object_get(c0, "text");
    if(t && !json_is_null(t) && !json_is_string(t))
      return answer_end(og_fail(err, OG_E_PARSE, "invalid answer: "
                                "choices[0].text is not a string"),
                        out, root);
    r = finish_reason(out, c0, err);
    if(r)
      return answer_end(r, out, root);
  }
  if(!json_is_string(t)) {
    /* the legacy key the Python SDK reads */
    const json_t *legacy = json_object_get(root, "completion");
    if(json_is_string(legacy))
      t = legacy;
    else if(!c0)
      return answer_end(og_fail(err, OG_E_SERVER, "invalid answer: "
                                "'choices' missing or empty"), out, root);
  }
  r = llm_content_append(&text, t, "completion", err);
  if(!r)
    r = set_text(out, &text, err);
  if(!r)
    llm_extras(out, root, NULL);
  og_buf_free(&text);
  return answer_end(r, out, root);
}

/* ---- results ---- */

void og_llm_result_free(og_llm_result *r)
{
  size_t i;
  if(!r)
    return;
  free(r->model);
  free(r->finish_reason);
  free(r->role);
  free(r->text);
  for(i = 0; i < r->n_tool_calls; i++) {
    free(r->tool_calls[i].id);
    free(r->tool_calls[i].type);
    free(r->tool_calls[i].name);
    free(r->tool_calls[i].arguments);
  }
  free(r->tool_calls);
  free(r->tee_signature);
  free(r->tee_request_hash);
  free(r->tee_output_hash);
  free(r->tee_id);
  json_decref(r->json);
  json_decref(r->cost_json);
  json_decref(r->citations);
  json_decref(r->images);
  memset(r, 0, sizeof(*r));
}

static json_t *str_or_null(const char *s)
{
  return s ? json_string_nocheck(s) : json_null();
}

json_t *llm_tool_call_json(const og_llm_tool_call *tc, int64_t index)
{
  json_t *o = json_object(), *fn = json_object();
  int bad = !o || !fn;
  if(!bad && index >= 0)
    bad |= json_object_set_new(o, "index", json_integer(index));
  if(!bad) {
    bad |= json_object_set_new(o, "id", str_or_null(tc->id));
    bad |= json_object_set_new(o, "type", str_or_null(tc->type));
    bad |= json_object_set_new(fn, "name", str_or_null(tc->name));
    bad |= json_object_set_new(fn, "arguments",
                               json_stringn_nocheck(tc->arguments,
                                                    tc->arguments_len));
    bad |= json_object_set(o, "function", fn);
  }
  json_decref(fn);
  if(bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

json_t *og_llm_result_tool_calls_json(const og_llm_result *r)
{
  json_t *a = json_array();
  size_t i;
  if(!a)
    return NULL;
  for(i = 0; i < r->n_tool_calls; i++) {
    if(json_array_append_new(a, llm_tool_call_json(&r->tool_calls[i],
                                                   -1))) {
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

json_t *og_llm_result_message_json(const og_llm_result *r)
{
  json_t *o = json_object();
  int bad = !o;
  if(!bad) {
    bad |= json_object_set_new(o, "role",
                               json_string_nocheck(r->role ? r->role
                                                           : "assistant"));
    bad |= json_object_set_new(o, "content",
                               json_stringn_nocheck(r->text ? r->text : "",
                                                    r->text_len));
    if(r->n_tool_calls)
      bad |= json_object_set_new(o, "tool_calls",
                                 og_llm_result_tool_calls_json(r));
  }
  if(bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

json_t *og_llm_result_usage_json(const og_llm_result *r)
{
  if(!r->usage.present)
    return json_null();
  return json_pack("{sI,sI,sI}", "prompt_tokens",
                   (json_int_t)r->usage.prompt_tokens, "completion_tokens",
                   (json_int_t)r->usage.completion_tokens, "total_tokens",
                   (json_int_t)r->usage.total_tokens);
}
