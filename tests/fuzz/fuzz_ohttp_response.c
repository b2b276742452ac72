/* libFuzzer harness: the single-shot OHTTP response decoder.
 * Byte 0 bit 0 clear: the rest is a response body from the relay, opened
 * with a fixed request state (must fail cleanly or decrypt).
 * Bit 0 set: the rest is a plaintext; it is sealed as the recipient would,
 * one byte (chosen by byte 1) may be flipped, and the decoder must give the
 * plaintext back exactly when nothing was flipped and fail otherwise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_hpke.h"
#include "opengradient/og_ohttp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  og_ohttp_req req;
  og_buf plain;
  og_result r;
  memset(&req, 0x5a, sizeof req);
  og_buf_init(&plain, OG_OHTTP_MAX_RESPONSE);
  if(size < 2)
    return 0;
  if(!(data[0] & 1)) {
    r = og_ohttp_open_response(&plain, &req, data + 1, size - 1, NULL);
    if(r == OG_OK && plain.len != size - 1 - 48)
      abort();
  }
  else {
    unsigned char rn[32], key[32], nonce[12], *resp;
    size_t n = size - 2, flip;
    memset(rn, data[1], sizeof rn);
    if(og_ohttp_response_keys(key, nonce, &req, rn, NULL) != OG_OK)
      abort();
    resp = malloc(32 + n + 16);
    memcpy(resp, rn, 32);
    if(og_chacha20poly1305_seal(resp + 32, key, nonce, NULL, 0, data + 2, n,
                                NULL) != OG_OK)
      abort();
    flip = (data[0] >> 1) ? (size_t)data[0] * 131 % (n + 48) : (size_t)-1;
    if(flip != (size_t)-1)
      resp[flip] ^= 0x80;
    r = og_ohttp_open_response(&plain, &req, resp, 32 + n + 16, NULL);
    if(flip == (size_t)-1) {
      if(r != OG_OK || plain.len != n || (n && memcmp(plain.data, data + 2, n)))
        abort();
    }
    else if(r == OG_OK)
      abort();
    free(resp);
  }
  og_buf_free(&plain);
  return 0;
}
