/*
 * AWS Nitro attestation documents: COSE_Sign1 parsed with libcbor,
 * ES384 and the certificate chain verified with OpenSSL (og_attest.h).
 */
#include <ctype.h>
#include <limits.h>
#include <string.h>
#include <time.h>

#include <cbor.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "opengradient/og_attest.h"
#include "opengradient/og_hex.h"
#include "opengradient/og_keccak.h"

/* The AWS Nitro Enclaves root G1 (as og-evm embeds it). */
static const char nitro_root_g1_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIICETCCAZagAwIBAgIRAPkxdWgbkK/hHUbMtOTn+FYwCgYIKoZIzj0EAwMwSTEL\n"
  "MAkGA1UEBhMCVVMxDzANBgNVBAoMBkFtYXpvbjEMMAoGA1UECwwDQVdTMRswGQYD\n"
  "VQQDDBJhd3Mubml0cm8tZW5jbGF2ZXMwHhcNMTkxMDI4MTMyODA1WhcNNDkxMDI4\n"
  "MTQyODA1WjBJMQswCQYDVQQGEwJVUzEPMA0GA1UECgwGQW1hem9uMQwwCgYDVQQL\n"
  "DANBV1MxGzAZBgNVBAMMEmF3cy5uaXRyby1lbmNsYXZlczB2MBAGByqGSM49AgEG\n"
  "BSuBBAAiA2IABPwCVOumCMHzaHDimtqQvkY4MpJzbolL//Zy2YlES1BR5TSksfbb\n"
  "48C8WBoyt7F2Bw7eEtaaP+ohG2bnUs990d0JX28TcPQXCEPZ3BABIeTPYwEoCWZE\n"
  "h8l5YoQwTcU/9KNCMEAwDwYDVR0TAQH/BAUwAwEB/zAdBgNVHQ4EFgQUkCW1DdkF\n"
  "R+eWw5b6cp3PmanfS5YwDgYDVR0PAQH/BAQDAgGGMAoGCCqGSM49BAMDA2kAMGYC\n"
  "MQCjfy+Rocm9Xue4YnwWmNJVA44fA0P5W2OpYow9OYCVRaEevL8uO1XYru5xtMPW\n"
  "rfMCMQCi85sWBbJwKKXdS6BptQFuZbT73o/gBh1qUxl/nNr12UO8Yfwr6wPLb+6N\n"
  "IwLz3/Y=\n"
  "-----END CERTIFICATE-----\n"
;

static const unsigned char nitro_root_g1_sha256[32] = {
  0x64, 0x1A, 0x03, 0x21, 0xA3, 0xE2, 0x44, 0xEF, 0xE4, 0x56, 0x46, 0x31,
  0x95, 0xD6, 0x06, 0x31, 0x7E, 0xD7, 0xCD, 0xCC, 0x3C, 0x17, 0x56, 0xE0,
  0x98, 0x93, 0xF3, 0xC6, 0x8F, 0x79, 0xBB, 0x5B};

#define MAX_BUNDLE 8

static int is_b64(unsigned char c)
{
  return isalnum(c) || c == '+' || c == '/' || c == '=';
}

og_result og_attest_decode_text(unsigned char *out, size_t *outlen,
                                const unsigned char *in, size_t inlen,
                                og_err *err)
{
  size_t i, n = 0, s = 0, e = inlen;
  char *txt;
  og_result r;
  *outlen = 0;
  if(!in || !inlen)
    return og_fail(err, OG_E_PARSE, "attestation document is empty");
  if(inlen > 2 * (size_t)OG_ATTEST_MAX_DOC)
    return og_fail(err, OG_E_TOO_LARGE,
                   "attestation document is larger than %d bytes",
                   OG_ATTEST_MAX_DOC);
  while(s < e && isspace(in[s]))
    s++;
  while(e > s && isspace(in[e - 1]))
    e--;
  if(s == e)
    return og_fail(err, OG_E_PARSE, "attestation document is empty");
  for(i = s; i < e; i++)
    if(!is_b64(in[i]) && !isspace(in[i]))
      break;
  if(i < e) { /* not base64 text: raw CBOR as given */
    if(inlen > OG_ATTEST_MAX_DOC)
      return og_fail(err, OG_E_TOO_LARGE,
                     "attestation document is larger than %d bytes",
                     OG_ATTEST_MAX_DOC);
    memcpy(out, in, inlen);
    *outlen = inlen;
    return OG_OK;
  }
  txt = malloc(e - s + 1);
  if(!txt)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  for(i = s; i < e; i++)
    if(!isspace(in[i]))
      txt[n++] = (char)in[i];
  txt[n] = '\0';
  if(n / 4 * 3 > OG_ATTEST_MAX_DOC + 2) {
    free(txt);
    return og_fail(err, OG_E_TOO_LARGE,
                   "attestation document is larger than %d bytes",
                   OG_ATTEST_MAX_DOC);
  }
  r = og_base64_decode(out, OG_ATTEST_MAX_DOC, outlen, txt, n);
  free(txt);
  if(r != OG_OK) {
    *outlen = 0;
    return og_fail(err, OG_E_PARSE,
                   "attestation document is neither base64 nor CBOR");
  }
  return OG_OK;
}


/* libcbor 0.8's cbor_load allocates a definite array or map for the count
 * its header declares before reading any item, so a few hostile bytes
 * could ask for gigabytes. A pass of libcbor's own streaming decoder
 * first: every item takes at least one byte, so the counts declared by
 * all containers together cannot exceed the input's length. */
struct size_scan {
  size_t budget;
  int bad;
};

static void scan_array(void *ctx, size_t n)
{
  struct size_scan *s = ctx;
  if(n > s->budget)
    s->bad = 1;
  else
    s->budget -= n;
}

static void scan_map(void *ctx, size_t n)
{
  struct size_scan *s = ctx;
  if(n > s->budget / 2)
    s->bad = 1;
  else
    s->budget -= 2 * n;
}

static int cbor_counts_fit(const unsigned char *p, size_t len)
{
  struct cbor_callbacks cb = cbor_empty_callbacks;
  struct size_scan s;
  size_t pos = 0;
  s.budget = len;
  s.bad = 0;
  cb.array_start = scan_array;
  cb.map_start = scan_map;
  while(pos < len && !s.bad) {
    struct cbor_decoder_result d = cbor_stream_decode(p + pos, len - pos,
                                                      &cb, &s);
    if(d.status != CBOR_DECODER_FINISHED || d.read == 0)
      return 0;
    pos += d.read;
  }
  return !s.bad;
}

/* cbor_load behind the count check; NULL when either refuses. */
static cbor_item_t *load_checked(const unsigned char *p, size_t len,
                                 struct cbor_load_result *lr)
{
  memset(lr, 0, sizeof(*lr));
  if(!cbor_counts_fit(p, len))
    return NULL;
  return cbor_load(p, len, lr);
}

/* ---- CBOR helpers (libcbor items; no ownership taken) ---- */

static int bstr(const cbor_item_t *it, const unsigned char **p, size_t *n)
{
  if(!it || !cbor_isa_bytestring(it) || !cbor_bytestring_is_definite(it))
    return 0;
  *p = cbor_bytestring_handle(it);
  *n = cbor_bytestring_length(it);
  if(!*p && *n)
    return 0;
  return 1;
}

static int tstr_eq(const cbor_item_t *it, const char *s)
{
  size_t n = strlen(s);
  return it && cbor_isa_string(it) && cbor_string_is_definite(it) &&
         cbor_string_length(it) == n &&
         (n == 0 || memcmp(cbor_string_handle(it), s, n) == 0);
}

static int uint_val(const cbor_item_t *it, uint64_t *v)
{
  if(!it || !cbor_isa_uint(it))
    return 0;
  *v = cbor_get_int(it);
  return 1;
}

/* A bstr or null field copied into out (cap OG_ATTEST_MAX_FIELD). */
static int opt_field(const cbor_item_t *it, unsigned char *out, size_t *len,
                     int *has)
{
  const unsigned char *p;
  size_t n;
  if(cbor_is_null(it)) {
    *has = 0;
    return 1;
  }
  if(!bstr(it, &p, &n) || n > OG_ATTEST_MAX_FIELD)
    return 0;
  if(n)
    memcpy(out, p, n);
  *len = n;
  *has = 1;
  return 1;
}

struct parsed {
  const unsigned char *protected_hdr, *payload, *sig;
  size_t protected_len, payload_len, sig_len;
  const unsigned char *cert;
  size_t cert_len;
  const unsigned char *bundle[MAX_BUNDLE];
  size_t bundle_len[MAX_BUNDLE];
  size_t nbundle;
};

static og_result parse_payload(og_attest_doc *out, struct parsed *pp,
                               const cbor_item_t *map, og_err *err)
{
  struct cbor_pair *pairs;
  size_t i, n;
  unsigned seen = 0;
  int have_pcr[3] = {0, 0, 0};
  if(!cbor_isa_map(map))
    return og_fail(err, OG_E_PARSE, "attestation payload is not a CBOR map");
  pairs = cbor_map_handle(map);
  n = cbor_map_size(map);
  for(i = 0; i < n; i++) {
    const cbor_item_t *k = pairs[i].key, *v = pairs[i].value;
    unsigned bit;
    if(!k || !v || !cbor_isa_string(k))
      return og_fail(err, OG_E_PARSE, "attestation payload has a non-text key");
    if(tstr_eq(k, "module_id")) {
      size_t len;
      bit = 1;
      if(!cbor_isa_string(v) || !cbor_string_is_definite(v))
        return og_fail(err, OG_E_PARSE, "attestation module_id is not text");
      len = cbor_string_length(v);
      if(len == 0 || len >= sizeof(out->module_id))
        return og_fail(err, OG_E_PARSE, "attestation module_id has a bad length");
      memcpy(out->module_id, cbor_string_handle(v), len);
      out->module_id[len] = '\0';
      if(memchr(out->module_id, '\0', len))
        return og_fail(err, OG_E_PARSE, "attestation module_id holds a NUL");
    }
    else if(tstr_eq(k, "digest")) {
      bit = 2;
      if(!tstr_eq(v, "SHA384"))
        return og_fail(err, OG_E_PARSE, "attestation digest is not SHA384");
    }
    else if(tstr_eq(k, "timestamp")) {
      bit = 4;
      if(!uint_val(v, &out->timestamp_ms) || out->timestamp_ms == 0 ||
         out->timestamp_ms > (uint64_t)INT64_MAX / 2)
        return og_fail(err, OG_E_PARSE, "attestation timestamp is not valid");
    }
    else if(tstr_eq(k, "pcrs")) {
      struct cbor_pair *pc;
      size_t j, m;
      bit = 8;
      if(!cbor_isa_map(v))
        return og_fail(err, OG_E_PARSE, "attestation pcrs is not a map");
      pc = cbor_map_handle(v);
      m = cbor_map_size(v);
      if(m > 32)
        return og_fail(err, OG_E_PARSE, "attestation has too many PCRs");
      for(j = 0; j < m; j++) {
        uint64_t idx;
        const unsigned char *p;
        size_t len;
        if(!uint_val(pc[j].key, &idx) || idx > 31 ||
           !bstr(pc[j].value, &p, &len) || len == 0 || len > OG_ATTEST_MAX_PCR)
          return og_fail(err, OG_E_PARSE, "attestation has a malformed PCR");
        if(idx < 3) {
          if(have_pcr[idx])
            return og_fail(err, OG_E_PARSE, "attestation repeats PCR%u",
                           (unsigned)idx);
          have_pcr[idx] = 1;
          memcpy(out->pcrs[idx], p, len);
          out->pcr_len[idx] = len;
        }
      }
    }
    else if(tstr_eq(k, "certificate")) {
      bit = 16;
      if(!bstr(v, &pp->cert, &pp->cert_len) || pp->cert_len == 0)
        return og_fail(err, OG_E_PARSE, "attestation certificate is not bytes");
    }
    else if(tstr_eq(k, "cabundle")) {
      cbor_item_t **items;
      size_t j, m;
      bit = 32;
      if(!cbor_isa_array(v))
        return og_fail(err, OG_E_PARSE, "attestation cabundle is not an array");
      m = cbor_array_size(v);
      if(m == 0 || m > MAX_BUNDLE)
        return og_fail(err, OG_E_PARSE,
                       "attestation cabundle has %zu certificates", m);
      items = cbor_array_handle(v);
      for(j = 0; j < m; j++)
        if(!bstr(items[j], &pp->bundle[j], &pp->bundle_len[j]) ||
           pp->bundle_len[j] == 0)
          return og_fail(err, OG_E_PARSE,
                         "attestation cabundle entry is not bytes");
      pp->nbundle = m;
    }
    else if(tstr_eq(k, "user_data")) {
      bit = 64;
      if(!opt_field(v, out->user_data, &out->user_data_len,
                    &out->has_user_data))
        return og_fail(err, OG_E_PARSE, "attestation user_data is malformed");
    }
    else if(tstr_eq(k, "nonce")) {
      bit = 128;
      if(!opt_field(v, out->nonce, &out->nonce_len, &out->has_nonce))
        return og_fail(err, OG_E_PARSE, "attestation nonce is malformed");
    }
    else
      continue; /* public_key and anything newer: not used */
    if(seen & bit)
      return og_fail(err, OG_E_PARSE, "attestation payload repeats a key");
    seen |= bit;
  }
  if((seen & 63) != 63 || !have_pcr[0] || !have_pcr[1] || !have_pcr[2])
    return og_fail(err, OG_E_PARSE,
                   "attestation payload lacks a required field");
  return OG_OK;
}

/* ---- verification ---- */

static X509 *der_cert(const unsigned char *p, size_t n)
{
  const unsigned char *q = p;
  X509 *x;
  if(n > LONG_MAX)
    return NULL;
  x = d2i_X509(NULL, &q, (long)n);
  if(x && q != p + n) {
    X509_free(x);
    return NULL;
  }
  return x;
}

static int64_t asn1_unix(const ASN1_TIME *t)
{
  struct tm tm;
  if(!t || !ASN1_TIME_to_tm(t, &tm))
    return 0;
  return (int64_t)timegm(&tm);
}

static og_result load_root(X509 **root, const char *root_pem, og_err *err)
{
  BIO *bio;
  const char *pem = root_pem ? root_pem : nitro_root_g1_pem;
  *root = NULL;
  bio = BIO_new_mem_buf(pem, -1);
  if(!bio)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  *root = PEM_read_bio_X509(bio, NULL, NULL, NULL);
  BIO_free(bio);
  if(!*root)
    return og_fail(err, root_pem ? OG_E_USAGE : OG_E_INTERNAL,
                   "the attestation root is not a PEM certificate");
  if(!root_pem) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if(!X509_digest(*root, EVP_sha256(), md, &mdlen) || mdlen != 32 ||
       memcmp(md, nitro_root_g1_sha256, 32) != 0) {
      X509_free(*root);
      *root = NULL;
      return og_fail(err, OG_E_INTERNAL,
                     "the built-in AWS Nitro root does not have its "
                     "known fingerprint");
    }
  }
  return OG_OK;
}

static void check_signature(og_attest_doc *out, const struct parsed *pp,
                            X509 *leaf)
{
  cbor_item_t *hdr = NULL, *arr = NULL;
  struct cbor_load_result lr;
  unsigned char *tbs = NULL, *der = NULL;
  size_t tbs_cap = 0, tbs_len;
  EVP_PKEY *key;
  EVP_MD_CTX *md = NULL;
  ECDSA_SIG *sig = NULL;
  BIGNUM *r = NULL, *s = NULL;
  char group[32];
  size_t glen = 0;
  int derlen, alg_ok = 0;
  static const unsigned char empty[1] = {0};
  const char *why = "the signature does not verify";

  /* protected header: {1: -35} (ES384) */
  if(pp->protected_len && pp->protected_len <= 64)
    hdr = load_checked(pp->protected_hdr, pp->protected_len, &lr);
  if(hdr && lr.read == pp->protected_len && cbor_isa_map(hdr)) {
    struct cbor_pair *pr = cbor_map_handle(hdr);
    size_t i;
    for(i = 0; i < cbor_map_size(hdr); i++) {
      uint64_t k;
      if(uint_val(pr[i].key, &k) && k == 1) {
        alg_ok = cbor_isa_negint(pr[i].value) &&
                 cbor_get_int(pr[i].value) == 34; /* -1 - 34 = -35 */
      }
    }
  }
  if(hdr)
    cbor_decref(&hdr);
  if(!alg_ok) {
    why = "the protected header does not name ES384";
    goto out;
  }
  if(!leaf) {
    why = "the leaf certificate does not parse";
    goto out;
  }
  key = X509_get0_pubkey(leaf);
  if(!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
     !EVP_PKEY_get_group_name(key, group, sizeof(group), &glen) ||
     strcmp(group, "secp384r1") != 0) {
    why = "the leaf key is not a P-384 key";
    goto out;
  }
  if(pp->sig_len != 96) {
    why = "the signature is not 96 bytes";
    goto out;
  }
  /* Sig_structure = ["Signature1", protected, h'', payload] */
  arr = cbor_new_definite_array(4);
  if(!arr)
    goto out;
  {
    cbor_item_t *a = cbor_build_string("Signature1");
    cbor_item_t *b = cbor_build_bytestring(pp->protected_hdr, pp->protected_len);
    cbor_item_t *c = cbor_build_bytestring(empty, 0);
    cbor_item_t *d = cbor_build_bytestring(pp->payload ? pp->payload : empty,
                                           pp->payload_len);
    int ok = a && b && c && d && cbor_array_push(arr, a) &&
             cbor_array_push(arr, b) && cbor_array_push(arr, c) &&
             cbor_array_push(arr, d);
    if(a) cbor_decref(&a);
    if(b) cbor_decref(&b);
    if(c) cbor_decref(&c);
    if(d) cbor_decref(&d);
    if(!ok)
      goto out;
  }
  tbs_len = cbor_serialize_alloc(arr, &tbs, &tbs_cap);
  if(!tbs_len || !tbs)
    goto out;
  sig = ECDSA_SIG_new();
  r = BN_bin2bn(pp->sig, 48, NULL);
  s = BN_bin2bn(pp->sig + 48, 48, NULL);
  if(!sig || !r || !s || !ECDSA_SIG_set0(sig, r, s))
    goto out;
  r = s = NULL;
  derlen = i2d_ECDSA_SIG(sig, &der);
  if(derlen <= 0)
    goto out;
  md = EVP_MD_CTX_new();
  if(!md || EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, key) != 1)
    goto out;
  if(EVP_DigestVerify(md, der, (size_t)derlen, tbs, tbs_len) == 1) {
    out->signature_ok = 1;
    why = "";
  }
out:
  snprintf(out->signature_error, sizeof(out->signature_error), "%s", why);
  EVP_MD_CTX_free(md);
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  BN_free(r);
  BN_free(s);
  free(tbs);
  if(arr)
    cbor_decref(&arr);
}

static void check_chain(og_attest_doc *out, const struct parsed *pp,
                        X509 *leaf, X509 *root, int64_t at)
{
  X509_STORE *store = NULL;
  X509_STORE_CTX *ctx = NULL;
  STACK_OF(X509) *untrusted = NULL;
  size_t i;
  const char *why = "the certificate chain could not be checked";
  if(!leaf) {
    why = "the leaf certificate does not parse";
    goto out;
  }
  store = X509_STORE_new();
  untrusted = sk_X509_new_null();
  ctx = X509_STORE_CTX_new();
  if(!store || !untrusted || !ctx || !X509_STORE_add_cert(store, root))
    goto out;
  for(i = 0; i < pp->nbundle; i++) {
    X509 *c = der_cert(pp->bundle[i], pp->bundle_len[i]);
    if(!c) {
      why = "a cabundle certificate does not parse";
      goto out;
    }
    if(!sk_X509_push(untrusted, c)) {
      X509_free(c);
      goto out;
    }
  }
  if(!X509_STORE_CTX_init(ctx, store, leaf, untrusted))
    goto out;
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)at);
  if(X509_verify_cert(ctx) == 1) {
    out->chain_ok = 1;
    why = "";
  }
  else
    why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
out:
  snprintf(out->chain_error, sizeof(out->chain_error), "%s", why);
  X509_STORE_CTX_free(ctx);
  sk_X509_pop_free(untrusted, X509_free);
  X509_STORE_free(store);
}

og_result og_attest_verify(og_attest_doc *out,
                           const unsigned char *doc, size_t len,
                           const char *root_pem, int64_t at, og_err *err)
{
  struct cbor_load_result lr;
  cbor_item_t *top = NULL, *tagged = NULL, *pm = NULL;
  const cbor_item_t *cose;
  cbor_item_t **items;
  struct parsed pp;
  X509 *root = NULL, *leaf = NULL;
  og_keccak k;
  og_result r;
  int i;

  memset(out, 0, sizeof(*out));
  memset(&pp, 0, sizeof(pp));
  if(!doc || !len)
    return og_fail(err, OG_E_PARSE, "attestation document is empty");
  if(len > OG_ATTEST_MAX_DOC)
    return og_fail(err, OG_E_TOO_LARGE,
                   "attestation document is larger than %d bytes",
                   OG_ATTEST_MAX_DOC);
  r = load_root(&root, root_pem, err);
  if(r != OG_OK)
    return r;

  top = load_checked(doc, len, &lr);
  if(!top || lr.error.code != CBOR_ERR_NONE || lr.read != len) {
    r = og_fail(err, OG_E_PARSE, "attestation document is not one CBOR item");
    goto out;
  }
  cose = top;
  if(cbor_isa_tag(cose)) {
    if(cbor_tag_value(cose) != 18) {
      r = og_fail(err, OG_E_PARSE, "attestation document has a foreign tag");
      goto out;
    }
    cose = cbor_tag_item(cose); /* new reference */
    tagged = (cbor_item_t *)cose; /* released below */
  }
  if(!cose || !cbor_isa_array(cose) || cbor_array_size(cose) != 4) {
    r = og_fail(err, OG_E_PARSE, "attestation document is not a COSE_Sign1");
    goto out;
  }
  items = cbor_array_handle(cose);
  if(!bstr(items[0], &pp.protected_hdr, &pp.protected_len) ||
     !cbor_isa_map(items[1]) ||
     !bstr(items[2], &pp.payload, &pp.payload_len) || !pp.payload_len ||
     !bstr(items[3], &pp.sig, &pp.sig_len)) {
    r = og_fail(err, OG_E_PARSE, "attestation document is not a COSE_Sign1");
    goto out;
  }
  {
    struct cbor_load_result plr;
    /* pm stays alive to the end: pp points into it */
    pm = load_checked(pp.payload, pp.payload_len, &plr);
    if(!pm || plr.error.code != CBOR_ERR_NONE || plr.read != pp.payload_len) {
      r = og_fail(err, OG_E_PARSE, "attestation payload is not one CBOR item");
      goto out;
    }
    r = parse_payload(out, &pp, pm, err);
    if(r != OG_OK)
      goto out;
  }
  og_keccak_init(&k);
  for(i = 0; i < 3; i++)
    og_keccak_update(&k, out->pcrs[i], out->pcr_len[i]);
  og_keccak_final(&k, &out->pcr_hash);

  leaf = der_cert(pp.cert, pp.cert_len);
  if(leaf) {
    out->leaf_not_before = asn1_unix(X509_get0_notBefore(leaf));
    out->leaf_not_after = asn1_unix(X509_get0_notAfter(leaf));
  }
  check_signature(out, &pp, leaf);
  if(at == 0)
    at = (int64_t)(out->timestamp_ms / 1000);
  check_chain(out, &pp, leaf, root, at);
  r = OG_OK;
out:
  if(r != OG_OK) {
    og_attest_doc keep;
    memset(&keep, 0, sizeof(keep));
    *out = keep;
  }
  X509_free(leaf);
  X509_free(root);
  if(pm)
    cbor_decref(&pm);
  if(tagged)
    cbor_decref(&tagged);
  if(top)
    cbor_decref(&top);
  return r;
}

void og_attest_check_binding(const og_attest_doc *doc,
                             const og_bytes32 *tls_cert_sha256,
                             const og_bytes32 *signing_key_sha256,
                             int *tls_ok, int *key_ok)
{
  int shape = doc->has_user_data && doc->user_data_len == 68 &&
              doc->user_data[0] == 0x12 && doc->user_data[1] == 0x20 &&
              doc->user_data[34] == 0x12 && doc->user_data[35] == 0x20;
  if(tls_cert_sha256 && tls_ok)
    *tls_ok = shape &&
              memcmp(doc->user_data + 2, tls_cert_sha256->b, 32) == 0;
  if(signing_key_sha256 && key_ok)
    *key_ok = shape &&
              memcmp(doc->user_data + 36, signing_key_sha256->b, 32) == 0;
}
