/* HPKE base mode (RFC 9180) for DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 * ChaCha20-Poly1305, on OpenSSL 3.0's EVP primitives. Every intermediate
 * secret is wiped before return. */
#include <limits.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "opengradient/og_hpke.h"
#include "core/og_random.h"

#define LABEL_MAX 64
/* "HPKE-v1" ‖ suite_id(10) ‖ label ‖ ikm/info, plus the expand prefix. */
#define LBUF_MAX (2 + 7 + 10 + LABEL_MAX + OG_HPKE_MAX_INFO + 64)

static const unsigned char kem_suite[5] = {'K', 'E', 'M', 0x00, 0x20};
static const unsigned char hpke_suite[10] = {'H', 'P', 'K', 'E', 0x00,
                                             0x20, 0x00, 0x01, 0x00, 0x03};

og_result og_hkdf_sha256_extract(unsigned char prk[32],
                                 const unsigned char *salt, size_t salt_len,
                                 const unsigned char *ikm, size_t ikm_len,
                                 og_err *err)
{
  static const unsigned char zeros[32];
  unsigned int outlen = 0;
  if(!salt_len) {
    salt = zeros;
    salt_len = sizeof(zeros);
  }
  if(salt_len > INT_MAX || (!ikm && ikm_len))
    return og_fail(err, OG_E_USAGE, "HKDF-Extract: bad input");
  if(!HMAC(EVP_sha256(), salt, (int)salt_len, ikm_len ? ikm : zeros,
           ikm_len, prk, &outlen) || outlen != 32)
    return og_fail(err, OG_E_CRYPTO, "HMAC-SHA256 failed");
  return OG_OK;
}

og_result og_hkdf_sha256_expand(unsigned char *out, size_t out_len,
                                const unsigned char prk[32],
                                const unsigned char *info, size_t info_len,
                                og_err *err)
{
  unsigned char buf[32 + LBUF_MAX + 1];
  unsigned char t[32];
  size_t done = 0, tlen = 0;
  unsigned int i = 1, outlen;
  og_result rc = OG_OK;
  if(out_len > 255 * 32 || info_len > LBUF_MAX || (!info && info_len))
    return og_fail(err, OG_E_USAGE, "HKDF-Expand: bad length");
  while(done < out_len) {
    size_t n = 0;
    memcpy(buf, t, tlen);
    n = tlen;
    if(info_len)
      memcpy(buf + n, info, info_len);
    n += info_len;
    buf[n++] = (unsigned char)i;
    if(!HMAC(EVP_sha256(), prk, 32, buf, n, t, &outlen) || outlen != 32) {
      rc = og_fail(err, OG_E_CRYPTO, "HMAC-SHA256 failed");
      break;
    }
    tlen = 32;
    n = out_len - done < 32 ? out_len - done : 32;
    memcpy(out + done, t, n);
    done += n;
    i++;
  }
  og_wipe(buf, sizeof(buf));
  og_wipe(t, sizeof(t));
  return rc;
}

/* LabeledExtract(salt, label, ikm) with suite_id. */
static og_result labeled_extract(unsigned char prk[32],
                                 const unsigned char *suite, size_t suite_len,
                                 const unsigned char *salt, size_t salt_len,
                                 const char *label,
                                 const unsigned char *ikm, size_t ikm_len,
                                 og_err *err)
{
  unsigned char buf[LBUF_MAX];
  size_t ll = strlen(label), n = 0;
  og_result rc;
  if(ll > LABEL_MAX || ikm_len > OG_HPKE_MAX_INFO)
    return og_fail(err, OG_E_USAGE, "HPKE: input too long");
  memcpy(buf, "HPKE-v1", 7);
  n = 7;
  memcpy(buf + n, suite, suite_len);
  n += suite_len;
  memcpy(buf + n, label, ll);
  n += ll;
  if(ikm_len)
    memcpy(buf + n, ikm, ikm_len);
  n += ikm_len;
  rc = og_hkdf_sha256_extract(prk, salt, salt_len, buf, n, err);
  og_wipe(buf, sizeof(buf));
  return rc;
}

/* LabeledExpand(prk, label, info, L) with suite_id. */
static og_result labeled_expand(unsigned char *out, size_t L,
                                const unsigned char *suite, size_t suite_len,
                                const unsigned char prk[32],
                                const char *label,
                                const unsigned char *info, size_t info_len,
                                og_err *err)
{
  unsigned char buf[LBUF_MAX];
  size_t ll = strlen(label), n = 0;
  og_result rc;
  if(ll > LABEL_MAX || info_len > OG_HPKE_MAX_INFO || L > 0xffff)
    return og_fail(err, OG_E_USAGE, "HPKE: input too long");
  buf[0] = (unsigned char)(L >> 8);
  buf[1] = (unsigned char)L;
  memcpy(buf + 2, "HPKE-v1", 7);
  n = 9;
  memcpy(buf + n, suite, suite_len);
  n += suite_len;
  memcpy(buf + n, label, ll);
  n += ll;
  if(info_len)
    memcpy(buf + n, info, info_len);
  n += info_len;
  rc = og_hkdf_sha256_expand(out, L, prk, buf, n, err);
  og_wipe(buf, sizeof(buf));
  return rc;
}

static og_result x25519_pub(unsigned char pk[32], const unsigned char sk[32],
                            og_err *err)
{
  EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk, 32);
  size_t len = 32;
  og_result rc = OG_OK;
  if(!k)
    return og_fail(err, OG_E_CRYPTO, "X25519: bad private key");
  if(EVP_PKEY_get_raw_public_key(k, pk, &len) != 1 || len != 32)
    rc = og_fail(err, OG_E_CRYPTO, "X25519: public key failed");
  EVP_PKEY_free(k);
  return rc;
}

static og_result x25519_dh(unsigned char dh[32], const unsigned char sk[32],
                           const unsigned char pk[32], og_err *err)
{
  static const unsigned char zeros[32];
  EVP_PKEY *ks = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk, 32);
  EVP_PKEY *kp = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pk, 32);
  EVP_PKEY_CTX *c = NULL;
  size_t len = 32;
  og_result rc = OG_OK;
  if(!ks || !kp) {
    rc = og_fail(err, OG_E_CRYPTO, "X25519: bad key");
    goto out;
  }
  c = EVP_PKEY_CTX_new(ks, NULL);
  if(!c || EVP_PKEY_derive_init(c) != 1 || EVP_PKEY_derive_set_peer(c, kp) != 1
     || EVP_PKEY_derive(c, dh, &len) != 1 || len != 32) {
    rc = og_fail(err, OG_E_CRYPTO, "X25519: key agreement failed");
    goto out;
  }
  if(CRYPTO_memcmp(dh, zeros, 32) == 0)
    rc = og_fail(err, OG_E_CRYPTO, "X25519: all-zero shared secret");
out:
  EVP_PKEY_CTX_free(c);
  EVP_PKEY_free(ks);
  EVP_PKEY_free(kp);
  return rc;
}

og_result og_hpke_derive_keypair(unsigned char sk[32], unsigned char pk[32],
                                 const unsigned char *ikm, size_t ikm_len,
                                 og_err *err)
{
  unsigned char prk[32];
  og_result rc = labeled_extract(prk, kem_suite, sizeof(kem_suite), NULL, 0,
                                 "dkp_prk", ikm, ikm_len, err);
  if(!rc)
    rc = labeled_expand(sk, 32, kem_suite, sizeof(kem_suite), prk, "sk",
                        NULL, 0, err);
  if(!rc)
    rc = x25519_pub(pk, sk, err);
  og_wipe(prk, sizeof(prk));
  if(rc)
    og_wipe(sk, 32);
  return rc;
}

/* ExtractAndExpand(dh, enc ‖ pkR) -> shared_secret. */
static og_result kem_shared(unsigned char ss[32], const unsigned char dh[32],
                            const unsigned char enc[32],
                            const unsigned char pkR[32], og_err *err)
{
  unsigned char kctx[64], prk[32];
  og_result rc;
  memcpy(kctx, enc, 32);
  memcpy(kctx + 32, pkR, 32);
  rc = labeled_extract(prk, kem_suite, sizeof(kem_suite), NULL, 0, "eae_prk",
                       dh, 32, err);
  if(!rc)
    rc = labeled_expand(ss, 32, kem_suite, sizeof(kem_suite), prk,
                        "shared_secret", kctx, sizeof(kctx), err);
  og_wipe(prk, sizeof(prk));
  return rc;
}

static og_result key_schedule(og_hpke_ctx *ctx, const unsigned char ss[32],
                              const unsigned char *info, size_t info_len,
                              og_err *err)
{
  unsigned char ksc[1 + 32 + 32], secret[32];
  og_result rc;
  ksc[0] = 0; /* mode_base */
  rc = labeled_extract(ksc + 1, hpke_suite, sizeof(hpke_suite), NULL, 0,
                       "psk_id_hash", NULL, 0, err);
  if(!rc)
    rc = labeled_extract(ksc + 33, hpke_suite, sizeof(hpke_suite), NULL, 0,
                         "info_hash", info, info_len, err);
  if(!rc)
    rc = labeled_extract(secret, hpke_suite, sizeof(hpke_suite), ss, 32,
                         "secret", NULL, 0, err);
  if(!rc)
    rc = labeled_expand(ctx->key, OG_HPKE_NK, hpke_suite, sizeof(hpke_suite),
                        secret, "key", ksc, sizeof(ksc), err);
  if(!rc)
    rc = labeled_expand(ctx->base_nonce, OG_HPKE_NN, hpke_suite,
                        sizeof(hpke_suite), secret, "base_nonce", ksc,
                        sizeof(ksc), err);
  if(!rc)
    rc = labeled_expand(ctx->exporter_secret, OG_HPKE_NH, hpke_suite,
                        sizeof(hpke_suite), secret, "exp", ksc, sizeof(ksc),
                        err);
  ctx->seq = 0;
  og_wipe(secret, sizeof(secret));
  if(rc)
    og_hpke_ctx_wipe(ctx);
  return rc;
}


og_result og_hpke_setup_base_s(og_hpke_ctx *ctx, unsigned char enc[32],
                               const unsigned char pkR[32],
                               const unsigned char *info, size_t info_len,
                               const unsigned char *ikmE, size_t ikmE_len,
                               og_err *err)
{
  unsigned char rnd[32], skE[32], dh[32], ss[32];
  og_result rc;
  if(!ctx || !enc || !pkR || (!info && info_len) || info_len > OG_HPKE_MAX_INFO
     || (ikmE && ikmE_len > OG_HPKE_MAX_INFO))
    return og_fail(err, OG_E_USAGE, "HPKE setup: bad argument");
  if(!ikmE) {
    rc = og_random_bytes(rnd, sizeof(rnd));
    if(rc)
      return og_fail(err, rc, "no random bytes for the HPKE ephemeral key");
    ikmE = rnd;
    ikmE_len = sizeof(rnd);
  }
  rc = og_hpke_derive_keypair(skE, enc, ikmE, ikmE_len, err);
  if(!rc)
    rc = x25519_dh(dh, skE, pkR, err);
  if(!rc)
    rc = kem_shared(ss, dh, enc, pkR, err);
  if(!rc)
    rc = key_schedule(ctx, ss, info, info_len, err);
  og_wipe(rnd, sizeof(rnd));
  og_wipe(skE, sizeof(skE));
  og_wipe(dh, sizeof(dh));
  og_wipe(ss, sizeof(ss));
  return rc;
}

og_result og_hpke_setup_base_r(og_hpke_ctx *ctx, const unsigned char enc[32],
                               const unsigned char skR[32],
                               const unsigned char *info, size_t info_len,
                               og_err *err)
{
  unsigned char pkR[32], dh[32], ss[32];
  og_result rc;
  if(!ctx || !enc || !skR || (!info && info_len) || info_len > OG_HPKE_MAX_INFO)
    return og_fail(err, OG_E_USAGE, "HPKE setup: bad argument");
  rc = x25519_pub(pkR, skR, err);
  if(!rc)
    rc = x25519_dh(dh, skR, enc, err);
  if(!rc)
    rc = kem_shared(ss, dh, enc, pkR, err);
  if(!rc)
    rc = key_schedule(ctx, ss, info, info_len, err);
  og_wipe(dh, sizeof(dh));
  og_wipe(ss, sizeof(ss));
  return rc;
}

static og_result aead(int enc, unsigned char *out, const unsigned char key[32],
                      const unsigned char nonce[12], const unsigned char *aad,
                      size_t aad_len, const unsigned char *in, size_t in_len,
                      og_err *err)
{
  EVP_CIPHER_CTX *c;
  int len = 0;
  size_t body = enc ? in_len : in_len - 16;
  og_result rc = OG_OK;
  if((!enc && in_len < 16) || in_len > (size_t)INT_MAX - 32
     || aad_len > (size_t)INT_MAX || (!aad && aad_len) || (!in && in_len))
    return og_fail(err, OG_E_USAGE, "AEAD: bad length");
  c = EVP_CIPHER_CTX_new();
  if(!c)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  if(EVP_CipherInit_ex(c, EVP_chacha20_poly1305(), NULL, NULL, NULL, enc) != 1
     || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) != 1
     || EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) != 1) {
    rc = og_fail(err, OG_E_CRYPTO, "ChaCha20-Poly1305 init failed");
    goto out;
  }
  if(!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16,
                                 (void *)(in + body)) != 1) {
    rc = og_fail(err, OG_E_CRYPTO, "ChaCha20-Poly1305 tag failed");
    goto out;
  }
  if(aad_len && EVP_CipherUpdate(c, NULL, &len, aad, (int)aad_len) != 1) {
    rc = og_fail(err, OG_E_CRYPTO, "ChaCha20-Poly1305 aad failed");
    goto out;
  }
  if(body && EVP_CipherUpdate(c, out, &len, in, (int)body) != 1) {
    rc = og_fail(err, OG_E_CRYPTO, "ChaCha20-Poly1305 failed");
    goto out;
  }
  if(EVP_CipherFinal_ex(c, out + (body ? (size_t)len : 0), &len) != 1) {
    rc = enc ? og_fail(err, OG_E_CRYPTO, "ChaCha20-Poly1305 failed")
             : og_fail(err, OG_E_VERIFY,
                       "decryption failed: the ciphertext or its tag was "
                       "altered or the key is wrong");
    if(!enc && body)
      og_wipe(out, body);
    goto out;
  }
  if(enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, out + body) != 1)
    rc = og_fail(err, OG_E_CRYPTO, "ChaCha20-Poly1305 tag failed");
out:
  EVP_CIPHER_CTX_free(c);
  return rc;
}

og_result og_chacha20poly1305_seal(unsigned char *ct,
                                   const unsigned char key[32],
                                   const unsigned char nonce[12],
                                   const unsigned char *aad, size_t aad_len,
                                   const unsigned char *pt, size_t pt_len,
                                   og_err *err)
{
  return aead(1, ct, key, nonce, aad, aad_len, pt, pt_len, err);
}

og_result og_chacha20poly1305_open(unsigned char *pt,
                                   const unsigned char key[32],
                                   const unsigned char nonce[12],
                                   const unsigned char *aad, size_t aad_len,
                                   const unsigned char *ct, size_t ct_len,
                                   og_err *err)
{
  return aead(0, pt, key, nonce, aad, aad_len, ct, ct_len, err);
}

static void seq_nonce(unsigned char nonce[12], const og_hpke_ctx *ctx)
{
  int i;
  memcpy(nonce, ctx->base_nonce, 12);
  for(i = 0; i < 8; i++)
    nonce[11 - i] ^= (unsigned char)(ctx->seq >> (8 * i));
}

og_result og_hpke_seal(og_hpke_ctx *ctx, unsigned char *ct,
                       const unsigned char *aad, size_t aad_len,
                       const unsigned char *pt, size_t pt_len, og_err *err)
{
  unsigned char nonce[12];
  og_result rc;
  if(!ctx || !ct || ctx->seq == UINT64_MAX)
    return og_fail(err, OG_E_USAGE, "HPKE seal: bad argument");
  seq_nonce(nonce, ctx);
  rc = aead(1, ct, ctx->key, nonce, aad, aad_len, pt, pt_len, err);
  if(!rc)
    ctx->seq++;
  return rc;
}

og_result og_hpke_open(og_hpke_ctx *ctx, unsigned char *pt,
                       const unsigned char *aad, size_t aad_len,
                       const unsigned char *ct, size_t ct_len, og_err *err)
{
  unsigned char nonce[12];
  og_result rc;
  if(!ctx || (!pt && ct_len > 16) || ctx->seq == UINT64_MAX)
    return og_fail(err, OG_E_USAGE, "HPKE open: bad argument");
  seq_nonce(nonce, ctx);
  rc = aead(0, pt, ctx->key, nonce, aad, aad_len, ct, ct_len, err);
  if(!rc)
    ctx->seq++;
  return rc;
}

og_result og_hpke_export(const og_hpke_ctx *ctx, unsigned char *out,
                         size_t out_len, const unsigned char *exp_ctx,
                         size_t exp_ctx_len, og_err *err)
{
  if(!ctx || !out || out_len > OG_HPKE_MAX_EXPORT || (!exp_ctx && exp_ctx_len))
    return og_fail(err, OG_E_USAGE, "HPKE export: bad argument");
  return labeled_expand(out, out_len, hpke_suite, sizeof(hpke_suite),
                        ctx->exporter_secret, "sec", exp_ctx, exp_ctx_len,
                        err);
}

void og_hpke_ctx_wipe(og_hpke_ctx *ctx)
{
  if(ctx)
    og_wipe(ctx, sizeof(*ctx));
}
