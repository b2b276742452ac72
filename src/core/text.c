/* og_text_clean: see og_text.h. */
#include "core/og_text.h"

void og_text_clean(char *out, size_t cap, const char *s, size_t n, char repl)
{
  size_t i;
  if(!cap)
    return;
  for(i = 0; i < n && i + 1 < cap; i++) {
    unsigned char c = (unsigned char)s[i];
    out[i] = (c < 0x20 || c == 0x7f) ? repl : (char)c;
  }
  if(i < n) /* cut: back off to the start of the split character */
    while(i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
      i--;
  out[i] = 0;
}
