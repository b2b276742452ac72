/* The one sanitiser for server text shown to people (internal).
 *
 * A character is unsafe for a terminal when it is a C0 control other than
 * newline and tab, DEL, a C1 control (U+0080..U+009F as UTF-8, or any byte
 * that is not part of valid UTF-8), or a bidirectional control (U+200E,
 * U+200F, U+061C, U+202A..U+202E, U+2066..U+2069). */
#ifndef OPENGRADIENT_CORE_OG_TEXT_H
#define OPENGRADIENT_CORE_OG_TEXT_H

#include <stddef.h>

/* Length in bytes (1..4) of the character starting at s (n > 0 bytes
 * available), with *unsafe set as above; an invalid byte is one unsafe
 * character of length 1. Returns 0 when the n bytes are only the start of
 * a valid UTF-8 sequence (more may follow in a stream). */
size_t og_text_char(const char *s, size_t n, int *unsafe);

/* Copy n bytes of s into out (cap bytes, always NUL-terminated when cap >
 * 0) making every unsafe character safe: with repl != 0 each one becomes
 * repl (and newline and tab too, for one-line messages); with repl == 0 it
 * is shown as an escape (\x1b, \u202e) and newline and tab are kept. A cut
 * never splits a character or an escape. Returns the number of bytes of s
 * consumed (n unless out was too small). */
size_t og_text_clean(char *out, size_t cap, const char *s, size_t n,
                     char repl);

#endif
