/* Shared by the OHTTP fuzz harnesses: one request sealed with fixed keys,
 * and the recipient side that seals answers to it (from the RFC 9458 and
 * chunked-OHTTP text), so the harnesses reach past the tag checks. */
#ifndef OG_OHTTP_FUZZ_COMMON_H
#define OG_OHTTP_FUZZ_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "opengradient/og_ohttp.h"

static og_ohttp_client fz_client;
static og_hpke_ctx fz_recip;
static int fz_ready;

static void fz_setup(void)
{
  static const unsigned char ikmR[32] = {1}, ikmE[32] = {2};
  unsigned char sk[32], pk[32], info[29], pt[8];
  og_buf wire;
  if(fz_ready)
    return;
  og_buf_init(&wire, 4096);
  if(og_hpke_derive_keypair(sk, pk, ikmR, 32, NULL)
     || og_ohttp_encapsulate(&fz_client, &wire, 1, pk,
                             (const unsigned char *)"{}", 2, ikmE, 32, NULL))
    abort();
  memcpy(info, "message/bhttp request", 22);
  memcpy(info + 22, wire.data, 7);
  if(og_hpke_setup_base_r(&fz_recip, wire.data + 7, sk, info, 29, NULL)
     || og_hpke_open(&fz_recip, pt, NULL, 0, wire.data + 39, wire.len - 39,
                     NULL))
    abort();
  og_buf_free(&wire);
  fz_ready = 1;
}

static void fz_keys(const char *label, const unsigned char rn[32],
                    unsigned char key[32], unsigned char nonce[12])
{
  unsigned char secret[32], salt[64], prk[32];
  if(og_hpke_export(&fz_recip, secret, 32, (const unsigned char *)label,
                    strlen(label), NULL))
    abort();
  memcpy(salt, fz_client.enc, 32);
  memcpy(salt + 32, rn, 32);
  if(og_hkdf_sha256_extract(prk, salt, 64, secret, 32, NULL)
     || og_hkdf_sha256_expand(key, 32, prk, (const unsigned char *)"key", 3,
                              NULL)
     || og_hkdf_sha256_expand(nonce, 12, prk, (const unsigned char *)"nonce",
                              5, NULL))
    abort();
}

#endif
