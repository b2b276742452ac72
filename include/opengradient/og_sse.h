/*
 * og_sse: an incremental parser for server-sent events (text/event-stream),
 * following the WHATWG EventSource parsing rules:
 *  - LF, CR and CRLF line ends; a CR at the end of one feed and an LF at the
 *    start of the next are one line end;
 *  - one U+FEFF byte order mark at the very start is skipped;
 *  - lines starting with ':' are comments;
 *  - "field:value" with one optional space after the colon stripped, or a
 *    bare "field" (empty value); only the "data" field is kept, other
 *    fields (event, id, retry, unknown) are ignored;
 *  - several data lines of one event are joined with LF;
 *  - a blank line dispatches the event if it had at least one data line
 *    (its data may be empty); an unterminated event at the end is dropped.
 *
 * Bytes may be split anywhere between feeds (inside a field name, inside a
 * UTF-8 sequence, between CR and LF); the events are the same. The parser
 * copies only data values, straight into one reused event buffer, and
 * allocates nothing per feed. It never blocks: the same object serves a
 * blocking reader and a non-blocking (curl multi) write callback.
 *
 * Limits: a line longer than max_line bytes, or an event whose data exceeds
 * max_event bytes, fails with OG_E_TOO_LARGE (default 1 MiB each).
 *
 * The struct is public so that it can live on the stack or inside another
 * object; its members are private.
 */
#ifndef OPENGRADIENT_OG_SSE_H
#define OPENGRADIENT_OG_SSE_H

#include "og_buf.h"
#include "og_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OG_SSE_DEFAULT_MAX_LINE ((size_t)1 << 20)
#define OG_SSE_DEFAULT_MAX_EVENT ((size_t)1 << 20)

/* Called once per dispatched event with its data (NUL-terminated, len
 * bytes, may contain NUL bytes itself; valid only during the call). Return
 * OG_OK to go on; any other value stops the parser: og_sse_feed returns it
 * and every later feed returns it again. err is the og_err given to
 * og_sse_feed (may be NULL). */
typedef og_result (*og_sse_event_cb)(void *user, const char *data,
                                     size_t len, og_err *err);

typedef struct og_sse {
  /* private */
  og_sse_event_cb cb;
  void *user;
  og_buf data;         /* data of the event being built */
  size_t max_line;
  size_t line_len;     /* bytes of the current line so far */
  og_result failed;    /* sticky error */
  unsigned char bom;   /* BOM bytes matched so far; 3 = past the start */
  unsigned char cr;    /* the last byte seen was a CR */
  unsigned char state; /* where in the line we are */
  unsigned char is_data;   /* the current field is "data" */
  unsigned char has_data;  /* the event has had a data line */
  unsigned char name_len;  /* bytes of the field name kept */
  char name[5];        /* field name so far (enough to tell "data") */
} og_sse;

/* Initialise a parser that calls cb(user, ...) per event. Default limits.
 * Release with og_sse_free. */
OG_API void og_sse_init(og_sse *p, og_sse_event_cb cb, void *user);

/* Change the limits (0 keeps the current value). Call before feeding. */
OG_API void og_sse_set_limits(og_sse *p, size_t max_line, size_t max_event);

/* Feed len bytes. Returns OG_OK, or the first error: OG_E_TOO_LARGE for a
 * line or event over its limit, OG_E_NOMEM, or what the callback returned.
 * After an error the parser stays failed (until og_sse_reset). */
OG_API og_result og_sse_feed(og_sse *p, const void *bytes, size_t len, og_err *err);

/* The stream ended. An unterminated event is dropped, as the standard
 * says; returns 1 when one was (data lines without their blank line), 0
 * otherwise. */
OG_API int og_sse_finish(og_sse *p);

/* Nonzero while a partial line or an undispatched event is held. */
OG_API int og_sse_pending(const og_sse *p);

/* Forget all state (keeps the buffer allocation, callback and limits). */
OG_API void og_sse_reset(og_sse *p);

/* Release the event buffer. */
OG_API void og_sse_free(og_sse *p);

#ifdef __cplusplus
}
#endif

#endif
