/*
 * RSA-PSS verification of enclave signatures with OpenSSL 3
 * (signatures reference §2.2): SHA-256, MGF1-SHA-256, salt length fixed
 * to 32, msg_hash passed as the message (so it is hashed again).
 */
#include <limits.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "opengradient/og_hex.h"
#include "opengradient/og_keccak.h"
#include "opengradient/og_u256.h"
#include "opengradient/og_verify.h"

/* Parsed keys by their DER bytes, per thread: OpenSSL 3's d2i_PUBKEY
 * goes through the decoder framework and cost about half of a verified
 * request (serve's profile), while a client sees the same few TEE keys
 * over and over. Only keys that passed the checks below are kept. */
#define KEY_CACHE 4
static _Thread_local struct {
  unsigned char der[OG_RSA_SPKI_MAX];
  size_t len;
  EVP_PKEY *key; /* one reference, owned by the cache */
} key_cache[KEY_CACHE];
static _Thread_local unsigned key_cache_next;

/* A new reference to the cached key for spki, or NULL. */
static EVP_PKEY *cache_get(const unsigned char *spki, size_t len)
{
  unsigned i;
  for(i = 0; i < KEY_CACHE; i++)
    if(key_cache[i].key && key_cache[i].len == len &&
       !memcmp(key_cache[i].der, spki, len) &&
       EVP_PKEY_up_ref(key_cache[i].key) == 1)
      return key_cache[i].key;
  return NULL;
}

static void cache_put(const unsigned char *spki, size_t len, EVP_PKEY *key)
{
  unsigned i = key_cache_next++ % KEY_CACHE;
  if(EVP_PKEY_up_ref(key) != 1)
    return;
  EVP_PKEY_free(key_cache[i].key);
  memcpy(key_cache[i].der, spki, len);
  key_cache[i].len = len;
  key_cache[i].key = key;
}

og_result og_rsa_pss_verify(const unsigned char *spki, size_t spki_len,
                            const og_bytes32 *msg_hash,
                            const unsigned char sig[OG_RSA_SIG_LEN],
                            og_err *err)
{
  const unsigned char *p = spki;
  EVP_PKEY *key = NULL;
  EVP_MD_CTX *md = NULL;
  EVP_PKEY_CTX *pctx = NULL;
  og_result r;
  int rc;
  if(!spki || !spki_len || spki_len > OG_RSA_SPKI_MAX || spki_len > LONG_MAX)
    return og_fail(err, OG_E_VERIFY, "registry key is missing or too large");
  key = cache_get(spki, spki_len);
  if(!key) {
    key = d2i_PUBKEY(NULL, &p, (long)spki_len);
    if(!key || p != spki + spki_len) {
      r = og_fail(err, OG_E_VERIFY,
                  "registry key is not a valid DER SubjectPublicKeyInfo");
      goto out;
    }
    if(EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA ||
       EVP_PKEY_get_bits(key) != 2048) {
      r = og_fail(err, OG_E_VERIFY, "registry key is not an RSA-2048 key");
      goto out;
    }
    cache_put(spki, spki_len, key);
  }
  md = EVP_MD_CTX_new();
  if(!md) {
    r = og_fail(err, OG_E_NOMEM, "out of memory");
    goto out;
  }
  if(EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, key) != 1 ||
     EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1 ||
     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1) {
    r = og_fail(err, OG_E_CRYPTO, "could not set up RSA-PSS verification");
    goto out;
  }
  rc = EVP_DigestVerify(md, sig, OG_RSA_SIG_LEN, msg_hash->b, 32);
  if(rc == 1)
    r = OG_OK;
  else
    r = og_fail(err, OG_E_VERIFY, "signature does not verify");
out:
  /* a failed verification leaves reasons on OpenSSL's error queue */
  ERR_clear_error();
  EVP_MD_CTX_free(md);
  EVP_PKEY_free(key);
  return r;
}

og_result og_rsa_pss_verify_b64(const unsigned char *spki, size_t spki_len,
                                const og_bytes32 *msg_hash,
                                const char *sig_b64, og_err *err)
{
  unsigned char sig[OG_RSA_SIG_LEN + 3];
  size_t n = 0, len;
  if(!sig_b64)
    return og_fail(err, OG_E_VERIFY, "answer carries no signature");
  len = strlen(sig_b64);
  if(og_base64_decode(sig, sizeof(sig), &n, sig_b64, len) ||
     n != OG_RSA_SIG_LEN)
    return og_fail(err, OG_E_VERIFY,
                   "tee_signature is not base64 of exactly 256 bytes");
  return og_rsa_pss_verify(spki, spki_len, msg_hash, sig, err);
}

void og_heartbeat_msg_hash(og_bytes32 *out, const og_bytes32 *tee_id,
                           uint64_t timestamp)
{
  unsigned char pre[64];
  og_u256 ts;
  og_u256_from_u64(&ts, timestamp);
  memcpy(pre, tee_id->b, 32);
  memcpy(pre + 32, ts.b, 32);
  og_keccak256(out, pre, sizeof(pre));
}

void og_tee_id(og_bytes32 *out, const unsigned char *spki, size_t spki_len)
{
  og_keccak256(out, spki, spki_len);
}

og_result og_verify_heartbeat(const unsigned char *spki, size_t spki_len,
                              const og_bytes32 *tee_id, uint64_t timestamp,
                              const char *sig_b64, og_err *err)
{
  og_bytes32 h;
  og_heartbeat_msg_hash(&h, tee_id, timestamp);
  return og_rsa_pss_verify_b64(spki, spki_len, &h, sig_b64, err);
}
