/* Known answers for HPKE base mode, DHKEM(X25519, HKDF-SHA256),
 * HKDF-SHA256, ChaCha20-Poly1305: RFC 9180 Appendix A.2.1. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "opengradient/og_hpke.h"

static unsigned char *hx(const json_t *o, const char *k, size_t *n)
{
  return tu_hex(tu_str(o, k), n);
}

static void test_rfc9180_a2(void **state)
{
  json_t *v = tu_load_vectors("hpke_rfc9180_a2.json"), *c;
  size_t n, info_len, i;
  unsigned char *ikmE = hx(v, "ikmE", &n), *ikmR, *pkRm, *skRm, *skEm, *pkEm;
  unsigned char *info = hx(v, "info", &info_len), *enc_exp;
  unsigned char sk[32], pk[32], enc[32];
  og_hpke_ctx s, r;
  og_err err;
  (void)state;
  assert_int_equal(json_integer_value(json_object_get(v, "kem_id")), 0x20);
  assert_int_equal(json_integer_value(json_object_get(v, "aead_id")), 3);
  ikmR = hx(v, "ikmR", &n);
  pkRm = hx(v, "pkRm", &n);
  skRm = hx(v, "skRm", &n);
  skEm = hx(v, "skEm", &n);
  pkEm = hx(v, "pkEm", &n);
  enc_exp = hx(v, "enc", &n);
  /* DeriveKeyPair for both sides */
  assert_int_equal(og_hpke_derive_keypair(sk, pk, ikmR, 32, &err), OG_OK);
  assert_memory_equal(sk, skRm, 32);
  assert_memory_equal(pk, pkRm, 32);
  assert_int_equal(og_hpke_derive_keypair(sk, pk, ikmE, 32, &err), OG_OK);
  assert_memory_equal(sk, skEm, 32);
  assert_memory_equal(pk, pkEm, 32);
  /* SetupBaseS with the fixed ephemeral, SetupBaseR with skRm */
  assert_int_equal(og_hpke_setup_base_s(&s, enc, pkRm, info, info_len, ikmE,
                                        &err), OG_OK);
  assert_memory_equal(enc, enc_exp, 32);
  assert_int_equal(og_hpke_setup_base_r(&r, enc, skRm, info, info_len, &err),
                   OG_OK);
  assert_memory_equal(s.key, r.key, 32);
  json_array_foreach(json_object_get(v, "encryptions"), i, c) {
    size_t ptn, aadn, ctn;
    unsigned char *pt = hx(c, "pt", &ptn), *aad = hx(c, "aad", &aadn);
    unsigned char *ct = hx(c, "ct", &ctn);
    unsigned char *out = malloc(ptn + 16), *back = malloc(ptn + 1);
    uint64_t seq = (uint64_t)json_integer_value(
      json_object_get(c, "sequence_number"));
    s.seq = seq;
    r.seq = seq;
    assert_int_equal(ctn, ptn + 16);
    assert_int_equal(og_hpke_seal(&s, out, aad, aadn, pt, ptn, &err), OG_OK);
    assert_memory_equal(out, ct, ctn);
    assert_int_equal(og_hpke_open(&r, back, aad, aadn, ct, ctn, &err), OG_OK);
    assert_memory_equal(back, pt, ptn);
    /* a flipped bit and a wrong aad fail */
    ct[ctn / 2] ^= 1;
    r.seq = seq;
    assert_int_equal(og_hpke_open(&r, back, aad, aadn, ct, ctn, &err),
                     OG_E_CRYPTO);
    ct[ctn / 2] ^= 1;
    r.seq = seq;
    assert_int_equal(og_hpke_open(&r, back, aad, aadn ? aadn - 1 : 0, ct, ctn,
                                  &err), OG_E_CRYPTO);
    free(pt); free(aad); free(ct); free(out); free(back);
  }
  assert_true(i >= 3);
  json_array_foreach(json_object_get(v, "exports"), i, c) {
    size_t cn, en;
    unsigned char *ectx = hx(c, "exporter_context", &cn);
    unsigned char *want = hx(c, "exported_value", &en);
    unsigned char got[64];
    assert_true(en <= sizeof got);
    assert_int_equal(og_hpke_export(&s, got, en, ectx, cn, &err), OG_OK);
    assert_memory_equal(got, want, en);
    assert_int_equal(og_hpke_export(&r, got, en, ectx, cn, &err), OG_OK);
    assert_memory_equal(got, want, en);
    free(ectx); free(want);
  }
  assert_int_equal(i, 3);
  og_hpke_ctx_wipe(&s);
  og_hpke_ctx_wipe(&r);
  free(ikmE); free(ikmR); free(pkRm); free(skRm); free(skEm); free(pkEm);
  free(info); free(enc_exp);
  json_decref(v);
}

static void test_random_roundtrip_and_bad_keys(void **state)
{
  unsigned char sk[32], pk[32], enc[32], ikm[32] = {7};
  unsigned char ct[5 + 16], pt[5];
  unsigned char zero[32] = {0};
  og_hpke_ctx s, r;
  og_err err;
  (void)state;
  assert_int_equal(og_hpke_derive_keypair(sk, pk, ikm, 32, &err), OG_OK);
  assert_int_equal(og_hpke_setup_base_s(&s, enc, pk, NULL, 0, NULL, &err),
                   OG_OK);
  assert_int_equal(og_hpke_seal(&s, ct, NULL, 0,
                                (const unsigned char *)"hello", 5, &err),
                   OG_OK);
  assert_int_equal(og_hpke_setup_base_r(&r, enc, sk, NULL, 0, &err), OG_OK);
  assert_int_equal(og_hpke_open(&r, pt, NULL, 0, ct, sizeof ct, &err), OG_OK);
  assert_memory_equal(pt, "hello", 5);
  /* a low-order (all-zero) public key gives an all-zero DH: refused */
  assert_int_equal(og_hpke_setup_base_s(&s, enc, zero, NULL, 0, NULL, &err),
                   OG_E_CRYPTO);
  /* too short for a tag */
  assert_int_equal(og_chacha20poly1305_open(pt, r.key, r.base_nonce, NULL, 0,
                                            ct, 15, &err), OG_E_CRYPTO);
  og_hpke_ctx_wipe(&s);
  og_hpke_ctx_wipe(&r);
}

/* RFC 5869 test case 1 for the bare HKDF steps. */
/* The stream AEAD (raw ChaCha20 + Poly1305, one pass for short
 * messages) against RFC 8439 section 2.8.2 and, differentially, against
 * OpenSSL's ChaCha20-Poly1305 AEAD at every length around its one-pass
 * limit and block boundaries, in place too; any flipped bit is refused. */
static void test_aead_stream_opener(void **state)
{
  static const char lady[] =
    "Ladies and Gentlemen of the class of '99: If I could offer you only "
    "one tip for the future, sunscreen would be it.";
  static const unsigned char tag8439[16] = {
    0x1a, 0xe1, 0x0b, 0x59, 0x4f, 0x09, 0xe2, 0x6a,
    0x7e, 0x90, 0x2e, 0xcb, 0xd0, 0x60, 0x06, 0x91};
  static const unsigned char aad8439[12] = {
    0x50, 0x51, 0x52, 0x53, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7};
  static const unsigned char nonce8439[12] = {
    0x07, 0, 0, 0, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47};
  unsigned char key[32], nonce[12], aad[20], tag[16], *pt, *ct, *out;
  size_t len, i, alen;
  og_aead *a;
  og_err err;
  (void)state;
  pt = malloc(2100);
  ct = malloc(2100 + 16);
  out = malloc(2100);
  assert_non_null(pt);
  assert_non_null(ct);
  assert_non_null(out);
  for(i = 0; i < 32; i++)
    key[i] = (unsigned char)(0x80 + i);
  /* RFC 8439 2.8.2: OpenSSL's AEAD gives the RFC's tag; ours opens it */
  len = sizeof lady - 1;
  assert_int_equal(og_chacha20poly1305_seal(ct, key, nonce8439, aad8439, 12,
                                            (const unsigned char *)lady, len,
                                            &err), OG_OK);
  assert_memory_equal(ct + len, tag8439, 16);
  assert_int_equal(og_aead_new(&a, key, &err), OG_OK);
  assert_int_equal(og_aead_open(a, out, nonce8439, aad8439, 12, ct, len,
                                tag8439, &err), OG_OK);
  assert_memory_equal(out, lady, len);
  og_aead_free(a);

  for(i = 0; i < 32; i++)
    key[i] = (unsigned char)(i * 7 + 1);
  for(i = 0; i < 12; i++)
    nonce[i] = (unsigned char)(i + 3);
  for(i = 0; i < sizeof aad; i++)
    aad[i] = (unsigned char)(0xa0 + i);
  for(i = 0; i < 2100; i++)
    pt[i] = (unsigned char)(i * 31 + 5);
  assert_int_equal(og_aead_new(&a, key, &err), OG_OK);
  for(len = 0; len <= 2080; len = len < 530 ? len + 1 : len + 61) {
    for(alen = 0; alen <= 17; alen += (alen ? 12 : 5)) {
      nonce[11] = (unsigned char)len;
      assert_int_equal(og_chacha20poly1305_seal(ct, key, nonce, alen ? aad
                                                : NULL, alen, pt, len, &err),
                       OG_OK);
      /* our sealer gives OpenSSL AEAD's bytes */
      assert_int_equal(og_aead_seal(a, out, tag, nonce, alen ? aad : NULL,
                                    alen, pt, len, &err), OG_OK);
      assert_memory_equal(out, ct, len);
      assert_memory_equal(tag, ct + len, 16);
      memset(out, 0, len + 1);
      assert_int_equal(og_aead_open(a, out, nonce, alen ? aad : NULL, alen,
                                    ct, len, ct + len, &err), OG_OK);
      assert_memory_equal(out, pt, len);
      /* a flipped bit anywhere: ciphertext, tag, aad, nonce */
      if(len) {
        ct[len / 2] ^= 0x10;
        assert_int_equal(og_aead_open(a, out, nonce, alen ? aad : NULL, alen,
                                      ct, len, ct + len, &err), OG_E_CRYPTO);
        ct[len / 2] ^= 0x10;
      }
      ct[len + (len % 16)] ^= 0x01;
      assert_int_equal(og_aead_open(a, out, nonce, alen ? aad : NULL, alen,
                                    ct, len, ct + len, &err), OG_E_CRYPTO);
      ct[len + (len % 16)] ^= 0x01;
      if(alen) {
        aad[alen - 1] ^= 0x80;
        assert_int_equal(og_aead_open(a, out, nonce, aad, alen, ct, len,
                                      ct + len, &err), OG_E_CRYPTO);
        aad[alen - 1] ^= 0x80;
      }
      nonce[0] ^= 1;
      assert_int_equal(og_aead_open(a, out, nonce, alen ? aad : NULL, alen,
                                    ct, len, ct + len, &err), OG_E_CRYPTO);
      nonce[0] ^= 1;
      /* in place, as the chunk reader may call it */
      assert_int_equal(og_aead_open(a, ct, nonce, alen ? aad : NULL, alen,
                                    ct, len, ct + len, &err), OG_OK);
      assert_memory_equal(ct, pt, len);
    }
  }
  og_aead_free(a);
  free(pt);
  free(ct);
  free(out);
}

static void test_hkdf_rfc5869(void **state)
{
  size_t n;
  unsigned char *ikm = tu_hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", &n);
  unsigned char *salt = tu_hex("000102030405060708090a0b0c", &n);
  unsigned char *info = tu_hex("f0f1f2f3f4f5f6f7f8f9", &n);
  unsigned char *prk_w = tu_hex(
    "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", &n);
  unsigned char *okm_w = tu_hex(
    "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
    "34007208d5b887185865", &n);
  unsigned char prk[32], okm[42];
  (void)state;
  assert_int_equal(og_hkdf_sha256_extract(prk, salt, 13, ikm, 22, NULL), OG_OK);
  assert_memory_equal(prk, prk_w, 32);
  assert_int_equal(og_hkdf_sha256_expand(okm, 42, prk, info, 10, NULL), OG_OK);
  assert_memory_equal(okm, okm_w, 42);
  free(ikm); free(salt); free(info); free(prk_w); free(okm_w);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rfc9180_a2),
    cmocka_unit_test(test_random_roundtrip_and_bad_keys),
    cmocka_unit_test(test_hkdf_rfc5869),
    cmocka_unit_test(test_aead_stream_opener),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
