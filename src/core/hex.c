/* Hex, JSON-RPC quantities, base64 and EIP-55 addresses. */
#include <string.h>

#include "opengradient/og_hex.h"
#include "opengradient/og_keccak.h"

static const char *skip_0x(const char *hex, size_t *len)
{
  if(*len >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
    *len -= 2;
    return hex + 2;
  }
  return hex;
}

/* 0..15 for a hex digit, 0xff otherwise: one table look-up per digit keeps
 * the registry reply (megabytes of hex) cheap to decode. */
static const unsigned char hex_table[256] = {
#define X 0xff
#define ROW16 X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X
  ROW16, ROW16, ROW16,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, X, X, X, X, X, X,
  X, 10, 11, 12, 13, 14, 15, X, X, X, X, X, X, X, X, X,
  ROW16,
  X, 10, 11, 12, 13, 14, 15, X, X, X, X, X, X, X, X, X,
  ROW16, ROW16, ROW16, ROW16, ROW16, ROW16, ROW16, ROW16, ROW16
#undef ROW16
#undef X
};

/* n bytes from 2n hex digits, no prefix. */
static og_result decode_digits(unsigned char *out, const char *hex, size_t n)
{
  const unsigned char *h = (const unsigned char *)hex;
  size_t i;
  unsigned bad = 0;
  for(i = 0; i < n; i++) {
    unsigned hi = hex_table[h[2 * i]], lo = hex_table[h[2 * i + 1]];
    bad |= hi | lo;
    out[i] = (unsigned char)(hi << 4 | lo);
  }
  return (bad & 0xf0) ? OG_E_PARSE : OG_OK;
}

og_result og_hex_decode(unsigned char *out, size_t outcap, size_t *outlen,
                        const char *hex, size_t hexlen)
{
  size_t n;
  og_result r;
  hex = skip_0x(hex, &hexlen);
  if(hexlen % 2)
    return OG_E_PARSE;
  n = hexlen / 2;
  if(n > outcap)
    return OG_E_TOO_LARGE;
  r = decode_digits(out, hex, n);
  if(r)
    return r;
  *outlen = n;
  return OG_OK;
}

/* The prefix is skipped once only: "0x0x" followed by 2n - 2 digits must
 * not pass as n bytes with the last one never written. */
og_result og_hex_decode_exact(unsigned char *out, size_t n, const char *hex,
                              size_t hexlen)
{
  hex = skip_0x(hex, &hexlen);
  if(hexlen != 2 * n)
    return OG_E_PARSE;
  return decode_digits(out, hex, n);
}

void og_hex_encode(char *out, const unsigned char *in, size_t n)
{
  static const char digits[] = "0123456789abcdef";
  size_t i;
  for(i = 0; i < n; i++) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 15];
  }
  out[2 * n] = 0;
}

void og_bytes32_to_hex(char out[67], const og_bytes32 *v)
{
  out[0] = '0';
  out[1] = 'x';
  og_hex_encode(out + 2, v->b, 32);
}

og_result og_bytes32_from_hex(og_bytes32 *out, const char *hex)
{
  return og_hex_decode_exact(out->b, 32, hex, strlen(hex));
}

og_result og_quantity_to_u64(uint64_t *out, const char *q)
{
  uint64_t v = 0;
  size_t i, n = strlen(q);
  if(n < 3 || q[0] != '0' || (q[1] != 'x' && q[1] != 'X'))
    return OG_E_PARSE;
  for(i = 2; i < n; i++) {
    unsigned d = hex_table[(unsigned char)q[i]];
    if(d > 15)
      return OG_E_PARSE;
    if(v >> 60)
      return OG_E_PARSE;
    v = (v << 4) | d;
  }
  *out = v;
  return OG_OK;
}

void og_u64_to_quantity(char out[19], uint64_t v)
{
  static const char digits[] = "0123456789abcdef";
  char tmp[16];
  size_t n = 0, i;
  do {
    tmp[n++] = digits[v & 15];
    v >>= 4;
  } while(v);
  out[0] = '0';
  out[1] = 'x';
  for(i = 0; i < n; i++)
    out[2 + i] = tmp[n - 1 - i];
  out[2 + n] = 0;
}

void og_address_to_checksum(char out[43], const og_address *a)
{
  char lower[41];
  og_bytes32 h;
  size_t i;
  og_hex_encode(lower, a->b, 20);
  og_keccak256(&h, lower, 40);
  out[0] = '0';
  out[1] = 'x';
  for(i = 0; i < 40; i++) {
    int nib = (h.b[i / 2] >> ((i % 2) ? 0 : 4)) & 15;
    char c = lower[i];
    if(c >= 'a' && c <= 'f' && nib >= 8)
      c = (char)(c - 'a' + 'A');
    out[2 + i] = c;
  }
  out[42] = 0;
}

og_result og_address_from_hex(og_address *out, const char *hex)
{
  size_t n = strlen(hex);
  const char *h = skip_0x(hex, &n);
  int has_lower = 0, has_upper = 0;
  size_t i;
  og_result r;
  if(n != 40)
    return OG_E_PARSE;
  r = decode_digits(out->b, h, 20);
  if(r)
    return r;
  for(i = 0; i < 40; i++) {
    if(h[i] >= 'a' && h[i] <= 'f')
      has_lower = 1;
    if(h[i] >= 'A' && h[i] <= 'F')
      has_upper = 1;
  }
  if(has_lower && has_upper) {
    char cs[43];
    og_address_to_checksum(cs, out);
    if(memcmp(cs + 2, h, 40) != 0)
      return OG_E_PARSE;
  }
  return OG_OK;
}

static const char b64chars[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void og_base64_encode(char *out, const unsigned char *in, size_t n)
{
  size_t i, o = 0;
  for(i = 0; i + 2 < n; i += 3) {
    unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
    out[o++] = b64chars[v >> 18];
    out[o++] = b64chars[(v >> 12) & 63];
    out[o++] = b64chars[(v >> 6) & 63];
    out[o++] = b64chars[v & 63];
  }
  if(i < n) {
    unsigned v = (unsigned)in[i] << 16;
    if(i + 1 < n)
      v |= (unsigned)in[i + 1] << 8;
    out[o++] = b64chars[v >> 18];
    out[o++] = b64chars[(v >> 12) & 63];
    out[o++] = (i + 1 < n) ? b64chars[(v >> 6) & 63] : '=';
    out[o++] = '=';
  }
  out[o] = 0;
}

static int b64val(int c)
{
  if(c >= 'A' && c <= 'Z')
    return c - 'A';
  if(c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if(c >= '0' && c <= '9')
    return c - '0' + 52;
  if(c == '+')
    return 62;
  if(c == '/')
    return 63;
  return -1;
}

og_result og_base64_decode(unsigned char *out, size_t outcap, size_t *outlen,
                           const char *in, size_t inlen)
{
  size_t i, o = 0, pad = 0;
  if(inlen % 4)
    return OG_E_PARSE;
  if(inlen && in[inlen - 1] == '=')
    pad++;
  if(inlen > 1 && in[inlen - 2] == '=')
    pad++;
  if((inlen / 4) * 3 - pad > outcap)
    return OG_E_TOO_LARGE;
  for(i = 0; i < inlen; i += 4) {
    int v[4], k;
    int last = (i + 4 == inlen);
    for(k = 0; k < 4; k++) {
      if(last && in[i + (size_t)k] == '=' && (size_t)k >= 4 - pad)
        v[k] = 0;
      else {
        v[k] = b64val((unsigned char)in[i + (size_t)k]);
        if(v[k] < 0)
          return OG_E_PARSE;
      }
    }
    {
      unsigned w = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 |
                   (unsigned)v[2] << 6 | (unsigned)v[3];
      out[o++] = (unsigned char)(w >> 16);
      if(!last || pad < 2)
        out[o++] = (unsigned char)(w >> 8);
      if(!last || pad < 1)
        out[o++] = (unsigned char)w;
    }
  }
  *outlen = o;
  return OG_OK;
}
