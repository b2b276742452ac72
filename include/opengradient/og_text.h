/*
 * Showing untrusted text: the one sanitiser. Server-supplied text (answers,
 * tool names, finish reasons, ids, endpoints, error reasons) can carry
 * terminal escapes; these functions make it visible instead.
 */
#ifndef OPENGRADIENT_OG_TEXT_H
#define OPENGRADIENT_OG_TEXT_H

#include "og_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Leave newline and tab as they are (otherwise they are escaped too, so
 * that the text stays on one line). */
#define OG_TEXT_KEEP_NEWLINES 1u

/* Whether the n bytes at s would be changed by og_text_visible: 0 or 1. */
OG_API int og_text_needs_escape(const char *s, size_t n, unsigned flags);

/* Copy n bytes of untrusted text s into out (outsz bytes, NUL included)
 * with everything that could drive a terminal made visible:
 *  - C0 controls and DEL (newline and tab too unless OG_TEXT_KEEP_NEWLINES)
 *    and every byte that is not part of valid UTF-8 become \xHH;
 *  - C1 controls (U+0080..U+009F) and the bidirectional embeddings,
 *    overrides and isolates (U+202A..U+202E, U+2066..U+2069) and marks
 *    (U+200E, U+200F, U+061C) become \uHHHH.
 * Valid UTF-8 otherwise passes unchanged. out is always NUL-terminated
 * (when outsz > 0); a character or escape that does not fit is left out
 * whole. Returns the number of input bytes consumed (n when all fitted),
 * so that a caller can continue from there. The output never holds a NUL
 * before its end. */
OG_API size_t og_text_visible(char *out, size_t outsz, const char *s, size_t n,
                              unsigned flags);

#ifdef __cplusplus
}
#endif

#endif
