/* The dedicated scanner for the gateway's content chunks: the one allowed
 * exception to "JSON is parsed with jansson" (decisions.md, JSON), taken
 * because jansson was ~75% of the CPU of a long stream (the profiles are
 * in bench/RESULTS.md).
 *
 * It accepts only the exact bytes Python's json.dumps writes for a content
 * chunk (gateway-api.md 5.3):
 *
 *   {"choices": [{"delta": {"content": C, "role": R}, "index": 0,
 *   "finish_reason": null}], "model": M}
 *
 * (one line) where C, R and M are each a JSON string or null, and decodes
 * the strings with full JSON unescaping (\uXXXX, surrogate pairs, \u0000)
 * and jansson's UTF-8 rules. Anything else, including anything it does not
 * check completely, is "not mine" and goes to jansson, which then gives
 * the answer or the error. So the scanner never reports an error: it
 * either returns exactly what jansson would have produced for the three
 * fields, or declines. tests/fuzz/fuzz_sse_scan.c holds it to that. */
#include <string.h>

#include "llm_internal.h"

static const char t_open[] = "{\"choices\": [{\"delta\": {\"content\": ";
static const char t_role[] = ", \"role\": ";
static const char t_model[] = "}, \"index\": 0, \"finish_reason\": null}], "
                              "\"model\": ";

/* 1 for bytes that stand for themselves inside a JSON string: printable
 * ASCII other than '"' and '\\'. (Bytes >= 0x80 are checked as UTF-8.) */
static const unsigned char plain[256] = {
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
  R16(0), R16(0),                                 /* 0x00-0x1f */
  1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20-0x2f: '"' */
  R16(1), R16(1),                                 /* 0x30-0x4f */
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50-0x5f: '\\' */
  R16(1), R16(1),                                 /* 0x60-0x7f */
  R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0)
#undef R16
};

static int hex4(const unsigned char *p, unsigned long *v)
{
  size_t i;
  *v = 0;
  for(i = 0; i < 4; i++) {
    unsigned c = p[i];
    unsigned d;
    if(c >= '0' && c <= '9')
      d = c - '0';
    else if(c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if(c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return -1;
    *v = (*v << 4) | d;
  }
  return 0;
}

/* One escape after a backslash at *pp (pointing at the letter); appends
 * its UTF-8 to out. -1 when jansson would refuse it (or out of memory). */
static int unescape(const unsigned char **pp, const unsigned char *end,
                    og_buf *out)
{
  const unsigned char *p = *pp;
  unsigned char u[4];
  unsigned long v, lo;
  size_t n;
  char c;
  switch(*p) {
  case '"': c = '"'; break;
  case '\\': c = '\\'; break;
  case '/': c = '/'; break;
  case 'b': c = '\b'; break;
  case 'f': c = '\f'; break;
  case 'n': c = '\n'; break;
  case 'r': c = '\r'; break;
  case 't': c = '\t'; break;
  case 'u':
    if(end - p < 5 || hex4(p + 1, &v))
      return -1;
    p += 5;
    if(v >= 0xDC00 && v <= 0xDFFF)
      return -1; /* a low surrogate first */
    if(v >= 0xD800 && v <= 0xDBFF) {
      if(end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) ||
         lo < 0xDC00 || lo > 0xDFFF)
        return -1;
      p += 6;
      v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
    }
    if(v < 0x80) {
      u[0] = (unsigned char)v;
      n = 1;
    }
    else if(v < 0x800) {
      u[0] = (unsigned char)(0xC0 | (v >> 6));
      u[1] = (unsigned char)(0x80 | (v & 0x3F));
      n = 2;
    }
    else if(v < 0x10000) {
      u[0] = (unsigned char)(0xE0 | (v >> 12));
      u[1] = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
      u[2] = (unsigned char)(0x80 | (v & 0x3F));
      n = 3;
    }
    else {
      u[0] = (unsigned char)(0xF0 | (v >> 18));
      u[1] = (unsigned char)(0x80 | ((v >> 12) & 0x3F));
      u[2] = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
      u[3] = (unsigned char)(0x80 | (v & 0x3F));
      n = 4;
    }
    *pp = p;
    return og_buf_add(out, u, n) ? -1 : 0;
  default:
    return -1;
  }
  *pp = p + 1;
  return og_buf_add(out, &c, 1) ? -1 : 0;
}

/* A string or null value at *pp, decoded into out with a NUL after it.
 * *off is its offset in out (LLM_SCAN_NONE for null), *len its length. */
static int value(const unsigned char **pp, const unsigned char *end,
                 og_buf *out, size_t *off, size_t *len)
{
  const unsigned char *p = *pp;
  size_t start;
  if((size_t)(end - p) >= 4 && !memcmp(p, "null", 4)) {
    *off = LLM_SCAN_NONE;
    *len = 0;
    *pp = p + 4;
    return 0;
  }
  if(p == end || *p != '"')
    return -1;
  p++;
  start = out->len;
  for(;;) {
    const unsigned char *q = p;
    while(q < end && plain[*q])
      q++;
    while(q < end && *q >= 0x80) {
      uint32_t cp;
      size_t n = llm_utf8_next(q, (size_t)(end - q), &cp);
      if(!n)
        return -1;
      q += n;
      while(q < end && plain[*q])
        q++;
    }
    if(q > p && og_buf_add(out, p, (size_t)(q - p)))
      return -1;
    p = q;
    if(p == end)
      return -1;
    if(*p == '"')
      break;
    if(*p != '\\')
      return -1; /* a control character, or plain[] said no */
    p++;
    if(p == end || unescape(&p, end, out))
      return -1;
  }
  *off = start;
  *len = out->len - start;
  if(og_buf_addc(out, '\0'))
    return -1;
  *pp = p + 1;
  return 0;
}

static int literal(const unsigned char **pp, const unsigned char *end,
                   const char *lit, size_t n)
{
  if((size_t)(end - *pp) < n || memcmp(*pp, lit, n))
    return -1;
  *pp += n;
  return 0;
}

int llm_scan_chunk(llm_fast_chunk *fc, og_buf *out, const char *data,
                   size_t len)
{
  const unsigned char *p = (const unsigned char *)data;
  const unsigned char *end = p + len;
  og_buf_reset(out);
  if(literal(&p, end, t_open, sizeof(t_open) - 1) ||
     value(&p, end, out, &fc->content, &fc->content_len) ||
     literal(&p, end, t_role, sizeof(t_role) - 1) ||
     value(&p, end, out, &fc->role, &fc->role_len) ||
     literal(&p, end, t_model, sizeof(t_model) - 1) ||
     value(&p, end, out, &fc->model, &fc->model_len) ||
     p + 1 != end || *p != '}')
    return 0;
  return 1;
}
