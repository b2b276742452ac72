/*
 * og_buf: the one growable byte buffer, with a hard maximum size
 * (after curl's dynbuf). Used for HTTP bodies, SSE lines, JSON and ABI data;
 * the cap protects against hostile servers.
 *
 * The data is always NUL-terminated (not counted in len), so text can be
 * read with og_buf_str(). On any failure an add function frees the buffer
 * (len 0, data NULL, the old bytes wiped) and returns OG_E_NOMEM or
 * OG_E_TOO_LARGE; later adds return the same code until og_buf_reset, so
 * one check at the end of a sequence of adds is enough. Growing moves the
 * data and wipes the old block, so a buffer that held a secret leaves no
 * copy behind when freed with og_buf_wipe_free.
 */
#ifndef OPENGRADIENT_OG_BUF_H
#define OPENGRADIENT_OG_BUF_H

#include <stdarg.h>

#include "og_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct og_buf {
  unsigned char *data; /* NULL until the first add */
  size_t len;          /* bytes in use, not counting the NUL */
  size_t cap;          /* bytes allocated */
  size_t max;          /* hard cap on len */
  int failed;          /* the og_result of the first failed add, until
                          reset; later adds return it too */
} og_buf;

/* Initialise an empty buffer that may hold at most max bytes. */
OG_API void og_buf_init(og_buf *b, size_t max);

OG_API og_result og_buf_add(og_buf *b, const void *p, size_t n) OG_WARN_UNUSED;
OG_API og_result og_buf_addstr(og_buf *b, const char *s) OG_WARN_UNUSED;
OG_API og_result og_buf_addc(og_buf *b, char c) OG_WARN_UNUSED;
OG_API og_result og_buf_printf(og_buf *b, const char *fmt, ...)
  OG_PRINTF(2, 3) OG_WARN_UNUSED;
OG_API og_result og_buf_vprintf(og_buf *b, const char *fmt, va_list ap)
  OG_WARN_UNUSED;

/* Drop the first n bytes (n <= len), keeping the allocation. */
OG_API void og_buf_consume(og_buf *b, size_t n);

/* Forget the content but keep the allocation and the cap. */
OG_API void og_buf_reset(og_buf *b);

/* Free the memory; the buffer may be reused (same cap). */
OG_API void og_buf_free(og_buf *b);

/* Wipe then free: for buffers that held secrets. */
OG_API void og_buf_wipe_free(og_buf *b);

/* A NUL-terminated view; "" when empty. Valid until the next change. */
OG_API const char *og_buf_str(const og_buf *b);

/* Take the data out (NUL-terminated, caller frees with free()); the buffer
 * is left empty. Returns NULL for an empty buffer, with *len 0. */
OG_API unsigned char *og_buf_take(og_buf *b, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
