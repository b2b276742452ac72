/* libFuzzer harness: the 402 decoders (PAYMENT-REQUIRED header value and
 * v1/v2 JSON bodies), then selection, payment building and the second-402
 * classifier on whatever decodes. The input is used as a header value, as
 * a body, and base64-encoded as a header (so that the JSON layer is
 * reached through the header path too). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_hex.h"
#include "opengradient/og_x402.h"

static og_result fixed_random(void *ctx, unsigned char *out, size_t n)
{
  (void)ctx;
  memset(out, 0x5a, n);
  return OG_OK;
}

static void exercise(og_x402_required *r)
{
  static const char key_hex[] =
    "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
  og_x402_policy p;
  og_x402_sign_opts o;
  og_privkey k;
  og_buf h, j;
  size_t i, idx;
  unsigned warn;
  for(i = 0; i < og_x402_required_count(r); i++) {
    const og_x402_requirement *q = og_x402_required_at(r, i);
    if(!q || !q->accepted_json)
      abort();
  }
  (void)og_x402_required_error(r);
  (void)og_x402_required_resource_url(r);
  og_x402_policy_init(&p);
  p.has_payee = 1;
  memset(p.payee.b, 0x22, 20);
  if(og_x402_select(&idx, &warn, r, &p, NULL) != OG_OK) {
    /* let anything on an EVM chain through, to reach the builder */
    og_x402_policy_set_max(&p,
      "115792089237316195423570985008687907853269984665640564039457584007913"
      "129639935", NULL);
    p.has_payee = 0;
    if(og_x402_select(&idx, &warn, r, &p, NULL) != OG_OK)
      return;
  }
  memset(&o, 0, sizeof(o));
  o.now = 1900000000;
  o.random = fixed_random;
  if(og_privkey_from_hex(&k, key_hex, 64, NULL) != OG_OK)
    abort();
  og_buf_init(&h, OG_X402_MAX_PAYMENT);
  og_buf_init(&j, OG_X402_MAX_PAYMENT);
  if(og_x402_build_payment(&h, &j, NULL, r, idx, &k, &o, NULL) == OG_OK) {
    /* our own output must decode as base64 of the JSON we produced */
    unsigned char *back = malloc(h.len);
    size_t n = 0;
    if(!back || og_base64_decode(back, h.len, &n, og_buf_str(&h), h.len) ||
       n != j.len || memcmp(back, j.data, n))
      abort();
    free(back);
  }
  og_buf_free(&h);
  og_buf_free(&j);
  og_privkey_clear(&k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  og_x402_required *r = NULL;
  og_x402_status st;
  char reason[256];
  char *b64;

  if(og_x402_decode_header(&r, (const char *)data, size, NULL) == OG_OK) {
    exercise(r);
    og_x402_required_free(r);
  }
  if(og_x402_decode_body(&r, (const char *)data, size, NULL) == OG_OK) {
    exercise(r);
    og_x402_required_free(r);
  }
  if(size <= OG_X402_MAX_HEADER / 4 * 3) {
    b64 = malloc(4 * ((size + 2) / 3) + 1);
    if(!b64)
      return 0;
    og_base64_encode(b64, data, size);
    if(og_x402_decode_header(&r, b64, strlen(b64), NULL) == OG_OK) {
      exercise(r);
      og_x402_required_free(r);
    }
    og_x402_classify_402(&st, reason, sizeof(reason), b64, strlen(b64),
                         (const char *)data, size);
    free(b64);
  }
  og_x402_classify_402(&st, reason, sizeof(reason), NULL, 0,
                       (const char *)data, size);
  return 0;
}
