/* Incremental text/event-stream parser (see og_sse.h).
 *
 * The parser is a small state machine over the bytes of one line. Field
 * names are kept only as far as needed to tell "data" from the rest; data
 * values are appended span by span straight into the event buffer, so the
 * only copy is the event itself. Line ends are found with memchr. */
#include <string.h>

#include "opengradient/og_sse.h"

enum {
  ST_NAME = 0, /* reading the field name (or nothing yet) */
  ST_SPACE,    /* just after the colon: one space may follow */
  ST_VALUE,    /* reading the value (kept when the field is data) */
  ST_SKIP      /* a comment or an ignored field: skip to the line end */
};

static const unsigned char bom_bytes[3] = {0xEF, 0xBB, 0xBF};

void og_sse_init(og_sse *p, og_sse_event_cb cb, void *user)
{
  memset(p, 0, sizeof(*p));
  p->cb = cb;
  p->user = user;
  p->max_line = OG_SSE_DEFAULT_MAX_LINE;
  og_buf_init(&p->data, OG_SSE_DEFAULT_MAX_EVENT);
}

void og_sse_set_limits(og_sse *p, size_t max_line, size_t max_event)
{
  if(max_line)
    p->max_line = max_line;
  if(max_event)
    p->data.max = max_event;
}

static void line_clear(og_sse *p)
{
  p->state = ST_NAME;
  p->line_len = 0;
  p->name_len = 0;
  p->is_data = 0;
}

void og_sse_reset(og_sse *p)
{
  line_clear(p);
  og_buf_reset(&p->data);
  p->failed = OG_OK;
  p->bom = 0;
  p->cr = 0;
  p->has_data = 0;
}

void og_sse_free(og_sse *p)
{
  og_buf_free(&p->data);
  line_clear(p);
  p->has_data = 0;
}

static og_result sse_fail(og_sse *p, og_result r)
{
  p->failed = r;
  return r;
}

static og_result too_large_event(og_sse *p, og_err *err)
{
  og_fail(err, OG_E_TOO_LARGE,
          "server-sent event larger than %zu bytes", p->data.max);
  return sse_fail(p, OG_E_TOO_LARGE);
}

/* Count n more bytes of the current line against the limit. */
static og_result line_grow(og_sse *p, size_t n, og_err *err)
{
  if(n > p->max_line - p->line_len) {
    og_fail(err, OG_E_TOO_LARGE,
            "server-sent event line longer than %zu bytes", p->max_line);
    return sse_fail(p, OG_E_TOO_LARGE);
  }
  p->line_len += n;
  return OG_OK;
}

static int name_is_data(const og_sse *p)
{
  return p->name_len == 4 && !memcmp(p->name, "data", 4);
}

/* A data line begins: lines of one event are joined with LF. */
static og_result data_line(og_sse *p, og_err *err)
{
  if(p->has_data) {
    og_result r = og_buf_addc(&p->data, '\n');
    if(r == OG_E_TOO_LARGE)
      return too_large_event(p, err);
    if(r)
      return sse_fail(p, og_fail(err, r, "out of memory in event parser"));
  }
  p->has_data = 1;
  return OG_OK;
}

static og_result dispatch(og_sse *p, og_err *err)
{
  og_result r = OG_OK;
  if(p->has_data) {
    r = p->cb(p->user, og_buf_str(&p->data), p->data.len, err);
    og_buf_reset(&p->data);
    p->has_data = 0;
  }
  if(r)
    return sse_fail(p, r);
  return OG_OK;
}

/* The current line ended (at a CR or LF). */
static og_result line_end(og_sse *p, og_err *err)
{
  og_result r = OG_OK;
  if(p->state == ST_NAME) {
    if(p->line_len == 0)
      r = dispatch(p, err);
    else if(name_is_data(p))
      r = data_line(p, err); /* "data" alone: an empty value */
  }
  line_clear(p);
  return r;
}

static og_result parse(og_sse *p, const unsigned char *s, size_t len,
                       og_err *err)
{
  const unsigned char *end = s + len;
  og_result r;

  while(s < end) {
    if(p->cr) {
      /* the LF of a CRLF, possibly split from its CR across feeds */
      p->cr = 0;
      if(*s == '\n') {
        s++;
        continue;
      }
    }
    if(p->state == ST_NAME) {
      const unsigned char *q = s;
      size_t n;
      while(q < end && *q != ':' && *q != '\n' && *q != '\r')
        q++;
      n = (size_t)(q - s);
      if(n) {
        size_t keep = sizeof(p->name) - p->name_len;
        r = line_grow(p, n, err);
        if(r)
          return r;
        if(keep > n)
          keep = n;
        memcpy(p->name + p->name_len, s, keep);
        p->name_len = (unsigned char)(p->name_len + keep);
      }
      s = q;
      if(s == end)
        break;
      if(*s == ':') {
        int comment = p->line_len == 0;
        r = line_grow(p, 1, err);
        if(r)
          return r;
        s++;
        if(comment || !name_is_data(p)) {
          p->state = ST_SKIP;
        }
        else {
          r = data_line(p, err);
          if(r)
            return r;
          p->is_data = 1;
          p->state = ST_SPACE;
        }
        continue;
      }
      /* CR or LF */
      p->cr = *s == '\r';
      s++;
      r = line_end(p, err);
      if(r)
        return r;
      continue;
    }
    if(p->state == ST_SPACE) {
      p->state = ST_VALUE;
      if(*s == ' ') {
        r = line_grow(p, 1, err);
        if(r)
          return r;
        s++;
        continue;
      }
    }
    /* ST_VALUE or ST_SKIP: up to the next CR or LF */
    {
      const unsigned char *nl = memchr(s, '\n', (size_t)(end - s));
      const unsigned char *lim = nl ? nl : end;
      const unsigned char *cr = memchr(s, '\r', (size_t)(lim - s));
      const unsigned char *q = cr ? cr : lim;
      size_t n = (size_t)(q - s);
      if(n) {
        r = line_grow(p, n, err);
        if(r)
          return r;
        if(p->is_data) {
          r = og_buf_add(&p->data, s, n);
          if(r == OG_E_TOO_LARGE)
            return too_large_event(p, err);
          if(r)
            return sse_fail(p, og_fail(err, r,
                                       "out of memory in event parser"));
        }
      }
      s = q;
      if(s == end)
        break;
      p->cr = *s == '\r';
      s++;
      r = line_end(p, err);
      if(r)
        return r;
    }
  }
  return OG_OK;
}

og_result og_sse_feed(og_sse *p, const void *bytes, size_t len, og_err *err)
{
  const unsigned char *s = bytes;
  if(p->failed)
    return og_fail(err, p->failed, "event stream parser already failed");
  if(!len)
    return OG_OK;
  if(p->bom < 3) {
    /* A BOM may only stand at the very start, and may arrive split. */
    while(len && p->bom < 3 && *s == bom_bytes[p->bom]) {
      p->bom++;
      s++;
      len--;
    }
    if(p->bom == 3 || !len)
      return parse(p, s, len, err);
    /* not a BOM after all: the bytes held back are content */
    {
      size_t held = p->bom;
      og_result r;
      p->bom = 3;
      r = parse(p, bom_bytes, held, err);
      if(r)
        return r;
    }
  }
  return parse(p, s, len, err);
}

int og_sse_pending(const og_sse *p)
{
  return p->state != ST_NAME || p->line_len > 0 || p->has_data ||
         (p->bom > 0 && p->bom < 3);
}

int og_sse_finish(og_sse *p)
{
  int dropped = p->has_data ||
                (p->state != ST_NAME && p->is_data);
  line_clear(p);
  og_buf_reset(&p->data);
  p->has_data = 0;
  p->cr = 0;
  return dropped;
}
