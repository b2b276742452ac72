/* libFuzzer harness: the incremental chunked OHTTP reader.
 * Byte 0: bit 0 = structured mode, bits 1-7 = feed split size (1..128).
 * Raw mode: the rest is a hostile chunked body, fed in pieces; the outcome
 * must not depend on the split (checked against one whole feed).
 * Structured mode: byte 1 = corruption (0 none; else flip byte n-1 of the
 * sealed stream, modulo), byte 2 = truncate (0 none; else keep all but n
 * bytes); the rest is split at 0xff bytes into frames, sealed properly
 * (last frame final). Unharmed: the frames come back exactly, in order. A
 * truncated or flipped stream must fail. */
#include <stdint.h>

#include "ohttp_fuzz_common.h"

typedef struct got {
  og_buf all;
  size_t finals, chunks;
} got;

static int on_chunk(void *user, const unsigned char *pt, size_t len, int fin)
{
  got *g = user;
  if(g->finals)
    abort(); /* nothing after the final chunk */
  g->finals += fin != 0;
  g->chunks++;
  if(len && !pt)
    abort();
  if(og_buf_add(&g->all, pt, len) || og_buf_addc(&g->all, '\xff'))
    abort();
  return 0;
}

static og_result run(const unsigned char *p, size_t n, size_t step, got *g)
{
  og_ohttp_chunked rd;
  og_result rc;
  size_t off = 0;
  og_err err;
  og_buf_init(&g->all, 1 << 22);
  g->finals = g->chunks = 0;
  if(og_ohttp_chunked_init(&rd, &fz_client, on_chunk, g, &err))
    abort();
  rc = OG_OK;
  while(!rc && off < n) {
    size_t k = n - off < step ? n - off : step;
    rc = og_ohttp_chunked_feed(&rd, p + off, k, &err);
    off += k;
  }
  if(!rc)
    rc = og_ohttp_chunked_finish(&rd, &err);
  if(rc == OG_OK && g->finals != 1)
    abort();
  og_ohttp_chunked_free(&rd);
  return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  got a, b;
  size_t step;
  og_result ra, rb;
  fz_setup();
  if(size < 3)
    return 0;
  step = (size_t)(data[0] >> 1) + 1;
  if(!(data[0] & 1)) {
    ra = run(data + 1, size - 1, step, &a);
    rb = run(data + 1, size - 1, size, &b);
    if(ra != rb || (ra == OG_OK && (a.all.len != b.all.len
                                    || memcmp(a.all.data, b.all.data,
                                              a.all.len))))
      abort();
    og_buf_free(&a.all);
    og_buf_free(&b.all);
  } else {
    unsigned char rn[32], key[32], nonce[12];
    og_buf s, expect;
    const uint8_t *p = data + 3, *end = data + size;
    uint64_t ctr = 0;
    memset(rn, data[1] ^ data[2], 32);
    fz_keys("message/bhttp chunked response", rn, key, nonce);
    og_buf_init(&s, 1 << 22);
    og_buf_init(&expect, 1 << 22);
    if(og_buf_add(&s, rn, 32))
      abort();
    for(;;) {
      const uint8_t *q = memchr(p, 0xff, (size_t)(end - p));
      size_t l = q ? (size_t)(q - p) : (size_t)(end - p);
      unsigned char cn[12], v[8], *ct = malloc(l + 16);
      int fin = !q, i;
      memcpy(cn, nonce, 12);
      for(i = 0; i < 8; i++)
        cn[11 - i] ^= (unsigned char)(ctr >> (8 * i));
      ctr++;
      if(og_chacha20poly1305_seal(ct, key, cn,
                                  fin ? (const unsigned char *)"final" : NULL,
                                  fin ? 5 : 0, p, l, NULL)
         || og_buf_add(&s, v, og_quic_varint_write(v, fin ? 0 : l + 16))
         || og_buf_add(&s, ct, l + 16) || og_buf_add(&expect, p, l)
         || og_buf_addc(&expect, '\xff'))
        abort();
      free(ct);
      if(fin)
        break;
      p = q + 1;
    }
    if(data[1])
      s.data[(data[1] - 1) % s.len] ^= 0x04;
    if(data[2])
      s.len -= data[2] < s.len ? data[2] : s.len - 1;
    ra = run(s.data, s.len, step, &a);
    if(!data[1] && !data[2]) {
      if(ra != OG_OK || a.all.len != expect.len
         || memcmp(a.all.data, expect.data, expect.len))
        abort();
    } else if(ra == OG_OK) {
      abort();
    }
    og_buf_free(&a.all);
    og_buf_free(&s);
    og_buf_free(&expect);
  }
  return 0;
}
