/* libFuzzer harness: bytes through the attestation document reader
 * (base64-or-CBOR text decoding, COSE_Sign1 and payload parsing with
 * libcbor, signature and chain checks with OpenSSL). Invariants: a parsed
 * document has a NUL-terminated module id, PCRs and fields within their
 * caps; a failed parse leaves nothing set. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_attest.h"

static unsigned char raw[OG_ATTEST_MAX_DOC];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  og_attest_doc d;
  og_err err;
  size_t n = 0;
  og_result r;
  int i;
  if(og_attest_decode_text(raw, &n, data, size, &err) != OG_OK)
    n = 0;
  r = og_attest_verify(&d, n ? raw : data, n ? n : size, NULL, 1770919200,
                       &err);
  if(r == OG_OK) {
    if(strnlen(d.module_id, sizeof(d.module_id)) >= sizeof(d.module_id))
      abort();
    for(i = 0; i < 3; i++)
      if(d.pcr_len[i] == 0 || d.pcr_len[i] > OG_ATTEST_MAX_PCR)
        abort();
    if(d.user_data_len > OG_ATTEST_MAX_FIELD ||
       d.nonce_len > OG_ATTEST_MAX_FIELD)
      abort();
    if(d.signature_ok && d.chain_ok && d.signature_error[0])
      abort();
  }
  else if(d.signature_ok || d.chain_ok || d.module_id[0])
    abort();
  return 0;
}
