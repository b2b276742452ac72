/* 256-bit unsigned integers as big-endian bytes: decimal text in and out,
 * comparison. Schoolbook arithmetic on bytes: amounts are parsed a handful
 * of times per request, so clarity wins over speed. */
#include <string.h>

#include "opengradient/og_u256.h"

og_result og_u256_from_dec(og_u256 *out, const char *s, size_t len)
{
  og_u256 v;
  size_t i;
  memset(&v, 0, sizeof(v));
  if(!len)
    return OG_E_PARSE;
  if(len > 1 && s[0] == '0')
    return OG_E_PARSE; /* leading zero: not the canonical form */
  for(i = 0; i < len; i++) {
    unsigned carry;
    int j;
    if(s[i] < '0' || s[i] > '9')
      return OG_E_PARSE;
    carry = (unsigned)(s[i] - '0');
    for(j = 31; j >= 0; j--) {
      unsigned t = v.b[j] * 10u + carry;
      v.b[j] = (unsigned char)(t & 0xff);
      carry = t >> 8;
    }
    if(carry)
      return OG_E_TOO_LARGE;
  }
  *out = v;
  return OG_OK;
}

void og_u256_to_dec(char out[OG_U256_DEC_SIZE], const og_u256 *v)
{
  og_u256 t = *v;
  char tmp[OG_U256_DEC_SIZE];
  size_t n = 0, i;
  do {
    unsigned rem = 0;
    int nonzero = 0;
    for(i = 0; i < 32; i++) {
      unsigned cur = (rem << 8) | t.b[i];
      t.b[i] = (unsigned char)(cur / 10);
      rem = cur % 10;
      if(t.b[i])
        nonzero = 1;
    }
    tmp[n++] = (char)('0' + rem);
    if(!nonzero)
      break;
  } while(n < OG_U256_DEC_SIZE - 1);
  for(i = 0; i < n; i++)
    out[i] = tmp[n - 1 - i];
  out[n] = 0;
}

void og_u256_from_u64(og_u256 *out, uint64_t v)
{
  int i;
  memset(out, 0, sizeof(*out));
  for(i = 31; i >= 24; i--) {
    out->b[i] = (unsigned char)(v & 0xff);
    v >>= 8;
  }
}

int og_u256_to_u64(uint64_t *out, const og_u256 *v)
{
  uint64_t r = 0;
  int i;
  for(i = 0; i < 24; i++)
    if(v->b[i])
      return 0;
  for(i = 24; i < 32; i++)
    r = (r << 8) | v->b[i];
  *out = r;
  return 1;
}

int og_u256_cmp(const og_u256 *a, const og_u256 *b)
{
  int c = memcmp(a->b, b->b, 32);
  return c < 0 ? -1 : c > 0;
}

int og_u256_is_zero(const og_u256 *v)
{
  int i;
  for(i = 0; i < 32; i++)
    if(v->b[i])
      return 0;
  return 1;
}

int og_u256_add(og_u256 *out, const og_u256 *a, const og_u256 *b)
{
  unsigned carry = 0;
  int i;
  for(i = 31; i >= 0; i--) {
    unsigned t = (unsigned)a->b[i] + b->b[i] + carry;
    out->b[i] = (unsigned char)(t & 0xff);
    carry = t >> 8;
  }
  return !carry;
}
