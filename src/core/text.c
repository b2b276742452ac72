/* og_text_char, og_text_clean: see og_text.h. */
#include <stdio.h>

#include "core/og_text.h"

size_t og_text_char(const char *s, size_t n, int *unsafe)
{
  const unsigned char *p = (const unsigned char *)s;
  unsigned c = p[0], cp, len, i, min;
  *unsafe = 0;
  if(c < 0x80) {
    *unsafe = (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f;
    return 1;
  }
  if(c >= 0xc2 && c <= 0xdf) {
    len = 2; cp = c & 0x1f; min = 0x80;
  }
  else if(c >= 0xe0 && c <= 0xef) {
    len = 3; cp = c & 0x0f; min = 0x800;
  }
  else if(c >= 0xf0 && c <= 0xf4) {
    len = 4; cp = c & 0x07; min = 0x10000;
  }
  else {
    *unsafe = 1; /* a stray byte */
    return 1;
  }
  for(i = 1; i < len; i++) {
    if(i >= n) {
      /* so far valid: the rest may still come */
      return 0;
    }
    if((p[i] & 0xc0) != 0x80) {
      *unsafe = 1;
      return 1;
    }
    cp = (cp << 6) | (p[i] & 0x3f);
    /* reject overlong, surrogate and too-large forms early */
    if(i == 1 && ((len == 3 && c == 0xe0 && p[1] < 0xa0) ||
                  (len == 3 && c == 0xed && p[1] >= 0xa0) ||
                  (len == 4 && c == 0xf0 && p[1] < 0x90) ||
                  (len == 4 && c == 0xf4 && p[1] >= 0x90))) {
      *unsafe = 1;
      return 1;
    }
  }
  if(cp < min) {
    *unsafe = 1;
    return 1;
  }
  *unsafe = (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e ||
            cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
            (cp >= 0x2066 && cp <= 0x2069);
  return len;
}

size_t og_text_clean(char *out, size_t cap, const char *s, size_t n,
                     char repl)
{
  size_t i = 0, o = 0;
  if(!cap)
    return 0;
  while(i < n) {
    int bad;
    size_t k = og_text_char(s + i, n - i, &bad);
    char esc[12];
    const char *w = s + i;
    size_t wl;
    if(k == 0) { /* a truncated sequence at the very end: unsafe bytes */
      k = 1;
      bad = 1;
    }
    wl = k;
    if(repl && (bad || s[i] == '\n' || s[i] == '\t')) {
      esc[0] = repl;
      w = esc;
      wl = 1;
    }
    else if(bad) {
      const unsigned char *p = (const unsigned char *)s + i;
      unsigned cp;
      if(k == 1)
        snprintf(esc, sizeof(esc), "\\x%02x", p[0]);
      else {
        cp = k == 2 ? ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu) :
             ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
        snprintf(esc, sizeof(esc), "\\u%04x", cp);
      }
      w = esc;
      for(wl = 0; esc[wl]; wl++)
        ;
    }
    if(o + wl + 1 > cap)
      break;
    for(size_t j = 0; j < wl; j++)
      out[o + j] = w[j];
    o += wl;
    i += k;
  }
  out[o] = 0;
  return i;
}
