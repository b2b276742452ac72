/* secp256k1 keys, signing and recovery on libsecp256k1 0.2.
 *
 * A signing context is created per call and randomised with fresh bytes
 * from getrandom (side-channel blinding); in 0.2 creation is cheap because
 * the tables are static, and a per-call context needs no locking. Parsing
 * and recovery use secp256k1_context_static after a one-time selftest. */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "opengradient/og_keccak.h"
#include "opengradient/og_hex.h"
#include "opengradient/og_secp.h"
#include "core/og_random.h"

static pthread_once_t selftest_once = PTHREAD_ONCE_INIT;

static void run_selftest(void)
{
  secp256k1_selftest(); /* aborts on a miscompiled library */
}

static secp256k1_context *sign_ctx(void)
{
  unsigned char seed[32];
  secp256k1_context *ctx;
  pthread_once(&selftest_once, run_selftest);
  if(og_random_bytes(seed, sizeof(seed)))
    return NULL;
  ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  if(ctx && !secp256k1_context_randomize(ctx, seed)) {
    secp256k1_context_destroy(ctx);
    ctx = NULL;
  }
  og_wipe(seed, sizeof(seed));
  return ctx;
}

static int is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

og_result og_privkey_from_bytes(og_privkey *out, const unsigned char in[32],
                                og_err *err)
{
  pthread_once(&selftest_once, run_selftest);
  memcpy(out->b, in, 32);
  if(!secp256k1_ec_seckey_verify(secp256k1_context_static, out->b)) {
    og_privkey_clear(out);
    return og_fail(err, OG_E_USAGE,
                   "private key: not a valid secp256k1 secret key");
  }
  return OG_OK;
}

og_result og_privkey_from_hex(og_privkey *out, const char *hex, size_t len,
                              og_err *err)
{
  unsigned char raw[32];
  og_result r;
  memset(out, 0, sizeof(*out));
  while(len && is_space(hex[0])) {
    hex++;
    len--;
  }
  while(len && is_space(hex[len - 1]))
    len--;
  if(len >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
    hex += 2;
    len -= 2;
  }
  if(len != 64)
    return og_fail(err, OG_E_USAGE,
                   "private key: expected 64 hex digits (32 bytes), got %zu"
                   " characters", len);
  if(og_hex_decode_exact(raw, sizeof(raw), hex, len)) {
    og_wipe(raw, sizeof(raw));
    return og_fail(err, OG_E_USAGE, "private key: not hexadecimal");
  }
  r = og_privkey_from_bytes(out, raw, err);
  og_wipe(raw, sizeof(raw));
  return r;
}

void og_privkey_clear(og_privkey *k)
{
  if(k)
    og_wipe(k->b, sizeof(k->b));
}

static void pubkey_address(og_address *out, const secp256k1_pubkey *pk)
{
  unsigned char ser[65];
  size_t n = sizeof(ser);
  og_bytes32 h;
  secp256k1_ec_pubkey_serialize(secp256k1_context_static, ser, &n, pk,
                                SECP256K1_EC_UNCOMPRESSED);
  og_keccak256(&h, ser + 1, 64);
  memcpy(out->b, h.b + 12, 20);
}

og_result og_privkey_address(og_address *out, const og_privkey *k)
{
  secp256k1_context *ctx = sign_ctx();
  secp256k1_pubkey pk;
  int ok;
  if(!ctx)
    return OG_E_CRYPTO;
  ok = secp256k1_ec_pubkey_create(ctx, &pk, k->b);
  secp256k1_context_destroy(ctx);
  if(!ok)
    return OG_E_CRYPTO;
  pubkey_address(out, &pk);
  return OG_OK;
}

og_result og_secp_sign_recoverable(unsigned char rs[64], int *recid,
                                   const og_bytes32 *digest,
                                   const og_privkey *k)
{
  secp256k1_context *ctx = sign_ctx();
  secp256k1_ecdsa_recoverable_signature sig;
  int ok;
  if(!ctx)
    return OG_E_CRYPTO;
  /* NULL nonce function: RFC 6979; the result is always low-s. */
  ok = secp256k1_ecdsa_sign_recoverable(ctx, &sig, digest->b, k->b, NULL,
                                        NULL) &&
       secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, rs,
                                                               recid, &sig);
  secp256k1_context_destroy(ctx);
  return ok ? OG_OK : OG_E_CRYPTO;
}

og_result og_secp_sign(og_signature *sig, const og_bytes32 *digest,
                       const og_privkey *k)
{
  int recid = 0;
  og_result r = og_secp_sign_recoverable(sig->b, &recid, digest, k);
  if(r)
    return r;
  sig->b[64] = (unsigned char)(27 + recid);
  return OG_OK;
}

og_result og_secp_recover(og_address *out, const og_bytes32 *digest,
                          const og_signature *sig)
{
  secp256k1_ecdsa_recoverable_signature rsig;
  secp256k1_ecdsa_signature plain;
  secp256k1_pubkey pk;
  int v = sig->b[64];
  pthread_once(&selftest_once, run_selftest);
  if(v >= 27)
    v -= 27;
  if(v != 0 && v != 1)
    return OG_E_CRYPTO;
  if(!secp256k1_ecdsa_recoverable_signature_parse_compact(
       secp256k1_context_static, &rsig, sig->b, v))
    return OG_E_CRYPTO;
  /* Ethereum (EIP-2) rejects high-s signatures: so do we. normalize
   * returns 1 when s was high. */
  secp256k1_ecdsa_recoverable_signature_convert(secp256k1_context_static,
                                                &plain, &rsig);
  if(secp256k1_ecdsa_signature_normalize(secp256k1_context_static, NULL,
                                         &plain))
    return OG_E_CRYPTO;
  if(!secp256k1_ecdsa_recover(secp256k1_context_static, &pk, &rsig,
                              digest->b))
    return OG_E_CRYPTO;
  pubkey_address(out, &pk);
  return OG_OK;
}
