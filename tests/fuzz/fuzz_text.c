/* libFuzzer harness for the one sanitiser (og_text_visible) on arbitrary
 * bytes, in pieces of varying output size. The output must be valid UTF-8
 * with no C0 control (but newline and tab when kept), DEL, C1 control or
 * bidi override; it must be unchanged by a second pass; and
 * og_text_needs_escape must say 0 exactly when nothing changed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_out(const unsigned char *o, size_t n, unsigned flags)
{
  size_t i = 0;
  while(i < n) {
    unsigned char c = o[i];
    if(c < 0x80) {
      if((c < 0x20 && !((flags & OG_TEXT_KEEP_NEWLINES) &&
                        (c == '\n' || c == '\t'))) || c == 0x7f)
        abort();
      i++;
      continue;
    }
    if(c == 0xc2 && i + 1 < n && o[i + 1] <= 0x9f)
      abort(); /* C1 */
    if(c == 0xe2 && i + 2 < n &&
       ((o[i + 1] == 0x80 && o[i + 2] >= 0xaa && o[i + 2] <= 0xae) ||
        (o[i + 1] == 0x81 && o[i + 2] >= 0xa6 && o[i + 2] <= 0xa9) ||
        (o[i + 1] == 0x80 && (o[i + 2] == 0x8e || o[i + 2] == 0x8f))))
      abort(); /* bidi */
    if(c == 0xd8 && i + 1 < n && o[i + 1] == 0x9c)
      abort(); /* ALM */
    {
      size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0, k;
      if(!len || c > 0xf4 || i + len > n)
        abort();
      for(k = 1; k < len; k++)
        if((o[i + k] & 0xc0) != 0x80)
          abort();
      i += len;
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  unsigned flags = size && (data[0] & 1) ? OG_TEXT_KEEP_NEWLINES : 0;
  size_t outsz = size ? 7 + data[size - 1] : 7;
  const char *s = (const char *)data;
  size_t n = size, total = 0, same = 1;
  char *out = malloc(outsz), *again = malloc(outsz * 2);
  if(!out || !again)
    abort();
  while(n) {
    size_t used = og_text_visible(out, outsz, s, n, flags), olen;
    if(used == 0 || used > n)
      abort(); /* an escape is at most 6 bytes: always progress */
    olen = strlen(out);
    if(olen >= outsz)
      abort();
    check_out((const unsigned char *)out, olen, flags);
    if(olen != used || memcmp(out, s, used))
      same = 0;
    /* a second pass changes nothing */
    if(og_text_visible(again, outsz * 2, out, olen, flags) != olen ||
       strcmp(again, out))
      abort();
    s += used;
    n -= used;
    total += used;
  }
  if(total != size)
    abort();
  if(og_text_needs_escape((const char *)data, size, flags) == (int)same)
    abort();
  free(out);
  free(again);
  return 0;
}
