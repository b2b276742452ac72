/* Known answers for the Nitro attestation verifier with the real document
 * og-evm ships (tests/vectors/nitro/): at 2026-02-12T18:00:00Z its
 * signature and chain hold and its fields are exact; a flipped byte in
 * the signature or the payload, a later time and another root each fail;
 * malformed input is a parse error, never a crash. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "opengradient/og_attest.h"
#include "opengradient/og_hex.h"

#define AT_18H 1770919200 /* 2026-02-12T18:00:00Z */

static unsigned char doc[OG_ATTEST_MAX_DOC];
static size_t doc_len;

static int setup(void **state)
{
  char *txt;
  size_t n;
  og_err err;
  (void)state;
  txt = tu_read_file(OG_VECTORS_DIR "/nitro/attestation_og_evm.b64", &n);
  if(!txt)
    return -1;
  if(og_attest_decode_text(doc, &doc_len, (unsigned char *)txt, n, &err) !=
     OG_OK) {
    free(txt);
    return -1;
  }
  free(txt);
  return 0;
}

static void hex_is(const unsigned char *b, size_t n, const char *want)
{
  char h[2 * OG_ATTEST_MAX_FIELD + 1];
  assert_true(n <= OG_ATTEST_MAX_FIELD);
  og_hex_encode(h, b, n);
  assert_string_equal(h, want);
}

static void test_real_document(void **state)
{
  og_attest_doc d;
  og_err err;
  char ph[67];
  (void)state;
  assert_int_equal(doc_len, 4556);
  assert_int_equal(og_attest_verify(&d, doc, doc_len, NULL, AT_18H, &err),
                   OG_OK);
  assert_true(d.signature_ok);
  assert_true(d.chain_ok);
  assert_string_equal(d.module_id, "i-0340e0cb833504eb6-enc019c12d31f78864d");
  assert_true(d.timestamp_ms == 1770918962724ULL);
  hex_is(d.pcrs[0], d.pcr_len[0],
         "9baef83909784e4d2cb84466c02931bb8125e948b62029029e80bfa1698bfd70"
         "69408e4ab20d1c99c859e8f774cce0ff");
  hex_is(d.pcrs[1], d.pcr_len[1],
         "4b4d5b3661b3efc12920900c80e126e4ce783c522de6c02a2a5bf7af3a2b9327"
         "b86776f188e4be1c1c404a129dbda493");
  hex_is(d.pcrs[2], d.pcr_len[2],
         "769925c8ae0c5c2d1aa86de149213b1c5dec642557bf0c426c6581f0e562a042"
         "d1c7d2578443515d103f74ce55337666");
  og_bytes32_to_hex(ph, &d.pcr_hash);
  assert_string_equal(
    ph, "0x8082af22571613eabd5dad9c7e857c4f16154ded3d387386d8193b53906f6a24");
  assert_true(d.has_nonce);
  hex_is(d.nonce, d.nonce_len, "0123456789abcdef0123456789abcdef01234567");
  assert_true(d.has_user_data);
  hex_is(d.user_data, d.user_data_len,
         "1220b735546536e78ee12beea2d384fcda35f7491446c6858f79fa7ad5e4ae89b4"
         "9f1220abf9d7453422eb419fc1391604b070a81bd6a61f4d9ae0ee71ab24d77670"
         "c154");
  /* the leaf is valid 17:55:59 to 20:56:02 that day */
  assert_true(d.leaf_not_before <= AT_18H && d.leaf_not_after > AT_18H);
  /* 0 = at the document's own timestamp */
  assert_int_equal(og_attest_verify(&d, doc, doc_len, NULL, 0, &err), OG_OK);
  assert_true(d.signature_ok && d.chain_ok);
}

static void test_binding(void **state)
{
  og_attest_doc d;
  og_err err;
  og_bytes32 tls, key;
  int t = -1, k = -1;
  (void)state;
  assert_int_equal(og_attest_verify(&d, doc, doc_len, NULL, AT_18H, &err),
                   OG_OK);
  memcpy(tls.b, d.user_data + 2, 32);
  memcpy(key.b, d.user_data + 36, 32);
  og_attest_check_binding(&d, &tls, &key, &t, &k);
  assert_int_equal(t, 1);
  assert_int_equal(k, 1);
  key.b[31] ^= 1;
  og_attest_check_binding(&d, &key, &key, &t, &k);
  assert_int_equal(t, 0);
  assert_int_equal(k, 0);
}

static void test_flipped_signature(void **state)
{
  og_attest_doc d;
  og_err err;
  unsigned char *c = malloc(doc_len);
  (void)state;
  memcpy(c, doc, doc_len);
  c[doc_len - 1] ^= 0x01; /* the signature is the last item */
  assert_int_equal(og_attest_verify(&d, c, doc_len, NULL, AT_18H, &err), OG_OK);
  assert_false(d.signature_ok);
  assert_true(d.chain_ok);
  c[doc_len - 1] ^= 0x01;
  c[doc_len - 60] ^= 0x80;
  assert_int_equal(og_attest_verify(&d, c, doc_len, NULL, AT_18H, &err), OG_OK);
  assert_false(d.signature_ok);
  free(c);
}

static void test_flipped_payload(void **state)
{
  og_attest_doc d;
  og_err err;
  unsigned char *c = malloc(doc_len);
  unsigned char *m;
  (void)state;
  memcpy(c, doc, doc_len);
  m = memmem(c, doc_len, "i-0340e0cb", 10);
  assert_non_null(m);
  m[2] ^= 0x01; /* '0' -> '1': still text */
  assert_int_equal(og_attest_verify(&d, c, doc_len, NULL, AT_18H, &err), OG_OK);
  assert_false(d.signature_ok);
  assert_string_equal(d.module_id, "i-1340e0cb833504eb6-enc019c12d31f78864d");
  free(c);
}

static void test_later_time(void **state)
{
  og_attest_doc d;
  og_err err;
  (void)state;
  assert_int_equal(
    og_attest_verify(&d, doc, doc_len, NULL, AT_18H + 86400, &err), OG_OK);
  assert_true(d.signature_ok);
  assert_false(d.chain_ok);
  assert_true(strstr(d.chain_error, "expired") != NULL);
  /* and before the leaf was made */
  assert_int_equal(
    og_attest_verify(&d, doc, doc_len, NULL, AT_18H - 3600, &err), OG_OK);
  assert_false(d.chain_ok);
}

/* A self-signed P-384 root with the AWS root's very name. */
static char *other_root_pem(void)
{
  EVP_PKEY *k = EVP_EC_gen("P-384");
  X509 *x = X509_new();
  X509_NAME *n;
  BIO *b = BIO_new(BIO_s_mem());
  char *p, *out;
  long len;
  assert_non_null(k);
  assert_non_null(x);
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -86400L * 3650);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 3650 * 3);
  X509_set_pubkey(x, k);
  n = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (unsigned char *)"US", -1, -1, 0);
  X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (unsigned char *)"Amazon", -1, -1, 0);
  X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_ASC, (unsigned char *)"AWS", -1, -1, 0);
  X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                             (unsigned char *)"aws.nitro-enclaves", -1, -1, 0);
  X509_set_issuer_name(x, n);
  assert_true(X509_sign(x, k, EVP_sha384()) > 0);
  PEM_write_bio_X509(b, x);
  len = BIO_get_mem_data(b, &p);
  out = malloc((size_t)len + 1);
  memcpy(out, p, (size_t)len);
  out[len] = '\0';
  BIO_free(b);
  X509_free(x);
  EVP_PKEY_free(k);
  return out;
}

static void test_other_root(void **state)
{
  og_attest_doc d;
  og_err err;
  char *pem = other_root_pem();
  char *aws;
  size_t n;
  (void)state;
  assert_int_equal(og_attest_verify(&d, doc, doc_len, pem, AT_18H, &err), OG_OK);
  assert_true(d.signature_ok);
  assert_false(d.chain_ok);
  free(pem);
  /* the same root given as a file verifies */
  aws = tu_read_file(OG_VECTORS_DIR "/nitro/aws_nitro_root_g1.pem", &n);
  assert_non_null(aws);
  assert_int_equal(og_attest_verify(&d, doc, doc_len, aws, AT_18H, &err), OG_OK);
  assert_true(d.chain_ok);
  free(aws);
  assert_int_equal(og_attest_verify(&d, doc, doc_len, "not a pem", AT_18H, &err),
                   OG_E_USAGE);
}

static void test_malformed(void **state)
{
  og_attest_doc d;
  og_err err;
  unsigned char buf[OG_ATTEST_MAX_DOC];
  size_t n, i;
  (void)state;
  /* every truncation is a parse error */
  for(i = 0; i < doc_len; i += 97)
    assert_int_equal(og_attest_verify(&d, doc, i, NULL, AT_18H, &err),
                     OG_E_PARSE);
  /* trailing bytes */
  memcpy(buf, doc, doc_len);
  buf[doc_len] = 0;
  assert_int_equal(og_attest_verify(&d, buf, doc_len + 1, NULL, AT_18H, &err),
                   OG_E_PARSE);
  /* container counts far beyond the input are refused before libcbor
   * allocates for them (an array of 2^32 items, a map of 2^31 pairs) */
  assert_int_equal(og_attest_verify(&d, (const unsigned char *)
                                    "\x9b\x00\x00\x00\x01\x00\x00\x00\x00",
                                    9, NULL, AT_18H, &err),
                   OG_E_PARSE);
  assert_int_equal(og_attest_verify(&d, (const unsigned char *)
                                    "\x84\x40\xba\x80\x00\x00\x00\x40\x40",
                                    9, NULL, AT_18H, &err),
                   OG_E_PARSE);
  /* a CBOR array of 4 integers */
  assert_int_equal(og_attest_verify(&d, (const unsigned char *)"\x84\x01\x02\x03\x04",
                                    5, NULL, AT_18H, &err),
                   OG_E_PARSE);
  /* over the cap */
  {
    unsigned char *big = calloc(1, OG_ATTEST_MAX_DOC + 1);
    assert_int_equal(og_attest_verify(&d, big, OG_ATTEST_MAX_DOC + 1, NULL,
                                      AT_18H, &err),
                     OG_E_TOO_LARGE);
    free(big);
  }
  assert_int_equal(og_attest_decode_text(buf, &n, (const unsigned char *)"  \n", 3,
                                         &err),
                   OG_E_PARSE);
  assert_int_equal(og_attest_decode_text(buf, &n, (const unsigned char *)"QUJD=A==",
                                         8, &err),
                   OG_E_PARSE);
  /* raw CBOR passes through decode_text as is */
  assert_int_equal(og_attest_decode_text(buf, &n, doc, doc_len, &err), OG_OK);
  assert_int_equal(n, doc_len);
  assert_memory_equal(buf, doc, doc_len);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_real_document),
    cmocka_unit_test(test_binding),
    cmocka_unit_test(test_flipped_signature),
    cmocka_unit_test(test_flipped_payload),
    cmocka_unit_test(test_later_time),
    cmocka_unit_test(test_other_root),
    cmocka_unit_test(test_malformed),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
