/* og_random_bytes: getrandom(), retried on EINTR and short reads. */
#include <errno.h>
#include <sys/random.h>

#include "core/og_random.h"

og_result og_random_bytes(void *p, size_t n)
{
  unsigned char *q = p;
  while(n) {
    ssize_t k = getrandom(q, n, 0);
    if(k < 0) {
      if(errno == EINTR)
        continue;
      return OG_E_CRYPTO;
    }
    q += k;
    n -= (size_t)k;
  }
  return OG_OK;
}
