/* libFuzzer harness: the chunked OHTTP response reader
 * (draft-ietf-ohai-chunked-ohttp-08 framing, QUIC varints, "final" aad).
 * Byte 0: bits 0-5 = feed split size - 1, bit 6 = structured mode,
 * bit 7 = truncate (structured mode). Raw mode: the rest is the response
 * body, fed in splits, then finished: must fail cleanly or decrypt.
 * Structured mode: the rest is plaintext cut into chunks at each 0x0a;
 * it is sealed as the recipient would (last piece final), optionally cut
 * short by byte 1, fed in splits; an uncut stream must give back exactly
 * the plaintext, a cut one must fail. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_hpke.h"
#include "opengradient/og_ohttp.h"

typedef struct sink {
  og_buf all;
  int finals;
} sink;

static og_result on_chunk(void *ctx, const unsigned char *pt, size_t n,
                          int final, og_err *err)
{
  sink *s = ctx;
  (void)err;
  if(n && !pt)
    abort();
  s->finals += final;
  return og_buf_add(&s->all, pt, n);
}

static void seal(og_buf *out, const unsigned char key[32],
                 const unsigned char base[12], uint64_t ctr,
                 const unsigned char *pt, size_t n, int final)
{
  unsigned char nonce[12], vi[8], *ct = malloc(n + 16);
  int i;
  memcpy(nonce, base, 12);
  for(i = 0; i < 8; i++)
    nonce[11 - i] ^= (unsigned char)(ctr >> (8 * i));
  if(og_chacha20poly1305_seal(ct, key, nonce,
                              final ? (const unsigned char *)"final" : NULL,
                              final ? 5 : 0, pt, n, NULL) != OG_OK)
    abort();
  if(og_buf_add(out, vi, og_quic_varint_put(vi, final ? 0 : n + 16)) ||
     og_buf_add(out, ct, n + 16))
    abort();
  free(ct);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  og_ohttp_req req;
  og_ohttp_chunked rd;
  og_buf body;
  sink s;
  size_t split, off, cut = 0;
  int structured, truncate;
  og_result r = OG_OK;
  if(size < 2)
    return 0;
  memset(&req, 0x33, sizeof req);
  split = (size_t)(data[0] & 0x3f) + 1;
  structured = (data[0] >> 6) & 1;
  truncate = data[0] >> 7;
  og_buf_init(&body, 1 << 22);
  og_buf_init(&s.all, 1 << 22);
  s.finals = 0;
  if(!structured) {
    if(og_buf_add(&body, data + 1, size - 1))
      abort();
  }
  else {
    unsigned char rn[32], key[32], nonce[12];
    const unsigned char *p = data + 2, *end = data + size, *nl;
    uint64_t ctr = 0;
    memset(rn, data[1], 32);
    if(og_ohttp_response_keys(key, nonce, &req, rn, NULL) != OG_OK ||
       og_buf_add(&body, rn, 32))
      abort();
    while((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
      seal(&body, key, nonce, ctr++, p, (size_t)(nl - p) + 1, 0);
      p = nl + 1;
    }
    seal(&body, key, nonce, ctr, p, (size_t)(end - p), 1);
    if(truncate)
      cut = 1 + (size_t)data[1] % body.len;
  }
  og_ohttp_chunked_init(&rd, &req);
  for(off = 0; r == OG_OK && off < body.len - cut; off += split) {
    size_t k = body.len - cut - off < split ? body.len - cut - off : split;
    r = og_ohttp_chunked_feed(&rd, body.data + off, k, on_chunk, &s, NULL);
  }
  if(r == OG_OK)
    r = og_ohttp_chunked_finish(&rd, on_chunk, &s, NULL);
  if(r == OG_OK && s.finals != 1)
    abort();
  if(structured) {
    if(!cut && (r != OG_OK || s.all.len != size - 2 ||
                (s.all.len && memcmp(s.all.data, data + 2, s.all.len))))
      abort();
    if(cut && r == OG_OK)
      abort();
  }
  og_ohttp_chunked_free(&rd);
  og_buf_free(&body);
  og_buf_free(&s.all);
  return 0;
}
