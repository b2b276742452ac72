/* libFuzzer harness for the one terminal sanitiser (og_text_clean,
 * og_text_char) on arbitrary bytes, in both modes and with small output
 * buffers: never reads or writes out of bounds, always terminates the
 * output, and an escaped result never holds a raw unsafe character. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/og_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static char out[8192];
  const char *s = (const char *)data;
  size_t caps[] = {1, 2, 7, 64, sizeof(out)}, k, used, i;
  if(size > 1024)
    size = 1024; /* 6 output bytes per input byte at most: fits */
  for(k = 0; k < sizeof(caps) / sizeof(caps[0]); k++) {
    used = og_text_clean(out, caps[k], s, size, 0);
    if(used > size || strlen(out) >= caps[k])
      abort();
    if(caps[k] == sizeof(out) && used != size)
      abort();
    /* the escaped text is itself all safe */
    for(i = 0; out[i];) {
      int bad;
      size_t n = og_text_char(out + i, strlen(out + i), &bad);
      if(!n || bad)
        abort();
      i += n;
    }
    used = og_text_clean(out, caps[k], s, size, '?');
    if(used > size || strlen(out) >= caps[k])
      abort();
  }
  return 0;
}
