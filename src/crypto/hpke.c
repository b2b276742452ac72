/*
 * HPKE base mode (RFC 9180) for DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 * ChaCha20-Poly1305, on OpenSSL 3.0 EVP primitives. Labeled steps follow
 * RFC 9180 sections 4 and 5; checked against Appendix A.2.1.
 */
#include <limits.h>
#include <string.h>
#include <stdlib.h>
#include <sys/random.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "opengradient/og_hpke.h"

static const unsigned char KEM_SUITE[5] = {'K', 'E', 'M', 0x00, 0x20};
static const unsigned char HPKE_SUITE[10] = {'H', 'P', 'K', 'E', 0x00, 0x20,
                                             0x00, 0x01, 0x00, 0x03};

/* HMAC-SHA256 over up to four parts. */
static og_result hmac4(unsigned char out[32], const unsigned char *key,
                       size_t key_len, const unsigned char *p[4],
                       const size_t n[4], og_err *err)
{
  EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
  OSSL_PARAM params[2];
  size_t outl = 0;
  int ok, i;
  static const unsigned char zero = 0;
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                               (char *)"SHA256", 0);
  params[1] = OSSL_PARAM_construct_end();
  ok = c && EVP_MAC_init(c, key_len ? key : &zero, key_len, params);
  for(i = 0; ok && i < 4; i++)
    if(p[i] && n[i])
      ok = EVP_MAC_update(c, p[i], n[i]);
  ok = ok && EVP_MAC_final(c, out, &outl, 32) && outl == 32;
  EVP_MAC_CTX_free(c);
  EVP_MAC_free(mac);
  return ok ? OG_OK : og_fail(err, OG_E_CRYPTO, "HMAC-SHA256 failed");
}

og_result og_hkdf_sha256_extract(unsigned char prk[OG_HPKE_NH],
                                 const unsigned char *salt, size_t salt_len,
                                 const unsigned char *ikm, size_t ikm_len,
                                 og_err *err)
{
  const unsigned char *p[4] = {ikm, NULL, NULL, NULL};
  size_t n[4] = {ikm_len, 0, 0, 0};
  return hmac4(prk, salt, salt_len, p, n, err);
}

/* Expand with info given in up to three parts. */
static og_result expand3(unsigned char *out, size_t L,
                         const unsigned char prk[32],
                         const unsigned char *i1, size_t n1,
                         const unsigned char *i2, size_t n2,
                         const unsigned char *i3, size_t n3, og_err *err)
{
  unsigned char t[32], ctr = 0;
  size_t done = 0, tlen = 0;
  og_result r = OG_OK;
  if(L > 255 * 32)
    return og_fail(err, OG_E_USAGE, "HKDF output too long");
  while(done < L) {
    const unsigned char *p[4];
    size_t n[4];
    unsigned char cbuf[1];
    size_t k;
    ctr++;
    /* T(i) = HMAC(prk, T(i-1) || info || i): info parts, counter last */
    memcpy(cbuf, &ctr, 1);
    {
      /* T(i-1) and the three info parts, then the counter: five parts,
       * so fold T(i-1) with i1 via a two-stage call when needed. */
      EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
      EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
      OSSL_PARAM params[2];
      size_t outl = 0;
      int ok;
      params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                   (char *)"SHA256", 0);
      params[1] = OSSL_PARAM_construct_end();
      p[0] = i1; p[1] = i2; p[2] = i3; p[3] = cbuf;
      n[0] = n1; n[1] = n2; n[2] = n3; n[3] = 1;
      ok = c && EVP_MAC_init(c, prk, 32, params);
      if(ok && tlen)
        ok = EVP_MAC_update(c, t, tlen);
      for(k = 0; ok && k < 4; k++)
        if(p[k] && n[k])
          ok = EVP_MAC_update(c, p[k], n[k]);
      ok = ok && EVP_MAC_final(c, t, &outl, 32) && outl == 32;
      EVP_MAC_CTX_free(c);
      EVP_MAC_free(mac);
      if(!ok) {
        r = og_fail(err, OG_E_CRYPTO, "HKDF-Expand failed");
        break;
      }
    }
    tlen = 32;
    k = L - done < 32 ? L - done : 32;
    memcpy(out + done, t, k);
    done += k;
  }
  og_wipe(t, sizeof t);
  return r;
}

og_result og_hkdf_sha256_expand(unsigned char *out, size_t L,
                                const unsigned char prk[OG_HPKE_NH],
                                const unsigned char *info, size_t info_len,
                                og_err *err)
{
  return expand3(out, L, prk, info, info_len, NULL, 0, NULL, 0, err);
}

/* LabeledExtract(salt, label, ikm) */
static og_result labeled_extract(unsigned char prk[32],
                                 const unsigned char *suite, size_t suite_len,
                                 const unsigned char *salt, size_t salt_len,
                                 const char *label,
                                 const unsigned char *ikm, size_t ikm_len,
                                 og_err *err)
{
  const unsigned char *p[4] = {(const unsigned char *)"HPKE-v1", suite,
                               (const unsigned char *)label, ikm};
  size_t n[4] = {7, suite_len, strlen(label), ikm_len};
  return hmac4(prk, salt, salt_len, p, n, err);
}

/* LabeledExpand(prk, label, info, L) */
static og_result labeled_expand(unsigned char *out, size_t L,
                                const unsigned char prk[32],
                                const unsigned char *suite, size_t suite_len,
                                const char *label,
                                const unsigned char *info, size_t info_len,
                                og_err *err)
{
  unsigned char head[2 + 7 + 10 + 32];
  size_t ll = strlen(label), hn = 0;
  if(L > 0xffff || ll > 32)
    return og_fail(err, OG_E_INTERNAL, "HPKE label or length out of range");
  head[hn++] = (unsigned char)(L >> 8);
  head[hn++] = (unsigned char)L;
  memcpy(head + hn, "HPKE-v1", 7);
  hn += 7;
  memcpy(head + hn, suite, suite_len);
  hn += suite_len;
  return expand3(out, L, prk, head, hn, (const unsigned char *)label, ll,
                 info, info_len, err);
}

/* X25519: pk from sk, or dh = X25519(sk, peer). */
static og_result x25519(unsigned char out[32], const unsigned char sk[32],
                        const unsigned char *peer, og_err *err)
{
  EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk, 32);
  EVP_PKEY *pk = NULL;
  EVP_PKEY_CTX *c = NULL;
  size_t n = 32;
  og_result r = OG_OK;
  static const unsigned char zero[32];
  if(!k)
    return og_fail(err, OG_E_CRYPTO, "X25519 key setup failed");
  if(!peer) {
    if(EVP_PKEY_get_raw_public_key(k, out, &n) != 1 || n != 32)
      r = og_fail(err, OG_E_CRYPTO, "X25519 public key failed");
    goto out;
  }
  pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, 32);
  c = EVP_PKEY_CTX_new(k, NULL);
  if(!pk || !c || EVP_PKEY_derive_init(c) != 1 ||
     EVP_PKEY_derive_set_peer(c, pk) != 1 ||
     EVP_PKEY_derive(c, out, &n) != 1 || n != 32 ||
     CRYPTO_memcmp(out, zero, 32) == 0) {
    og_wipe(out, 32);
    r = og_fail(err, OG_E_CRYPTO, "X25519 key agreement failed");
  }
out:
  EVP_PKEY_CTX_free(c);
  EVP_PKEY_free(pk);
  EVP_PKEY_free(k);
  return r;
}

og_result og_hpke_derive_keypair(unsigned char sk[OG_HPKE_NSK],
                                 unsigned char pk[OG_HPKE_NPK],
                                 const unsigned char *ikm, size_t ikm_len,
                                 og_err *err)
{
  unsigned char prk[32];
  og_result r = labeled_extract(prk, KEM_SUITE, 5, NULL, 0, "dkp_prk", ikm,
                                ikm_len, err);
  if(r == OG_OK)
    r = labeled_expand(sk, 32, prk, KEM_SUITE, 5, "sk", NULL, 0, err);
  if(r == OG_OK)
    r = x25519(pk, sk, NULL, err);
  og_wipe(prk, sizeof prk);
  if(r != OG_OK)
    og_wipe(sk, 32);
  return r;
}

/* ExtractAndExpand(dh, enc || pkR) */
static og_result kem_shared(unsigned char ss[32], const unsigned char dh[32],
                            const unsigned char enc[32],
                            const unsigned char pkR[32], og_err *err)
{
  unsigned char prk[32], kc[64];
  og_result r;
  memcpy(kc, enc, 32);
  memcpy(kc + 32, pkR, 32);
  r = labeled_extract(prk, KEM_SUITE, 5, NULL, 0, "eae_prk", dh, 32, err);
  if(r == OG_OK)
    r = labeled_expand(ss, 32, prk, KEM_SUITE, 5, "shared_secret", kc, 64,
                       err);
  og_wipe(prk, sizeof prk);
  return r;
}

static og_result key_schedule(og_hpke_ctx *ctx, const unsigned char ss[32],
                              const unsigned char *info, size_t info_len,
                              og_err *err)
{
  unsigned char ksc[1 + 32 + 32], secret[32];
  og_result r;
  ksc[0] = 0; /* mode_base */
  r = labeled_extract(ksc + 1, HPKE_SUITE, 10, NULL, 0, "psk_id_hash", NULL,
                      0, err);
  if(r == OG_OK)
    r = labeled_extract(ksc + 33, HPKE_SUITE, 10, NULL, 0, "info_hash", info,
                        info_len, err);
  if(r == OG_OK)
    r = labeled_extract(secret, HPKE_SUITE, 10, ss, 32, "secret", NULL, 0,
                        err);
  if(r == OG_OK)
    r = labeled_expand(ctx->key, 32, secret, HPKE_SUITE, 10, "key", ksc,
                       sizeof ksc, err);
  if(r == OG_OK)
    r = labeled_expand(ctx->base_nonce, 12, secret, HPKE_SUITE, 10,
                       "base_nonce", ksc, sizeof ksc, err);
  if(r == OG_OK)
    r = labeled_expand(ctx->exporter_secret, 32, secret, HPKE_SUITE, 10,
                       "exp", ksc, sizeof ksc, err);
  ctx->seq = 0;
  og_wipe(secret, sizeof secret);
  if(r != OG_OK)
    og_hpke_ctx_wipe(ctx);
  return r;
}

og_result og_hpke_setup_base_s(og_hpke_ctx *ctx,
                               unsigned char enc[OG_HPKE_NPK],
                               const unsigned char pkR[OG_HPKE_NPK],
                               const unsigned char *info, size_t info_len,
                               const unsigned char *ikmE, og_err *err)
{
  unsigned char ikm[32], skE[32], dh[32], ss[32];
  og_result r;
  if(!ctx || !enc || !pkR || (!info && info_len))
    return og_fail(err, OG_E_USAGE, "HPKE setup: missing argument");
  if(ikmE)
    memcpy(ikm, ikmE, 32);
  else if(getrandom(ikm, 32, 0) != 32)
    return og_fail(err, OG_E_CRYPTO, "no random bytes for the HPKE key");
  r = og_hpke_derive_keypair(skE, enc, ikm, 32, err);
  if(r == OG_OK)
    r = x25519(dh, skE, pkR, err);
  if(r == OG_OK)
    r = kem_shared(ss, dh, enc, pkR, err);
  if(r == OG_OK)
    r = key_schedule(ctx, ss, info, info_len, err);
  og_wipe(ikm, sizeof ikm);
  og_wipe(skE, sizeof skE);
  og_wipe(dh, sizeof dh);
  og_wipe(ss, sizeof ss);
  return r;
}

og_result og_hpke_setup_base_r(og_hpke_ctx *ctx,
                               const unsigned char enc[OG_HPKE_NPK],
                               const unsigned char skR[OG_HPKE_NSK],
                               const unsigned char *info, size_t info_len,
                               og_err *err)
{
  unsigned char pkR[32], dh[32], ss[32];
  og_result r;
  if(!ctx || !enc || !skR || (!info && info_len))
    return og_fail(err, OG_E_USAGE, "HPKE setup: missing argument");
  r = x25519(pkR, skR, NULL, err);
  if(r == OG_OK)
    r = x25519(dh, skR, enc, err);
  if(r == OG_OK)
    r = kem_shared(ss, dh, enc, pkR, err);
  if(r == OG_OK)
    r = key_schedule(ctx, ss, info, info_len, err);
  og_wipe(dh, sizeof dh);
  og_wipe(ss, sizeof ss);
  return r;
}

void og_hpke_nonce(unsigned char nonce[12], const unsigned char base[12],
                   uint64_t seq)
{
  int i;
  memcpy(nonce, base, 12);
  for(i = 0; i < 8; i++)
    nonce[11 - i] ^= (unsigned char)(seq >> (8 * i));
}

static og_result next_nonce(og_hpke_ctx *ctx, unsigned char nonce[12],
                            og_err *err)
{
  if(ctx->seq == UINT64_MAX)
    return og_fail(err, OG_E_CRYPTO, "HPKE sequence number overflow");
  og_hpke_nonce(nonce, ctx->base_nonce, ctx->seq);
  return OG_OK;
}

og_result og_hpke_seal(og_hpke_ctx *ctx, unsigned char *ct,
                       const unsigned char *aad, size_t aad_len,
                       const unsigned char *pt, size_t pt_len, og_err *err)
{
  unsigned char nonce[12];
  og_result r = next_nonce(ctx, nonce, err);
  if(r == OG_OK)
    r = og_chacha20poly1305_seal(ct, ctx->key, nonce, aad, aad_len, pt,
                                 pt_len, err);
  if(r == OG_OK)
    ctx->seq++;
  return r;
}

og_result og_hpke_open(og_hpke_ctx *ctx, unsigned char *pt,
                       const unsigned char *aad, size_t aad_len,
                       const unsigned char *ct, size_t ct_len, og_err *err)
{
  unsigned char nonce[12];
  og_result r = next_nonce(ctx, nonce, err);
  if(r == OG_OK)
    r = og_chacha20poly1305_open(pt, ctx->key, nonce, aad, aad_len, ct,
                                 ct_len, err);
  if(r == OG_OK)
    ctx->seq++;
  return r;
}

og_result og_hpke_export(const og_hpke_ctx *ctx, unsigned char *out,
                         size_t L, const unsigned char *exp_ctx,
                         size_t exp_ctx_len, og_err *err)
{
  if(!ctx || !out || (!exp_ctx && exp_ctx_len))
    return og_fail(err, OG_E_USAGE, "HPKE export: missing argument");
  return labeled_expand(out, L, ctx->exporter_secret, HPKE_SUITE, 10, "sec",
                        exp_ctx, exp_ctx_len, err);
}

void og_hpke_ctx_wipe(og_hpke_ctx *ctx)
{
  if(ctx)
    og_wipe(ctx, sizeof *ctx);
}

static og_result aead(int enc, unsigned char *out, const unsigned char *key,
                      const unsigned char *nonce, const unsigned char *aad,
                      size_t aad_len, const unsigned char *in, size_t in_len,
                      unsigned char *tag, og_err *err)
{
  EVP_CIPHER_CTX *c;
  unsigned char fin[16];
  int n = 0, ok;
  if(in_len > INT_MAX - 64 || aad_len > INT_MAX)
    return og_fail(err, OG_E_TOO_LARGE, "AEAD input too large");
  c = EVP_CIPHER_CTX_new();
  ok = c && EVP_CipherInit_ex(c, EVP_chacha20_poly1305(), NULL, NULL, NULL,
                              enc) == 1 &&
       EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1 &&
       EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) == 1;
  if(ok && !enc)
    ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, tag) == 1;
  if(ok && aad_len)
    ok = EVP_CipherUpdate(c, NULL, &n, aad, (int)aad_len) == 1;
  if(ok && in_len)
    ok = EVP_CipherUpdate(c, out, &n, in, (int)in_len) == 1;
  if(ok)
    ok = EVP_CipherFinal_ex(c, in_len ? out + in_len : fin, &n) == 1;
  if(ok && enc)
    ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1;
  EVP_CIPHER_CTX_free(c);
  if(!ok) {
    if(in_len)
      og_wipe(out, in_len);
    return og_fail(err, OG_E_CRYPTO, enc ? "AEAD encryption failed"
                                         : "AEAD authentication failed");
  }
  return OG_OK;
}

og_result og_chacha20poly1305_seal(unsigned char *ct,
                                   const unsigned char key[32],
                                   const unsigned char nonce[12],
                                   const unsigned char *aad, size_t aad_len,
                                   const unsigned char *pt, size_t pt_len,
                                   og_err *err)
{
  if(!ct || !key || !nonce || (!pt && pt_len) || (!aad && aad_len))
    return og_fail(err, OG_E_USAGE, "AEAD: missing argument");
  return aead(1, ct, key, nonce, aad, aad_len, pt, pt_len, ct + pt_len, err);
}

og_result og_chacha20poly1305_open(unsigned char *pt,
                                   const unsigned char key[32],
                                   const unsigned char nonce[12],
                                   const unsigned char *aad, size_t aad_len,
                                   const unsigned char *ct, size_t ct_len,
                                   og_err *err)
{
  unsigned char tag[16];
  if(!key || !nonce || (!ct && ct_len) || (!aad && aad_len))
    return og_fail(err, OG_E_USAGE, "AEAD: missing argument");
  if(ct_len < 16)
    return og_fail(err, OG_E_CRYPTO, "AEAD ciphertext shorter than its tag");
  if(!pt && ct_len > 16)
    return og_fail(err, OG_E_USAGE, "AEAD: missing output");
  memcpy(tag, ct + ct_len - 16, 16);
  return aead(0, pt, key, nonce, aad, aad_len, ct, ct_len - 16, tag, err);
}

og_result og_chacha20poly1305_open_detached(
  unsigned char *pt, const unsigned char key[32], const unsigned char nonce[12],
  const unsigned char *aad, size_t aad_len, const unsigned char *ct,
  size_t ct_len, const unsigned char tag[16], og_err *err)
{
  unsigned char t[16];
  if(!key || !nonce || !tag || (!ct && ct_len) || (!pt && ct_len) ||
     (!aad && aad_len))
    return og_fail(err, OG_E_USAGE, "AEAD: missing argument");
  memcpy(t, tag, 16);
  return aead(0, pt, key, nonce, aad, aad_len, ct, ct_len, t, err);
}

/* The stream opener is RFC 8439 section 2.8 built from OpenSSL's raw
 * ChaCha20 and Poly1305 instead of its AEAD cipher. Why: a streamed answer
 * is one small AEAD message per SSE event, and for ~150 bytes the EVP AEAD
 * runs two ChaCha20 passes (the Poly1305 key block, then the data) plus a
 * third for a partial block, each a full 20-round latency chain. Here the
 * key block and the data go through one pass of a 64-byte multiple, which
 * halves the cost per chunk (bench/ohttp.sh); the tag is checked with
 * CRYPTO_memcmp before any plaintext is written. Differentially tested
 * against the EVP AEAD in tests/unit/test_hpke.c. */
#define AEAD_ONE_PASS 448 /* messages up to this go through one pass */
#define AEAD_PASS_BUF (64 + AEAD_ONE_PASS)

struct og_aead {
  EVP_CIPHER *chacha;
  EVP_CIPHER_CTX *ctx;  /* raw ChaCha20, keyed once */
  EVP_MAC *poly;
  EVP_MAC_CTX *mac;
};

og_result og_aead_new(og_aead **out, const unsigned char key[32], og_err *err)
{
  static const unsigned char iv0[16];
  og_aead *a = calloc(1, sizeof(*a));
  *out = NULL;
  if(!a)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  a->chacha = EVP_CIPHER_fetch(NULL, "ChaCha20", NULL);
  a->poly = EVP_MAC_fetch(NULL, "POLY1305", NULL);
  a->ctx = EVP_CIPHER_CTX_new();
  a->mac = a->poly ? EVP_MAC_CTX_new(a->poly) : NULL;
  if(!a->chacha || !a->poly || !a->ctx || !a->mac ||
     EVP_EncryptInit_ex2(a->ctx, a->chacha, key, iv0, NULL) != 1) {
    og_aead_free(a);
    return og_fail(err, OG_E_CRYPTO, "AEAD setup failed");
  }
  *out = a;
  return OG_OK;
}

/* Poly1305 over aad | pad16 | ct | pad16 | le64(aad_len) | le64(ct_len):
 * compared with tag in constant time (open), or written to made (seal). */
static int poly_ok(og_aead *a, const unsigned char otk[32],
                   const unsigned char *aad, size_t aad_len,
                   const unsigned char *ct, size_t ct_len,
                   const unsigned char tag[16], unsigned char made[16])
{
  static const unsigned char zero[16];
  unsigned char lens[16], t[16];
  size_t tl = 0;
  int i, ok;
  for(i = 0; i < 8; i++) {
    lens[i] = (unsigned char)((uint64_t)aad_len >> (8 * i));
    lens[8 + i] = (unsigned char)((uint64_t)ct_len >> (8 * i));
  }
  ok = EVP_MAC_init(a->mac, otk, 32, NULL) == 1 &&
       (!aad_len || EVP_MAC_update(a->mac, aad, aad_len) == 1) &&
       (!(aad_len % 16) ||
        EVP_MAC_update(a->mac, zero, 16 - aad_len % 16) == 1) &&
       (!ct_len || EVP_MAC_update(a->mac, ct, ct_len) == 1) &&
       (!(ct_len % 16) ||
        EVP_MAC_update(a->mac, zero, 16 - ct_len % 16) == 1) &&
       EVP_MAC_update(a->mac, lens, 16) == 1 &&
       EVP_MAC_final(a->mac, t, &tl, sizeof t) == 1 && tl == 16;
  if(ok && made)
    memcpy(made, t, 16);
  else
    ok = ok && CRYPTO_memcmp(t, tag, 16) == 0;
  og_wipe(t, sizeof t);
  return ok;
}

/* ChaCha20 from block 0 under nonce over 64 zero bytes (the Poly1305
 * one-time key) followed by src: n <= AEAD_ONE_PASS bytes in one pass of a
 * 64-byte multiple, so out gets the key block then src XOR keystream; a
 * longer src is not touched here (only the key block is made) and the
 * context is left to continue at block 1. */
static int chacha_pass(og_aead *a, unsigned char out[AEAD_PASS_BUF],
                       const unsigned char nonce[12],
                       const unsigned char *src, size_t n)
{
  unsigned char iv[16] = {0}, in[AEAD_PASS_BUF];
  size_t total = n <= AEAD_ONE_PASS ? 64 + ((n + 63) & ~(size_t)63) : 64;
  int len = 0, ok;
  memcpy(iv + 4, nonce, 12); /* block counter 0, little-endian, then nonce */
  memset(in, 0, total);
  if(n && n <= AEAD_ONE_PASS)
    memcpy(in + 64, src, n);
  ok = EVP_EncryptInit_ex2(a->ctx, NULL, NULL, iv, NULL) == 1 &&
       EVP_EncryptUpdate(a->ctx, out, &len, in, (int)total) == 1;
  og_wipe(in, total); /* a plaintext when sealing */
  return ok;
}

/* The rest of chacha_pass for n bytes of src into dst: what the one pass
 * already made (in out), or the context continued from block 1. */
static int chacha_rest(og_aead *a, unsigned char *dst,
                       const unsigned char out[AEAD_PASS_BUF],
                       const unsigned char *src, size_t n)
{
  int len = 0;
  if(n > AEAD_ONE_PASS)
    return EVP_EncryptUpdate(a->ctx, dst, &len, src, (int)n) == 1;
  if(n)
    memcpy(dst, out + 64, n);
  return 1;
}

static og_result aead_args(og_aead *a, const unsigned char *nonce,
                           const unsigned char *tag, const unsigned char *in,
                           const unsigned char *out, size_t n,
                           const unsigned char *aad, size_t aad_len,
                           og_err *err)
{
  if(!a || !nonce || !tag || (!in && n) || (!out && n) || (!aad && aad_len))
    return og_fail(err, OG_E_USAGE, "AEAD: missing argument");
  if(n > INT_MAX - 64 || aad_len > INT_MAX)
    return og_fail(err, OG_E_TOO_LARGE, "AEAD input too large");
  return OG_OK;
}

og_result og_aead_open(og_aead *a, unsigned char *pt,
                       const unsigned char nonce[12],
                       const unsigned char *aad, size_t aad_len,
                       const unsigned char *ct, size_t ct_len,
                       const unsigned char tag[16], og_err *err)
{
  unsigned char out[AEAD_PASS_BUF];
  int ok;
  og_result r = aead_args(a, nonce, tag, ct, pt, ct_len, aad, aad_len, err);
  if(r)
    return r;
  /* the tag is checked over ct before any plaintext reaches pt */
  ok = chacha_pass(a, out, nonce, ct, ct_len) &&
       poly_ok(a, out, aad, aad_len, ct, ct_len, tag, NULL) &&
       chacha_rest(a, pt, out, ct, ct_len);
  og_wipe(out, ct_len <= AEAD_ONE_PASS ? 64 + ct_len : 64);
  if(!ok)
    return og_fail(err, OG_E_CRYPTO, "AEAD authentication failed");
  return OG_OK;
}

og_result og_aead_seal(og_aead *a, unsigned char *ct, unsigned char tag[16],
                       const unsigned char nonce[12],
                       const unsigned char *aad, size_t aad_len,
                       const unsigned char *pt, size_t pt_len, og_err *err)
{
  unsigned char out[AEAD_PASS_BUF];
  int ok;
  og_result r = aead_args(a, nonce, tag, pt, ct, pt_len, aad, aad_len, err);
  if(r)
    return r;
  ok = chacha_pass(a, out, nonce, pt, pt_len) &&
       chacha_rest(a, ct, out, pt, pt_len) &&
       poly_ok(a, out, aad, aad_len, ct, pt_len, NULL, tag);
  og_wipe(out, pt_len <= AEAD_ONE_PASS ? 64 + pt_len : 64);
  if(!ok)
    return og_fail(err, OG_E_CRYPTO, "AEAD encryption failed");
  return OG_OK;
}

void og_aead_free(og_aead *a)
{
  if(!a)
    return;
  EVP_CIPHER_CTX_free(a->ctx); /* OpenSSL cleanses the key schedule */
  EVP_MAC_CTX_free(a->mac);
  EVP_CIPHER_free(a->chacha);
  EVP_MAC_free(a->poly);
  free(a);
}
