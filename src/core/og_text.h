/* The one control-character sanitiser for server text shown to people
 * (internal). */
#ifndef OPENGRADIENT_CORE_OG_TEXT_H
#define OPENGRADIENT_CORE_OG_TEXT_H

#include <stddef.h>

/* Copy n bytes of s into out (cap bytes, always NUL-terminated when cap >
 * 0) with each control character (below 0x20, and DEL) replaced by repl;
 * a cut never splits a UTF-8 sequence. */
void og_text_clean(char *out, size_t cap, const char *s, size_t n, char repl);

#endif
