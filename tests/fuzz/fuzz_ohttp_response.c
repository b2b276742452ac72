/* libFuzzer harness: the single-shot OHTTP answer decoder. Byte 0 bit 0
 * clear: the rest is a raw answer body (hostile relay bytes). Set: the rest
 * is a plaintext sealed properly, then byte 1 (if non-zero) names a byte to
 * flip; an unflipped answer must open to exactly the plaintext, a flipped
 * one must not open. */
#include <stdint.h>

#include "ohttp_fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  og_buf out;
  og_err err;
  og_result rc;
  fz_setup();
  og_buf_init(&out, 1 << 20);
  if(size < 2)
    return 0;
  if(!(data[0] & 1)) {
    rc = og_ohttp_open_response(&fz_client, &out, data + 1, size - 1, &err);
    if(rc == OG_OK && out.len + 48 != size - 1)
      abort();
    if(rc != OG_OK && out.len)
      abort();
  } else {
    unsigned char rn[32], key[32], nonce[12];
    size_t ptl = size - 2, bl = 32 + ptl + 16;
    unsigned char *body = malloc(bl);
    memset(rn, data[1], 32);
    fz_keys("message/bhttp response", rn, key, nonce);
    memcpy(body, rn, 32);
    if(og_chacha20poly1305_seal(body + 32, key, nonce, NULL, 0, data + 2, ptl,
                                NULL))
      abort();
    if(data[1])
      body[data[1] % bl] ^= 0x40;
    rc = og_ohttp_open_response(&fz_client, &out, body, bl, &err);
    if(!data[1] && (rc || out.len != ptl || (ptl && memcmp(out.data, data + 2,
                                                           ptl))))
      abort();
    if(data[1] && rc == OG_OK)
      abort();
    free(body);
  }
  og_buf_free(&out);
  return 0;
}
