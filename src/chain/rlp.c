/* RLP encoding (Ethereum yellow paper, appendix B): byte strings,
 * unsigned integers without leading zeros, and lists of pre-encoded
 * items. */
#include "opengradient/og_tx.h"

/* Header for a string (base 0x80) or list (base 0xc0) of n bytes. */
static og_result add_header(og_buf *out, unsigned base, size_t n)
{
  unsigned char h[9];
  size_t len = 0, t;
  int i;
  if(n < 56) {
    h[0] = (unsigned char)(base + n);
    return og_buf_add(out, h, 1);
  }
  for(t = n; t; t >>= 8)
    len++;
  h[0] = (unsigned char)(base + 55 + len);
  for(i = (int)len; i >= 1; i--) {
    h[i] = (unsigned char)(n & 0xff);
    n >>= 8;
  }
  return og_buf_add(out, h, len + 1);
}

og_result og_rlp_add_bytes(og_buf *out, const unsigned char *p, size_t n)
{
  og_result r;
  if(n == 1 && p[0] < 0x80)
    return og_buf_add(out, p, 1);
  r = add_header(out, 0x80, n);
  if(r || !n)
    return r;
  return og_buf_add(out, p, n);
}

og_result og_rlp_add_uint(og_buf *out, const unsigned char *be, size_t n)
{
  while(n && !be[0]) {
    be++;
    n--;
  }
  return og_rlp_add_bytes(out, be, n);
}

og_result og_rlp_add_u64(og_buf *out, uint64_t v)
{
  unsigned char b[8];
  int i;
  for(i = 7; i >= 0; i--) {
    b[i] = (unsigned char)(v & 0xff);
    v >>= 8;
  }
  return og_rlp_add_uint(out, b, 8);
}

og_result og_rlp_add_u256(og_buf *out, const og_u256 *v)
{
  return og_rlp_add_uint(out, v->b, 32);
}

og_result og_rlp_add_list(og_buf *out, const unsigned char *payload,
                          size_t n)
{
  og_result r = add_header(out, 0xc0, n);
  if(r || !n)
    return r;
  return og_buf_add(out, payload, n);
}
