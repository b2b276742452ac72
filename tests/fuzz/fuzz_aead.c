/* libFuzzer harness: the stream AEAD (og_aead: RFC 8439 on OpenSSL's raw
 * ChaCha20 and Poly1305, one pass for short messages) against OpenSSL's
 * ChaCha20-Poly1305 cipher, differentially.
 * Input: key(32) | nonce(12) | aad length byte (mod 33) | aad | rest.
 * 1. rest as plaintext: og_aead_seal gives the cipher's bytes and tag, and
 *    og_aead_open gives rest back (also in place); a bit flipped at a
 *    place the input picks is refused.
 * 2. rest as ciphertext | tag from outside: og_aead_open and the cipher
 *    accept or refuse alike, with the same plaintext. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_hpke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const uint8_t *key = data, *nonce = data + 32, *aad, *rest;
  size_t alen, n;
  unsigned char tag[16], *ref, *ct, *pt, *pt2;
  og_aead *a = NULL;
  int ours, theirs;
  if(size < 45)
    return 0;
  alen = data[44] % 33;
  if(size < 45 + alen)
    return 0;
  aad = data + 45;
  rest = aad + alen;
  n = size - 45 - alen;
  ref = malloc(n + 16);
  ct = malloc(n + 16);
  pt = malloc(n + 1);
  pt2 = malloc(n + 1);
  if(!ref || !ct || !pt || !pt2 || og_aead_new(&a, key, NULL) != OG_OK)
    abort();

  /* 1. seal and open */
  if(og_chacha20poly1305_seal(ref, key, nonce, alen ? aad : NULL, alen, rest,
                              n, NULL) != OG_OK ||
     og_aead_seal(a, ct, tag, nonce, alen ? aad : NULL, alen, rest, n,
                  NULL) != OG_OK)
    abort();
  if((n && memcmp(ct, ref, n)) || memcmp(tag, ref + n, 16))
    abort();
  if(og_aead_open(a, pt, nonce, alen ? aad : NULL, alen, ct, n, tag,
                  NULL) != OG_OK || (n && memcmp(pt, rest, n)))
    abort();
  memcpy(pt2, ct, n); /* in place */
  if(og_aead_open(a, pt2, nonce, alen ? aad : NULL, alen, pt2, n, tag,
                  NULL) != OG_OK || (n && memcmp(pt2, rest, n)))
    abort();
  {
    size_t at = (size_t)data[0] * 256 + data[1], bit = data[2] & 7;
    at %= n + 16;
    if(at < n)
      ct[at] ^= (unsigned char)(1u << bit);
    else
      tag[at - n] ^= (unsigned char)(1u << bit);
    if(og_aead_open(a, pt, nonce, alen ? aad : NULL, alen, ct, n, tag,
                    NULL) != OG_E_CRYPTO)
      abort();
  }

  /* 2. outside bytes as ciphertext and tag */
  if(n >= 16) {
    size_t cn = n - 16;
    ours = og_aead_open(a, pt, nonce, alen ? aad : NULL, alen, rest, cn,
                        rest + cn, NULL) == OG_OK;
    theirs = og_chacha20poly1305_open_detached(pt2, key, nonce,
                                               alen ? aad : NULL, alen, rest,
                                               cn, rest + cn, NULL) == OG_OK;
    if(ours != theirs || (ours && cn && memcmp(pt, pt2, cn)))
      abort();
  }
  og_aead_free(a);
  free(ref);
  free(ct);
  free(pt);
  free(pt2);
  return 0;
}
