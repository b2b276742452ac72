/* The one sanitiser for untrusted text shown to a person (og_text.h). */
#include <stdio.h>
#include <string.h>

#include "opengradient/og_text.h"

/* Length of the valid UTF-8 sequence at s (n > 0 bytes left), with its
 * code point in *cp; 0 when the first byte does not start one (overlong
 * forms, surrogates and values above U+10FFFF are not valid). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
  unsigned char c = s[0];
  size_t len, i;
  uint32_t v, min;
  if(c < 0x80) {
    *cp = c;
    return 1;
  }
  if(c >= 0xc2 && c <= 0xdf) {
    len = 2;
    v = c & 0x1fu;
    min = 0x80;
  }
  else if(c >= 0xe0 && c <= 0xef) {
    len = 3;
    v = c & 0x0fu;
    min = 0x800;
  }
  else if(c >= 0xf0 && c <= 0xf4) {
    len = 4;
    v = c & 0x07u;
    min = 0x10000;
  }
  else
    return 0;
  if(n < len)
    return 0;
  for(i = 1; i < len; i++) {
    if((s[i] & 0xc0) != 0x80)
      return 0;
    v = (v << 6) | (s[i] & 0x3fu);
  }
  if(v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
    return 0;
  *cp = v;
  return len;
}

static int cp_unsafe(uint32_t cp, unsigned flags)
{
  if(cp == '\n' || cp == '\t')
    return !(flags & OG_TEXT_KEEP_NEWLINES);
  /* bidi: embeddings, overrides and isolates, and the implicit marks
   * (LRM U+200E, RLM U+200F, ALM U+061C) that also reorder text */
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
         cp == 0x200e || cp == 0x200f || cp == 0x61c;
}

/* One step: how many input bytes (*used) and, in esc, the escape to write
 * instead (esc[0] == 0: copy the bytes as they are). */
static void step(const unsigned char *s, size_t n, unsigned flags,
                 size_t *used, char esc[12])
{
  uint32_t cp = 0;
  size_t len = utf8_decode(s, n, &cp);
  esc[0] = 0;
  if(!len) {
    snprintf(esc, 12, "\\x%02x", s[0]);
    *used = 1;
    return;
  }
  *used = len;
  if(!cp_unsafe(cp, flags))
    return;
  if(cp < 0x80)
    snprintf(esc, 12, "\\x%02x", (unsigned)cp);
  else
    snprintf(esc, 12, "\\u%04x", (unsigned)cp);
}

int og_text_needs_escape(const char *s, size_t n, unsigned flags)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while(i < n) {
    size_t used;
    char esc[12];
    if(p[i] >= 0x20 && p[i] < 0x7f) { /* the common case */
      i++;
      continue;
    }
    step(p + i, n - i, flags, &used, esc);
    if(esc[0])
      return 1;
    i += used;
  }
  return 0;
}

size_t og_text_visible(char *out, size_t outsz, const char *s, size_t n,
                       unsigned flags)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0, o = 0;
  if(!outsz)
    return 0;
  while(i < n) {
    size_t used, k;
    char esc[12];
    step(p + i, n - i, flags, &used, esc);
    k = esc[0] ? strlen(esc) : used;
    if(o + k + 1 > outsz)
      break;
    memcpy(out + o, esc[0] ? esc : (const char *)p + i, k);
    o += k;
    i += used;
  }
  out[o] = 0;
  return i;
}
