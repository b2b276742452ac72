/* og_buf: growable buffer with a hard cap (see og_buf.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_buf.h"

#define OG_BUF_MIN_ALLOC 64

void og_buf_init(og_buf *b, size_t max)
{
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max;
  b->failed = 0;
}

/* Free (wiped: a buffer may hold a key or a payment) and remember why. */
static og_result buf_fail(og_buf *b, og_result r)
{
  if(b->data)
    og_wipe(b->data, b->cap);
  free(b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->failed = (int)r;
  return r;
}

/* Make room for n more bytes plus the NUL. */
static og_result buf_grow(og_buf *b, size_t n)
{
  size_t need, ncap;
  unsigned char *p;
  if(b->failed)
    return (og_result)b->failed; /* sticky: the first failure's reason */
  if(n > b->max || b->len > b->max - n)
    return buf_fail(b, OG_E_TOO_LARGE);
  need = b->len + n + 1;
  if(need <= b->cap)
    return OG_OK;
  ncap = b->cap ? b->cap : OG_BUF_MIN_ALLOC;
  while(ncap < need)
    ncap = (ncap > ((size_t)-1) / 2) ? need : ncap * 2;
  if(ncap > b->max + 1)
    ncap = b->max + 1;
  /* move rather than realloc, so the old block can be wiped: buffers
   * also carry keys and payment headers */
  p = malloc(ncap);
  if(!p)
    return buf_fail(b, OG_E_NOMEM);
  if(b->data) {
    memcpy(p, b->data, b->len + 1);
    og_wipe(b->data, b->cap);
    free(b->data);
  }
  b->data = p;
  b->cap = ncap;
  return OG_OK;
}

og_result og_buf_add(og_buf *b, const void *p, size_t n)
{
  og_result r;
  /* the common case, room already there: no call (hot in streaming) */
  if(b->cap > b->len && n < b->cap - b->len && !b->failed &&
     n <= b->max - b->len) {
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return OG_OK;
  }
  r = buf_grow(b, n);
  if(r)
    return r;
  if(n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = 0;
  return OG_OK;
}

og_result og_buf_addstr(og_buf *b, const char *s)
{
  return og_buf_add(b, s, strlen(s));
}

og_result og_buf_addc(og_buf *b, char c)
{
  return og_buf_add(b, &c, 1);
}

og_result og_buf_vprintf(og_buf *b, const char *fmt, va_list ap)
{
  va_list ap2;
  int n;
  og_result r;
  va_copy(ap2, ap);
  n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if(n < 0)
    return buf_fail(b, OG_E_INTERNAL);
  r = buf_grow(b, (size_t)n);
  if(r)
    return r;
  vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
  return OG_OK;
}

og_result og_buf_printf(og_buf *b, const char *fmt, ...)
{
  va_list ap;
  og_result r;
  va_start(ap, fmt);
  r = og_buf_vprintf(b, fmt, ap);
  va_end(ap);
  return r;
}

void og_buf_consume(og_buf *b, size_t n)
{
  if(n >= b->len) {
    b->len = 0;
  }
  else {
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
  }
  if(b->data)
    b->data[b->len] = 0;
}

void og_buf_reset(og_buf *b)
{
  b->len = 0;
  b->failed = 0;
  if(b->data)
    b->data[0] = 0;
}

void og_buf_free(og_buf *b)
{
  free(b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->failed = 0;
}

void og_buf_wipe_free(og_buf *b)
{
  if(b->data)
    og_wipe(b->data, b->cap);
  og_buf_free(b);
}

const char *og_buf_str(const og_buf *b)
{
  return b->data ? (const char *)b->data : "";
}

unsigned char *og_buf_take(og_buf *b, size_t *len)
{
  unsigned char *p = b->data;
  if(len)
    *len = b->len;
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->failed = 0;
  return p;
}
