/*
 * The canonical request dict the gateway hashes (signatures reference §3),
 * under the 2026-04 gateway rules (tee-gateway cb95a5c) and the newer rules
 * (mirrored by the Python SDK 1.1.3 verifier). Truthiness follows Python.
 * Where the gateway would answer 500 (or Python would raise), we refuse with
 * OG_E_VERIFY: no signature exists for such a request under those rules.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opengradient/og_canon.h"
#include "opengradient/og_keccak.h"

const char *og_canon_rules_name(og_canon_rules rules)
{
  return rules == OG_RULES_2026_04 ? "2026-04" : "newer";
}

/* Python bool(v); an absent value (NULL) is falsy like None. */
static int truthy(const json_t *v)
{
  if(!v)
    return 0;
  switch(json_typeof(v)) {
  case JSON_OBJECT: return json_object_size(v) != 0;
  case JSON_ARRAY: return json_array_size(v) != 0;
  case JSON_STRING: return json_string_length(v) != 0;
  case JSON_INTEGER: return json_integer_value(v) != 0;
  case JSON_REAL: return json_real_value(v) != 0.0;
  case JSON_TRUE: return 1;
  case JSON_FALSE:
  case JSON_NULL: return 0;
  }
  return 0;
}

/* Python float(s) for a str: optional whitespace and sign, then a decimal
 * number. Python also takes "inf", "nan" and digit underscores; those give
 * values we cannot hash (non-finite) or are too rare to mirror: refused. */
static int py_float_text(const char *s, size_t n, double *out)
{
  char buf[128];
  const char *p, *end;
  char *stop;
  int digits = 0;
  while(n && isspace((unsigned char)*s)) {
    s++;
    n--;
  }
  while(n && isspace((unsigned char)s[n - 1]))
    n--;
  if(!n || n >= sizeof(buf))
    return 0;
  memcpy(buf, s, n);
  buf[n] = 0;
  p = buf;
  if(*p == '+' || *p == '-')
    p++;
  while(*p >= '0' && *p <= '9') {
    p++;
    digits++;
  }
  if(*p == '.') {
    p++;
    while(*p >= '0' && *p <= '9') {
      p++;
      digits++;
    }
  }
  if(!digits)
    return 0;
  if(*p == 'e' || *p == 'E') {
    int ed = 0;
    p++;
    if(*p == '+' || *p == '-')
      p++;
    while(*p >= '0' && *p <= '9') {
      p++;
      ed++;
    }
    if(!ed)
      return 0;
  }
  if(*p)
    return 0;
  end = p;
  *out = strtod(buf, &stop);
  return stop == end && isfinite(*out);
}

/* float(v) as the gateway computes the temperature. */
static og_result py_float(json_t **out, const json_t *v, const char *what,
                          og_err *err)
{
  double x;
  switch(json_typeof(v)) {
  case JSON_INTEGER: x = (double)json_integer_value(v); break;
  case JSON_REAL: x = json_real_value(v); break;
  case JSON_TRUE: x = 1.0; break;
  case JSON_FALSE: x = 0.0; break;
  case JSON_STRING:
    if(py_float_text(json_string_value(v), json_string_length(v), &x))
      break;
    return og_fail(err, OG_E_VERIFY,
                   "%s is a string that is not a plain decimal number", what);
  default:
    return og_fail(err, OG_E_VERIFY, "%s is not a number", what);
  }
  *out = json_real(x);
  return *out ? OG_OK : og_fail(err, OG_E_NOMEM, "out of memory");
}

/* Python list(v) for the tools value: a list stays, a dict gives its keys,
 * a str its characters. */
static og_result py_list(json_t **out, json_t *v, const char *what,
                         og_err *err)
{
  json_t *l;
  if(json_is_array(v)) {
    *out = json_incref(v);
    return OG_OK;
  }
  l = json_array();
  if(!l)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  if(json_is_object(v)) {
    void *it;
    for(it = json_object_iter(v); it; it = json_object_iter_next(v, it))
      if(json_array_append_new(l, json_stringn(json_object_iter_key(it),
                                              json_object_iter_key_len(it))))
        goto nomem;
  }
  else if(json_is_string(v)) {
    const unsigned char *s = (const unsigned char *)json_string_value(v);
    size_t n = json_string_length(v), i = 0, k;
    while(i < n) {
      /* jansson strings are valid UTF-8: split at lead bytes */
      k = 1;
      while(i + k < n && (s[i + k] & 0xC0) == 0x80)
        k++;
      if(json_array_append_new(l, json_stringn((const char *)s + i, k)))
        goto nomem;
      i += k;
    }
  }
  else {
    json_decref(l);
    return og_fail(err, OG_E_VERIFY, "%s is not a list", what);
  }
  *out = l;
  return OG_OK;
nomem:
  json_decref(l);
  return og_fail(err, OG_E_NOMEM, "out of memory");
}

/* Set key to v (stolen); NULL v means "absent": store null. */
static int set_new(json_t *obj, const char *key, json_t *v)
{
  return json_object_set_new(obj, key, v ? v : json_null());
}

/* A copy of obj[key] for the dict, null when absent. */
static json_t *get_or_null(const json_t *obj, const char *key)
{
  json_t *v = json_object_get(obj, key);
  return v ? json_incref(v) : json_null();
}

static json_t *pystr_value(const json_t *v, og_result *r, og_err *err)
{
  og_buf b;
  json_t *s = NULL;
  og_buf_init(&b, OG_CANON_MAX_BYTES);
  *r = og_canon_pystr(&b, v, err);
  if(!*r) {
    s = json_stringn(b.len ? (const char *)b.data : "", b.len);
    if(!s)
      *r = og_fail(err, OG_E_NOMEM, "out of memory");
  }
  og_buf_free(&b);
  return s;
}

/* newer rules: canonical_user_content() of the SDK */
static og_result user_content_newer(json_t **out, const json_t *content,
                                    og_err *err)
{
  og_result r = OG_OK;
  json_t *l, *part;
  size_t i;
  if(content && json_is_string(content)) {
    *out = json_incref((json_t *)content);
    return OG_OK;
  }
  if(!content || !json_is_array(content)) {
    *out = pystr_value(content, &r, err);
    return r;
  }
  l = json_array();
  if(!l)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  json_array_foreach(content, i, part) {
    json_t *e = json_object();
    json_t *type, *file, *fname = NULL;
    if(!e)
      goto nomem;
    if(json_array_append_new(l, e))
      goto nomem;
    if(!json_is_object(part)) {
      json_t *s = pystr_value(part, &r, err);
      if(r) {
        json_decref(l);
        return r;
      }
      if(set_new(e, "type", json_string("text")) || set_new(e, "text", s))
        goto nomem;
      continue;
    }
    type = json_object_get(part, "type");
    if(type && json_is_string(type) &&
       !strcmp(json_string_value(type), "text") &&
       json_string_length(type) == 4) {
      json_t *text = json_object_get(part, "text");
      if(set_new(e, "type", json_string("text")) ||
         set_new(e, "text", truthy(text) ? json_incref(text) :
                                           json_string("")))
        goto nomem;
      continue;
    }
    if(set_new(e, "type", type ? json_incref(type) : json_null()))
      goto nomem;
    file = json_object_get(part, "file");
    if(json_is_object(file))
      fname = json_object_get(file, "filename");
    if(!truthy(fname))
      fname = json_object_get(part, "filename");
    if(truthy(fname) && set_new(e, "filename", json_incref(fname)))
      goto nomem;
  }
  *out = l;
  return OG_OK;
nomem:
  json_decref(l);
  return og_fail(err, OG_E_NOMEM, "out of memory");
}

/* assistant tool_calls, both rule sets */
static og_result tool_calls_canon(json_t **out, const json_t *calls,
                                  og_canon_rules rules, size_t mi,
                                  og_err *err)
{
  json_t *l, *tc;
  size_t i;
  if(!json_is_array(calls))
    return og_fail(err, OG_E_VERIFY,
                   "messages[%zu].tool_calls is not a list", mi);
  l = json_array();
  if(!l)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  json_array_foreach(calls, i, tc) {
    json_t *e, *f, *fn;
    const json_t *func;
    if(!json_is_object(tc)) {
      json_decref(l);
      return og_fail(err, OG_E_VERIFY,
                     "messages[%zu].tool_calls[%zu] is not an object", mi, i);
    }
    func = json_object_get(tc, "function");
    if(func && !json_is_object(func)) {
      json_decref(l);
      return og_fail(err, OG_E_VERIFY,
                     "messages[%zu].tool_calls[%zu].function is not an "
                     "object", mi, i);
    }
    if(!func && rules == OG_RULES_2026_04) {
      json_decref(l);
      return og_fail(err, OG_E_VERIFY,
                     "messages[%zu].tool_calls[%zu] has no function (the "
                     "2026-04 gateway rejects it)", mi, i);
    }
    e = json_object();
    f = json_object();
    if(!e || !f || json_array_append_new(l, e)) {
      json_decref(f);
      goto nomem;
    }
    if(set_new(e, "function", f))
      goto nomem;
    if(rules == OG_RULES_2026_04) {
      /* pydantic-less models: a missing attribute is None */
      if(set_new(e, "id", get_or_null(tc, "id")) ||
         set_new(e, "type", get_or_null(tc, "type")) ||
         set_new(f, "name", get_or_null(func, "name")) ||
         set_new(f, "arguments", get_or_null(func, "arguments")))
        goto nomem;
    }
    else {
      /* dict.get with defaults: only a missing key takes the default */
      fn = json_object_get(tc, "id");
      if(set_new(e, "id", fn ? json_incref(fn) : json_string("")))
        goto nomem;
      fn = json_object_get(tc, "type");
      if(set_new(e, "type", fn ? json_incref(fn) : json_string("function")))
        goto nomem;
      fn = func ? json_object_get(func, "name") : NULL;
      if(set_new(f, "name", fn ? json_incref(fn) : json_string("")))
        goto nomem;
      fn = func ? json_object_get(func, "arguments") : NULL;
      if(set_new(f, "arguments", fn ? json_incref(fn) : json_string("")))
        goto nomem;
    }
  }
  *out = l;
  return OG_OK;
nomem:
  json_decref(l);
  return og_fail(err, OG_E_NOMEM, "out of memory");
}

static og_result message_canon(json_t **out, const json_t *msg,
                               og_canon_rules rules, size_t mi, og_err *err)
{
  json_t *m, *role, *content, *v = NULL;
  const char *rs;
  og_result r = OG_OK;
  *out = NULL;
  if(!json_is_object(msg))
    return og_fail(err, OG_E_VERIFY, "messages[%zu] is not an object", mi);
  role = json_object_get(msg, "role");
  rs = json_is_string(role) && strlen(json_string_value(role)) ==
         json_string_length(role) ? json_string_value(role) : NULL;
  if(!rs)
    return og_fail(err, OG_E_VERIFY, "messages[%zu] has no valid role", mi);
  content = json_object_get(msg, "content");
  m = json_object();
  if(!m)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  if(!strcmp(rs, "system") ||
     (!strcmp(rs, "developer") && rules == OG_RULES_NEWER)) {
    if(set_new(m, "role", json_string("system")) ||
       set_new(m, "content", get_or_null(msg, "content")))
      goto nomem;
  }
  else if(!strcmp(rs, "user")) {
    if(content && json_is_string(content))
      v = json_incref(content);
    else if(rules == OG_RULES_2026_04)
      v = pystr_value(content, &r, err);
    else
      r = user_content_newer(&v, content, err);
    if(r) {
      json_decref(m);
      return r;
    }
    if(set_new(m, "role", json_string("user")) || set_new(m, "content", v))
      goto nomem;
  }
  else if(!strcmp(rs, "assistant")) {
    json_t *calls = json_object_get(msg, "tool_calls");
    if(set_new(m, "role", json_string("assistant")) ||
       set_new(m, "content", truthy(content) ? json_incref(content) :
                                               json_string("")))
      goto nomem;
    if(truthy(calls)) {
      r = tool_calls_canon(&v, calls, rules, mi, err);
      if(r) {
        json_decref(m);
        return r;
      }
      if(set_new(m, "tool_calls", v))
        goto nomem;
    }
  }
  else if(!strcmp(rs, "tool")) {
    if(set_new(m, "role", json_string("tool")) ||
       set_new(m, "content", get_or_null(msg, "content")) ||
       set_new(m, "tool_call_id", get_or_null(msg, "tool_call_id")))
      goto nomem;
  }
  else if(!strcmp(rs, "function")) {
    if(set_new(m, "role", json_string("function")) ||
       set_new(m, "content", get_or_null(msg, "content")) ||
       set_new(m, "name", get_or_null(msg, "name")))
      goto nomem;
  }
  else {
    json_decref(m);
    return og_fail(err, OG_E_VERIFY,
                   "messages[%zu] has role \"%s\", which the %s gateway "
                   "rejects", mi, rs, og_canon_rules_name(rules));
  }
  *out = m;
  return OG_OK;
nomem:
  json_decref(m);
  return og_fail(err, OG_E_NOMEM, "out of memory");
}

static og_result chat_canon(json_t *d, const json_t *req,
                            og_canon_rules rules, og_err *err)
{
  json_t *model = json_object_get(req, "model");
  json_t *msgs = json_object_get(req, "messages");
  json_t *list, *msg, *v;
  size_t i;
  og_result r;
  if(rules == OG_RULES_NEWER) {
    if(!json_is_string(model) || !json_string_length(model))
      return og_fail(err, OG_E_VERIFY, "request is missing a \"model\"");
    if(!json_is_array(msgs) || !json_array_size(msgs))
      return og_fail(err, OG_E_VERIFY, "request is missing \"messages\"");
  }
  else if(msgs && !json_is_array(msgs))
    return og_fail(err, OG_E_VERIFY, "request \"messages\" is not a list");
  if(set_new(d, "model", model ? json_incref(model) : json_null()))
    return og_fail(err, OG_E_NOMEM, "out of memory");
  list = json_array();
  if(!list || set_new(d, "messages", list))
    return og_fail(err, OG_E_NOMEM, "out of memory");
  json_array_foreach(msgs, i, msg) {
    r = message_canon(&v, msg, rules, i, err);
    if(r)
      return r;
    if(json_array_append_new(list, v))
      return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  v = json_object_get(req, "temperature");
  if(v && !json_is_null(v)) {
    json_t *t;
    r = py_float(&t, v, "temperature", err);
    if(r)
      return r;
    if(set_new(d, "temperature", t))
      return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  else if(set_new(d, "temperature", json_real(0.0)))
    return og_fail(err, OG_E_NOMEM, "out of memory");
  v = json_object_get(req, "max_tokens");
  if(v && !json_is_null(v) && set_new(d, "max_tokens", json_incref(v)))
    return og_fail(err, OG_E_NOMEM, "out of memory");
  v = json_object_get(req, "stop");
  if(truthy(v) && set_new(d, "stop", json_incref(v)))
    return og_fail(err, OG_E_NOMEM, "out of memory");
  v = json_object_get(req, "tools");
  if(truthy(v)) {
    json_t *l = NULL;
    r = py_list(&l, v, "tools", err);
    if(r)
      return r;
    if(set_new(d, "tools", l))
      return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  v = json_object_get(req, "response_format");
  if(truthy(v) && set_new(d, "response_format", json_incref(v)))
    return og_fail(err, OG_E_NOMEM, "out of memory");
  v = json_object_get(req, "web_search");
  if(rules == OG_RULES_NEWER && truthy(v) &&
     set_new(d, "web_search", json_true()))
    return og_fail(err, OG_E_NOMEM, "out of memory");
  return OG_OK;
}

static og_result completion_canon(json_t *d, const json_t *req,
                                  og_canon_rules rules, og_err *err)
{
  json_t *v;
  og_result r;
  if(set_new(d, "model", get_or_null(req, "model")) ||
     set_new(d, "prompt", get_or_null(req, "prompt")))
    return og_fail(err, OG_E_NOMEM, "out of memory");
  /* the request model's defaults: temperature 1, max_tokens 16 */
  v = json_object_get(req, "temperature");
  if(!v || json_is_null(v)) {
    if(set_new(d, "temperature", json_real(v ? 0.0 : 1.0)))
      return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  else {
    json_t *t;
    r = py_float(&t, v, "temperature", err);
    if(r)
      return r;
    if(set_new(d, "temperature", t))
      return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  v = json_object_get(req, "max_tokens");
  if(!v) {
    if(set_new(d, "max_tokens", json_integer(16)))
      return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  else if(!json_is_null(v) && set_new(d, "max_tokens", json_incref(v)))
    return og_fail(err, OG_E_NOMEM, "out of memory");
  v = json_object_get(req, "stop");
  if(truthy(v) && set_new(d, "stop", json_incref(v)))
    return og_fail(err, OG_E_NOMEM, "out of memory");
  /* newer completions controller: "web_search": true when set */
  v = json_object_get(req, "web_search");
  if(rules == OG_RULES_NEWER && truthy(v) &&
     set_new(d, "web_search", json_true()))
    return og_fail(err, OG_E_NOMEM, "out of memory");
  return OG_OK;
}

og_result og_canon_request(json_t **out, const json_t *request,
                           og_endpoint kind, og_canon_rules rules,
                           og_err *err)
{
  json_t *d;
  og_result r;
  *out = NULL;
  if(!json_is_object(request))
    return og_fail(err, OG_E_VERIFY, "request body is not a JSON object");
  d = json_object();
  if(!d)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  if(kind == OG_ENDPOINT_CHAT)
    r = chat_canon(d, request, rules, err);
  else if(kind == OG_ENDPOINT_COMPLETION)
    r = completion_canon(d, request, rules, err);
  else
    r = og_fail(err, OG_E_USAGE, "unknown endpoint kind");
  if(r) {
    json_decref(d);
    return r;
  }
  *out = d;
  return OG_OK;
}

og_result og_canon_request_bytes(og_buf *out, const json_t *request,
                                 og_endpoint kind, og_canon_rules rules,
                                 og_err *err)
{
  json_t *d;
  og_result r = og_canon_request(&d, request, kind, rules, err);
  if(r)
    return r;
  r = og_canon_write(out, d, err);
  json_decref(d);
  return r;
}

og_result og_canon_request_hash(og_bytes32 *out, const json_t *request,
                                og_endpoint kind, og_canon_rules rules,
                                og_err *err)
{
  og_buf b;
  og_result r;
  og_buf_init(&b, OG_CANON_MAX_BYTES);
  r = og_canon_request_bytes(&b, request, kind, rules, err);
  if(!r)
    og_keccak256(out, b.len ? (const void *)b.data : "", b.len);
  og_buf_free(&b);
  return r;
}
