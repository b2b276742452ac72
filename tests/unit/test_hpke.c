/* HPKE (RFC 9180 A.2.1 known answers) for the one suite used. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "opengradient/og_hpke.h"

static void test_rfc9180_a2(void **state)
{
  json_t *v = tu_load_vectors("hpke_rfc9180_a2.json");
  size_t n, il, ikl, pkl, skl, encl, i;
  unsigned char sk[32], pk[32], enc[32];
  unsigned char *info = tu_hex(tu_str(v, "info"), &il);
  unsigned char *ikmE = tu_hex(tu_str(v, "ikmE"), &ikl);
  unsigned char *ikmR = tu_hex(tu_str(v, "ikmR"), &n);
  unsigned char *pkRm = tu_hex(tu_str(v, "pkRm"), &pkl);
  unsigned char *skRm = tu_hex(tu_str(v, "skRm"), &skl);
  unsigned char *skEm = tu_hex(tu_str(v, "skEm"), &n);
  unsigned char *encv = tu_hex(tu_str(v, "enc"), &encl);
  og_hpke_ctx s, r;
  json_t *e;
  (void)state;
  assert_int_equal(json_integer_value(json_object_get(v, "kem_id")), 0x20);
  assert_int_equal(json_integer_value(json_object_get(v, "aead_id")), 3);
  /* DeriveKeyPair */
  assert_int_equal(og_hpke_derive_keypair(sk, pk, ikmR, 32, NULL), OG_OK);
  assert_memory_equal(sk, skRm, 32);
  assert_memory_equal(pk, pkRm, 32);
  assert_int_equal(og_hpke_derive_keypair(sk, pk, ikmE, ikl, NULL), OG_OK);
  assert_memory_equal(sk, skEm, 32);
  /* sender and recipient */
  assert_int_equal(og_hpke_setup_base_s(&s, enc, pkRm, info, il, ikmE, ikl,
                                        NULL), OG_OK);
  assert_memory_equal(enc, encv, 32);
  assert_int_equal(og_hpke_setup_base_r(&r, enc, skRm, info, il, NULL), OG_OK);
  assert_memory_equal(s.key, r.key, 32);
  json_array_foreach(json_object_get(v, "encryptions"), i, e) {
    size_t ptl, aadl, ctl;
    unsigned char *pt = tu_hex(tu_str(e, "pt"), &ptl);
    unsigned char *aad = tu_hex(tu_str(e, "aad"), &aadl);
    unsigned char *ct = tu_hex(tu_str(e, "ct"), &ctl);
    unsigned char out[256], back[256];
    uint64_t seq = (uint64_t)json_integer_value(
      json_object_get(e, "sequence_number"));
    og_err err;
    s.seq = seq;
    r.seq = seq;
    assert_int_equal(ctl, ptl + 16);
    assert_int_equal(og_hpke_seal(&s, out, aad, aadl, pt, ptl, NULL), OG_OK);
    assert_memory_equal(out, ct, ctl);
    assert_int_equal(og_hpke_open(&r, back, aad, aadl, ct, ctl, NULL), OG_OK);
    assert_memory_equal(back, pt, ptl);
    assert_int_equal(r.seq, seq + 1);
    /* one flipped bit anywhere, or a wrong aad: refused */
    r.seq = seq;
    ct[ctl - 1] ^= 1;
    assert_int_equal(og_hpke_open(&r, back, aad, aadl, ct, ctl, &err),
                     OG_E_VERIFY);
    ct[ctl - 1] ^= 1;
    ct[0] ^= 0x80;
    assert_int_equal(og_hpke_open(&r, back, aad, aadl, ct, ctl, NULL),
                     OG_E_VERIFY);
    ct[0] ^= 0x80;
    assert_int_equal(og_hpke_open(&r, back, NULL, 0, ct, ctl, NULL),
                     OG_E_VERIFY);
    /* wrong sequence number */
    r.seq = seq + 1;
    assert_int_equal(og_hpke_open(&r, back, aad, aadl, ct, ctl, NULL),
                     OG_E_VERIFY);
    assert_int_equal(og_hpke_open(&r, back, aad, aadl, ct, 15, NULL),
                     OG_E_USAGE);
    free(pt);
    free(aad);
    free(ct);
  }
  json_array_foreach(json_object_get(v, "exports"), i, e) {
    size_t cl, xl;
    unsigned char *c = tu_hex(tu_str(e, "exporter_context"), &cl);
    unsigned char *x = tu_hex(tu_str(e, "exported_value"), &xl);
    unsigned char out[64];
    assert_int_equal(og_hpke_export(&s, out, xl, c, cl, NULL), OG_OK);
    assert_memory_equal(out, x, xl);
    assert_int_equal(og_hpke_export(&r, out, xl, c, cl, NULL), OG_OK);
    assert_memory_equal(out, x, xl);
    free(c);
    free(x);
  }
  og_hpke_ctx_wipe(&s);
  og_hpke_ctx_wipe(&r);
  free(info); free(ikmE); free(ikmR); free(pkRm); free(skRm); free(skEm);
  free(encv);
  json_decref(v);
}

static void test_random_and_bad_keys(void **state)
{
  unsigned char sk[32], pk[32], enc[32], enc2[32], ikm[32] = {7};
  unsigned char zero_pk[32] = {0};
  og_hpke_ctx s, r;
  og_err err;
  unsigned char ct[5 + 16], pt[5];
  (void)state;
  assert_int_equal(og_hpke_derive_keypair(sk, pk, ikm, 32, NULL), OG_OK);
  assert_int_equal(og_hpke_setup_base_s(&s, enc, pk, NULL, 0, NULL, 0, NULL),
                   OG_OK);
  assert_int_equal(og_hpke_setup_base_s(&s, enc2, pk, NULL, 0, NULL, 0, NULL),
                   OG_OK);
  assert_memory_not_equal(enc, enc2, 32); /* fresh ephemeral each time */
  assert_int_equal(og_hpke_seal(&s, ct, NULL, 0, (const unsigned char *)"hello",
                                5, NULL), OG_OK);
  assert_int_equal(og_hpke_setup_base_r(&r, enc2, sk, NULL, 0, NULL), OG_OK);
  assert_int_equal(og_hpke_open(&r, pt, NULL, 0, ct, sizeof(ct), NULL), OG_OK);
  assert_memory_equal(pt, "hello", 5);
  /* a low-order public key gives an all-zero secret: refused */
  assert_int_equal(og_hpke_setup_base_s(&s, enc, zero_pk, NULL, 0, NULL, 0,
                                        &err), OG_E_CRYPTO);
  assert_non_null(strstr(err.msg, "X25519"));
  og_hpke_ctx_wipe(&s);
  og_hpke_ctx_wipe(&r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rfc9180_a2),
    cmocka_unit_test(test_random_and_bad_keys),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
