/*
 * Canonical JSON writer: Python's json.dumps(obj, sort_keys=True) byte for
 * byte, from a jansson value; Python str()/repr() of JSON values (for the
 * 2026-04 gateway's user list content); the output string of tool calls.
 * The canonical request dict lives in canon_request.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_json.h"
#include "opengradient/og_canon.h"
#include "opengradient/og_keccak.h"

#include "llm/llm_internal.h"
#include "llm/pyprintable.h"

og_result og_canon_write_string(og_buf *out, const char *s, size_t n,
                                og_err *err)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0, run;
  og_result r = og_buf_addc(out, '"');
  while(!r && i < n) {
    uint32_t cp;
    size_t len;
    char esc[16];
    /* copy runs of plain printable ASCII at once */
    run = i;
    while(run < n && p[run] >= 0x20 && p[run] <= 0x7E && p[run] != '"' &&
          p[run] != '\\')
      run++;
    if(run > i) {
      r = og_buf_add(out, p + i, run - i);
      i = run;
      continue;
    }
    len = llm_utf8_next(p + i, n - i, &cp);
    if(!len)
      return og_fail(err, OG_E_USAGE,
                     "invalid UTF-8 in a JSON string at byte %zu", i);
    i += len;
    switch(cp) {
    case '"': r = og_buf_add(out, "\\\"", 2); break;
    case '\\': r = og_buf_add(out, "\\\\", 2); break;
    case '\n': r = og_buf_add(out, "\\n", 2); break;
    case '\r': r = og_buf_add(out, "\\r", 2); break;
    case '\t': r = og_buf_add(out, "\\t", 2); break;
    case '\b': r = og_buf_add(out, "\\b", 2); break;
    case '\f': r = og_buf_add(out, "\\f", 2); break;
    default:
      if(cp >= 0x10000) {
        uint32_t v = cp - 0x10000;
        snprintf(esc, sizeof(esc), "\\u%04x\\u%04x",
                 (unsigned)(0xD800 | (v >> 10)),
                 (unsigned)(0xDC00 | (v & 0x3FF)));
        r = og_buf_add(out, esc, 12);
      }
      else {
        snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
        r = og_buf_add(out, esc, 6);
      }
    }
  }
  if(!r)
    r = og_buf_addc(out, '"');
  if(r)
    return og_fail(err, r, "canonical JSON output too large");
  return OG_OK;
}

void og_canon_float(char out[32], double x)
{
  char buf[40], digits[24];
  int n, exp10 = 0, nd = 0, pos = 0, i;
  const char *p;
  if(isnan(x)) {
    strcpy(out, "NaN");
    return;
  }
  if(isinf(x)) {
    strcpy(out, x > 0 ? "Infinity" : "-Infinity");
    return;
  }
  if(x == 0) {
    strcpy(out, signbit(x) ? "-0.0" : "0.0");
    return;
  }
  /* the shortest digit string that reads back as x: Python's repr digits */
  for(n = 1; n <= 17; n++) {
    snprintf(buf, sizeof(buf), "%.*e", n - 1, x);
    if(strtod(buf, NULL) == x)
      break;
  }
  /* buf is [-]d[.ddd]e(+|-)XX; the decimal point may be locale-specific */
  for(p = buf; *p && *p != 'e'; p++)
    if(*p >= '0' && *p <= '9' && nd < (int)sizeof(digits) - 1)
      digits[nd++] = *p;
  if(*p == 'e')
    exp10 = atoi(p + 1);
  while(nd > 1 && digits[nd - 1] == '0')
    nd--;
  digits[nd] = 0;
  if(x < 0)
    out[pos++] = '-';
  if(exp10 < -4 || exp10 >= 16) {
    out[pos++] = digits[0];
    if(nd > 1) {
      out[pos++] = '.';
      for(i = 1; i < nd; i++)
        out[pos++] = digits[i];
    }
    snprintf(out + pos, 32 - (size_t)pos, "e%+03d", exp10);
    return;
  }
  if(exp10 >= 0) {
    for(i = 0; i <= exp10; i++)
      out[pos++] = i < nd ? digits[i] : '0';
    out[pos++] = '.';
    if(nd > exp10 + 1)
      for(i = exp10 + 1; i < nd; i++)
        out[pos++] = digits[i];
    else
      out[pos++] = '0';
  }
  else {
    out[pos++] = '0';
    out[pos++] = '.';
    for(i = 0; i < -exp10 - 1; i++)
      out[pos++] = '0';
    for(i = 0; i < nd; i++)
      out[pos++] = digits[i];
  }
  out[pos] = 0;
}

struct key_ref {
  const char *key;
  size_t len;
  json_t *value;
};

/* Code-point order equals memcmp order of the UTF-8 bytes. */
static int key_cmp(const void *a, const void *b)
{
  const struct key_ref *x = a, *y = b;
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(x->key, y->key, n);
  if(c)
    return c;
  return (x->len > y->len) - (x->len < y->len);
}

static og_result canon_value(og_buf *out, const json_t *v, int depth,
                             og_err *err);

static og_result canon_object(og_buf *out, const json_t *v, int depth,
                              og_err *err)
{
  size_t n = json_object_size(v), i = 0;
  struct key_ref *keys;
  void *it;
  og_result r;
  if(!n) {
    r = og_buf_add(out, "{}", 2);
    return r ? og_fail(err, r, "canonical JSON output too large") : OG_OK;
  }
  keys = calloc(n, sizeof(*keys));
  if(!keys)
    return og_fail(err, OG_E_NOMEM, "out of memory sorting keys");
  for(it = json_object_iter((json_t *)v); it && i < n;
      it = json_object_iter_next((json_t *)v, it), i++) {
    keys[i].key = json_object_iter_key(it);
    keys[i].len = json_object_iter_key_len(it);
    keys[i].value = json_object_iter_value(it);
  }
  n = i;
  qsort(keys, n, sizeof(*keys), key_cmp);
  r = og_buf_addc(out, '{');
  if(r)
    r = og_fail(err, r, "canonical JSON output too large");
  for(i = 0; !r && i < n; i++) {
    if(i && og_buf_add(out, ", ", 2)) {
      r = og_fail(err, OG_E_TOO_LARGE, "canonical JSON output too large");
      break;
    }
    r = og_canon_write_string(out, keys[i].key, keys[i].len, err);
    if(!r && og_buf_add(out, ": ", 2))
      r = og_fail(err, OG_E_TOO_LARGE, "canonical JSON output too large");
    if(!r)
      r = canon_value(out, keys[i].value, depth + 1, err);
  }
  if(!r && og_buf_addc(out, '}'))
    r = og_fail(err, OG_E_TOO_LARGE, "canonical JSON output too large");
  free(keys);
  return r;
}

static og_result canon_value(og_buf *out, const json_t *v, int depth,
                             og_err *err)
{
  char num[40];
  og_result r = OG_OK;
  size_t i;
  if(depth > OG_CANON_MAX_DEPTH)
    return og_fail(err, OG_E_USAGE, "JSON nested deeper than %d levels",
                   OG_CANON_MAX_DEPTH);
  if(!v)
    return og_fail(err, OG_E_INTERNAL, "missing JSON value");
  switch(json_typeof(v)) {
  case JSON_OBJECT:
    return canon_object(out, v, depth, err);
  case JSON_ARRAY:
    r = og_buf_addc(out, '[');
    for(i = 0; !r && i < json_array_size(v); i++) {
      if(i)
        r = og_buf_add(out, ", ", 2);
      if(!r) {
        r = canon_value(out, json_array_get(v, i), depth + 1, err);
        if(r)
          return r;
      }
    }
    if(!r)
      r = og_buf_addc(out, ']');
    break;
  case JSON_STRING:
    return og_canon_write_string(out, json_string_value(v),
                                 json_string_length(v), err);
  case JSON_INTEGER:
    snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    r = og_buf_addstr(out, num);
    break;
  case JSON_REAL:
    og_canon_float(num, json_real_value(v));
    r = og_buf_addstr(out, num);
    break;
  case JSON_TRUE:
    r = og_buf_add(out, "true", 4);
    break;
  case JSON_FALSE:
    r = og_buf_add(out, "false", 5);
    break;
  case JSON_NULL:
    r = og_buf_add(out, "null", 4);
    break;
  }
  if(r)
    return og_fail(err, r, "canonical JSON output too large");
  return OG_OK;
}

og_result og_canon_write(og_buf *out, const json_t *v, og_err *err)
{
  return canon_value(out, v, 0, err);
}

og_result og_json_parse(json_t **out, const char *text, size_t len,
                        size_t max, og_err *err)
{
  json_error_t je;
  json_t *v;
  *out = NULL;
  if(len > max)
    return og_fail(err, OG_E_TOO_LARGE, "JSON text of %zu bytes exceeds %zu",
                   len, max);
  if(og_json_scan(text, len, err) != OG_OK)
    return OG_E_TOO_LARGE;
  v = og_json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
  if(!v) {
    if(json_error_code(&je) == json_error_numeric_overflow) {
      if(strstr(je.text, "integer"))
        return og_fail(err, OG_E_USAGE,
                       "integer outside the 64-bit range at offset %d: "
                       "not supported (its hash could not be reproduced)",
                       je.position);
      return og_fail(err, OG_E_USAGE,
                     "number too large for a double at offset %d: "
                     "not supported", je.position);
    }
    if(json_error_code(&je) == json_error_out_of_memory)
      return og_fail(err, OG_E_NOMEM, "out of memory parsing JSON");
    return og_fail(err, OG_E_PARSE, "invalid JSON at line %d column %d: %s",
                   je.line, je.column, je.text);
  }
  *out = v;
  return OG_OK;
}

/* ---- Python str() / repr() of JSON values ---- */

static int py_printable(uint32_t cp)
{
  size_t lo = 0, hi = sizeof(pyrepr_nonprint) / sizeof(pyrepr_nonprint[0]);
  if(cp < 0x80)
    return cp >= 0x20 && cp < 0x7F;
  while(lo < hi) {
    size_t mid = (lo + hi) / 2;
    if(cp < pyrepr_nonprint[mid][0])
      hi = mid;
    else if(cp > pyrepr_nonprint[mid][1])
      lo = mid + 1;
    else
      return 0;
  }
  return 1;
}

static og_result pyrepr_string(og_buf *out, const char *s, size_t n,
                               og_err *err)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  char quote = '\'';
  og_result r;
  /* repr picks double quotes only for text with ' and no " */
  if(memchr(s, '\'', n) && !memchr(s, '"', n))
    quote = '"';
  r = og_buf_addc(out, quote);
  while(!r && i < n) {
    uint32_t cp;
    size_t len = llm_utf8_next(p + i, n - i, &cp);
    char esc[16];
    if(!len)
      return og_fail(err, OG_E_USAGE,
                     "invalid UTF-8 in a JSON string at byte %zu", i);
    if(cp == (uint32_t)quote || cp == '\\') {
      esc[0] = '\\';
      esc[1] = (char)cp;
      r = og_buf_add(out, esc, 2);
    }
    else if(cp == '\t')
      r = og_buf_add(out, "\\t", 2);
    else if(cp == '\n')
      r = og_buf_add(out, "\\n", 2);
    else if(cp == '\r')
      r = og_buf_add(out, "\\r", 2);
    else if(py_printable(cp))
      r = og_buf_add(out, p + i, len);
    else if(cp < 0x100) {
      snprintf(esc, sizeof(esc), "\\x%02x", (unsigned)cp);
      r = og_buf_add(out, esc, 4);
    }
    else if(cp < 0x10000) {
      snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
      r = og_buf_add(out, esc, 6);
    }
    else {
      snprintf(esc, sizeof(esc), "\\U%08x", (unsigned)cp);
      r = og_buf_add(out, esc, 10);
    }
    i += len;
  }
  if(!r)
    r = og_buf_addc(out, quote);
  return r ? og_fail(err, r, "Python repr output too large") : OG_OK;
}

static og_result pyrepr_value(og_buf *out, const json_t *v, int depth,
                              og_err *err)
{
  char num[40];
  og_result r = OG_OK;
  size_t i;
  void *it;
  if(depth > OG_CANON_MAX_DEPTH)
    return og_fail(err, OG_E_USAGE, "JSON nested deeper than %d levels",
                   OG_CANON_MAX_DEPTH);
  switch(json_typeof(v)) {
  case JSON_OBJECT:
    /* dicts print in insertion order; jansson iterates in that order */
    r = og_buf_addc(out, '{');
    for(it = json_object_iter((json_t *)v), i = 0; !r && it;
        it = json_object_iter_next((json_t *)v, it), i++) {
      if(i && og_buf_add(out, ", ", 2))
        break;
      r = pyrepr_string(out, json_object_iter_key(it),
                        json_object_iter_key_len(it), err);
      if(r)
        return r;
      if(og_buf_add(out, ": ", 2))
        break;
      r = pyrepr_value(out, json_object_iter_value(it), depth + 1, err);
      if(r)
        return r;
    }
    if(!out->failed)
      r = og_buf_addc(out, '}');
    break;
  case JSON_ARRAY:
    r = og_buf_addc(out, '[');
    for(i = 0; !r && i < json_array_size(v); i++) {
      if(i && og_buf_add(out, ", ", 2))
        break;
      r = pyrepr_value(out, json_array_get(v, i), depth + 1, err);
      if(r)
        return r;
    }
    if(!out->failed)
      r = og_buf_addc(out, ']');
    break;
  case JSON_STRING:
    return pyrepr_string(out, json_string_value(v), json_string_length(v),
                         err);
  case JSON_INTEGER:
    snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    r = og_buf_addstr(out, num);
    break;
  case JSON_REAL: {
    double x = json_real_value(v);
    if(isnan(x))
      strcpy(num, "nan");
    else if(isinf(x))
      strcpy(num, x > 0 ? "inf" : "-inf");
    else
      og_canon_float(num, x);
    r = og_buf_addstr(out, num);
    break;
  }
  case JSON_TRUE:
    r = og_buf_addstr(out, "True");
    break;
  case JSON_FALSE:
    r = og_buf_addstr(out, "False");
    break;
  case JSON_NULL:
    r = og_buf_addstr(out, "None");
    break;
  }
  if(r || out->failed)
    return og_fail(err, r ? r : OG_E_TOO_LARGE,
                   "Python repr output too large");
  return OG_OK;
}

og_result og_canon_pystr(og_buf *out, const json_t *v, og_err *err)
{
  if(!v)
    return og_buf_addstr(out, "None") ?
             og_fail(err, OG_E_TOO_LARGE, "Python repr output too large") :
             OG_OK;
  if(json_is_string(v)) {
    size_t n = json_string_length(v);
    uint32_t cp;
    size_t i = 0, len;
    const unsigned char *p = (const unsigned char *)json_string_value(v);
    /* str of a str is itself, but it must still be valid UTF-8 */
    while(i < n) {
      len = llm_utf8_next(p + i, n - i, &cp);
      if(!len)
        return og_fail(err, OG_E_USAGE,
                       "invalid UTF-8 in a JSON string at byte %zu", i);
      i += len;
    }
    return og_buf_add(out, p, n) ?
             og_fail(err, OG_E_TOO_LARGE, "Python str output too large") :
             OG_OK;
  }
  return pyrepr_value(out, v, 0, err);
}

/* ---- output strings ---- */

static og_result add_lit(og_buf *out, const char *s, og_err *err)
{
  if(og_buf_addstr(out, s))
    return og_fail(err, OG_E_TOO_LARGE, "canonical JSON output too large");
  return OG_OK;
}

static og_result add_str_or_null(og_buf *out, const char *s, og_err *err)
{
  if(!s)
    return add_lit(out, "null", err);
  return og_canon_write_string(out, s, strlen(s), err);
}

og_result og_canon_tool_calls(og_buf *out, const og_tool_call *calls,
                              size_t ncalls, og_err *err)
{
  size_t i;
  og_result r = add_lit(out, "[", err);
  /* keys in sorted order: function{arguments,name}, id, type */
  for(i = 0; !r && i < ncalls; i++) {
    if(i)
      r = add_lit(out, ", ", err);
    if(!r)
      r = add_lit(out, "{\"function\": {\"arguments\": ", err);
    if(!r)
      r = add_str_or_null(out, calls[i].arguments, err);
    if(!r)
      r = add_lit(out, ", \"name\": ", err);
    if(!r)
      r = add_str_or_null(out, calls[i].name, err);
    if(!r)
      r = add_lit(out, "}, \"id\": ", err);
    if(!r)
      r = add_str_or_null(out, calls[i].id, err);
    if(!r)
      r = add_lit(out, ", \"type\": ", err);
    if(!r)
      r = add_str_or_null(out, calls[i].type, err);
    if(!r)
      r = add_lit(out, "}", err);
  }
  if(!r)
    r = add_lit(out, "]", err);
  return r;
}

og_result og_canon_output_hash(og_bytes32 *out, const char *text,
                               size_t text_len, const og_tool_call *calls,
                               size_t ncalls, og_err *err)
{
  og_buf b;
  og_result r;
  if(!ncalls) {
    if(!text && text_len)
      return og_fail(err, OG_E_USAGE, "missing answer text");
    og_keccak256(out, text_len ? text : "", text_len);
    return OG_OK;
  }
  og_buf_init(&b, OG_CANON_MAX_BYTES);
  r = og_canon_tool_calls(&b, calls, ncalls, err);
  if(!r)
    og_keccak256(out, b.data, b.len);
  og_buf_free(&b);
  return r;
}
