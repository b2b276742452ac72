/* The registry client: entry checks, TEE ids, choice (no network), and the
 * eth_call reads against a canned JSON-RPC server answering with the
 * known-answer registry data. */
#include "netutil.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "opengradient/og_hex.h"
#include "opengradient/og_registry_client.h"

/* ---- entries built from the vectors ---- */

#define MAXBLOBS 64
static void *blobs[MAXBLOBS];
static size_t nblobs;

static void *keep(void *p)
{
  assert_true(nblobs < MAXBLOBS);
  blobs[nblobs++] = p;
  return p;
}

static void free_blobs(void)
{
  while(nblobs)
    free(blobs[--nblobs]);
}

static void tee_from_json(og_tee *t, const json_t *e)
{
  size_t n;
  memset(t, 0, sizeof(*t));
  assert_int_equal(og_bytes32_from_hex(&t->id, tu_str(e, "tee_id")), OG_OK);
  assert_int_equal(og_address_from_hex(&t->owner, tu_str(e, "owner")),
                   OG_OK);
  assert_int_equal(og_address_from_hex(&t->payment_address,
                                       tu_str(e, "paymentAddress")), OG_OK);
  t->endpoint = keep(strdup(tu_str(e, "endpoint")));
  t->endpoint_len = strlen(t->endpoint);
  t->public_key = keep(tu_hex(tu_str(e, "publicKey"), &n));
  t->public_key_len = n;
  t->tls_cert = keep(tu_hex(tu_str(e, "tlsCertificate"), &n));
  t->tls_cert_len = n;
  assert_int_equal(og_bytes32_from_hex(&t->pcr_hash, tu_str(e, "pcrHash")),
                   OG_OK);
  t->tee_type = (uint8_t)json_integer_value(json_object_get(e, "teeType"));
  t->enabled = 1;
}

/* A self-signed P-256 certificate valid from now+from_s to now+to_s, as
 * DER. */
static unsigned char *make_cert(size_t *len, long from_s, long to_s)
{
  EVP_PKEY *k = EVP_EC_gen("P-256");
  X509 *x = X509_new();
  X509_NAME *name;
  unsigned char *der = NULL, *copy;
  int n;
  assert_non_null(k);
  assert_non_null(x);
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
  X509_gmtime_adj(X509_getm_notBefore(x), from_s);
  X509_gmtime_adj(X509_getm_notAfter(x), to_s);
  X509_set_pubkey(x, k);
  name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             (const unsigned char *)"localhost", -1, -1, 0);
  X509_set_issuer_name(x, name);
  assert_true(X509_sign(x, k, EVP_sha256()) > 0);
  n = i2d_X509(x, &der);
  assert_true(n > 0);
  copy = malloc((size_t)n + 1);
  memcpy(copy, der, (size_t)n);
  *len = (size_t)n;
  OPENSSL_free(der);
  X509_free(x);
  EVP_PKEY_free(k);
  return copy;
}

static json_t *vec;
static og_tee ent_a, ent_b;

static int setup(void **state)
{
  const json_t *entries;
  (void)state;
  vec = tu_load_vectors("abi_get_active_tees.json");
  entries = json_object_get(json_object_get(vec, "layout_10"), "entries");
  tee_from_json(&ent_a, json_array_get(entries, 0));
  tee_from_json(&ent_b, json_array_get(entries, 1));
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  free_blobs();
  json_decref(vec);
  return 0;
}

static void test_check_vector_entries(void **state)
{
  og_tee_check c;
  const json_t *entries;
  (void)state;
  entries = json_object_get(json_object_get(vec, "layout_10"), "entries");
  og_tee_check_entry(&c, &ent_a);
  assert_int_equal(c.usable, 1);
  assert_string_equal(c.reason, "");
  assert_int_equal(c.has_cert_sha256, 1);
  assert_string_equal(c.cert_sha256_hex,
                      tu_str(json_array_get(entries, 0), "tls_cert_sha256"));
  og_tee_check_entry(&c, &ent_b); /* empty certificate, odd key */
  assert_int_equal(c.usable, 0);
  assert_string_equal(c.reason, "no TLS certificate");
  assert_int_equal(c.has_cert_sha256, 0);
  assert_string_equal(c.cert_sha256_hex,
                      tu_str(json_array_get(entries, 1), "tls_cert_sha256"));
}

static void check_reason(const og_tee *t, const char *want)
{
  og_tee_check c;
  og_tee_check_entry(&c, t);
  assert_int_equal(c.usable, 0);
  if(!strstr(c.reason, want))
    fail_msg("reason \"%s\" does not contain \"%s\"", c.reason, want);
}

static void test_check_rules(void **state)
{
  og_tee t;
  og_tee_check c;
  unsigned char *cert, *bad;
  size_t clen;
  (void)state;
  t = ent_a;
  t.endpoint = "http://127.0.0.1:8443";
  t.endpoint_len = strlen(t.endpoint);
  check_reason(&t, "not an https://");
  t.endpoint = "";
  t.endpoint_len = 0;
  check_reason(&t, "empty");
  t.endpoint = "https://";
  t.endpoint_len = strlen(t.endpoint);
  check_reason(&t, "URL");
  t.endpoint = "https://a b/";
  t.endpoint_len = strlen(t.endpoint);
  check_reason(&t, "space");
  t.endpoint = "https://ok.test\0evil";
  t.endpoint_len = 20;
  check_reason(&t, "NUL");
  t = ent_a;
  t.tls_cert_len = ent_a.tls_cert_len - 1; /* truncated DER */
  check_reason(&t, "not DER X.509");
  bad = keep(malloc(ent_a.tls_cert_len + 1));
  memcpy(bad, ent_a.tls_cert, ent_a.tls_cert_len);
  bad[ent_a.tls_cert_len] = 0;
  t.tls_cert = bad;
  t.tls_cert_len = ent_a.tls_cert_len + 1; /* one trailing byte */
  check_reason(&t, "trailing");
  /* a bad signing key does not make a TEE unusable (the contract:
   * https endpoint + DER X.509); it is flagged, and verification fails */
  t = ent_a;
  og_tee_check_entry(&c, &t);
  assert_int_equal(c.usable, 1);
  assert_int_equal(c.key_ok, 1);
  t.public_key = ent_b.public_key; /* not an SPKI */
  t.public_key_len = ent_b.public_key_len;
  og_tee_check_entry(&c, &t);
  assert_int_equal(c.usable, 1);
  assert_int_equal(c.key_ok, 0);
  t.public_key_len = 0;
  og_tee_check_entry(&c, &t);
  assert_int_equal(c.usable, 1);
  assert_int_equal(c.key_ok, 0);
  /* expired / not yet valid: usable, with a warning */
  cert = keep(make_cert(&clen, -7200, -3600));
  t = ent_a;
  t.tls_cert = cert;
  t.tls_cert_len = clen;
  og_tee_check_entry(&c, &t);
  assert_int_equal(c.usable, 1);
  assert_int_equal(c.cert_expired, 1);
  assert_int_equal(c.cert_not_yet_valid, 0);
  cert = keep(make_cert(&clen, 3600, 7200));
  t.tls_cert = cert;
  t.tls_cert_len = clen;
  og_tee_check_entry(&c, &t);
  assert_int_equal(c.usable, 1);
  assert_int_equal(c.cert_expired, 0);
  assert_int_equal(c.cert_not_yet_valid, 1);
  cert = keep(make_cert(&clen, -3600, 3600));
  t.tls_cert = cert;
  t.tls_cert_len = clen;
  og_tee_check_entry(&c, &t);
  assert_int_equal(c.usable, 1);
  assert_int_equal(c.cert_expired, 0);
  assert_int_equal(c.cert_not_yet_valid, 0);
}

static void test_id_parse(void **state)
{
  og_bytes32 a, b;
  og_err err;
  (void)state;
  assert_int_equal(og_tee_id_parse(&a, "0x29d0ffc200a161fa22c2222ce84"
                   "26e6fc4742462b1d02fcc3c58b8d44c647835", &err), OG_OK);
  assert_int_equal(og_tee_id_parse(&b, "29D0FFC200A161FA22C2222CE84"
                   "26E6FC4742462B1D02FCC3C58B8D44C647835", &err), OG_OK);
  assert_memory_equal(a.b, b.b, 32);
  assert_memory_equal(a.b, ent_a.id.b, 32);
  assert_int_equal(og_tee_id_parse(&a, "0x29d0", &err), OG_E_USAGE);
  assert_int_equal(og_tee_id_parse(&a, "", &err), OG_E_USAGE);
  assert_int_equal(og_tee_id_parse(&a, NULL, &err), OG_E_USAGE);
}

static int nskips;
static void on_skip(void *user, const og_tee *t, const char *reason)
{
  (void)user;
  (void)t;
  assert_non_null(reason);
  nskips++;
}

static void test_select(void **state)
{
  og_tee items[4];
  og_tee_list list;
  og_tee_select_opts o;
  const og_tee *ch;
  og_err err;
  og_bytes32 id;
  int seen[4] = {0, 0, 0, 0};
  int i;
  (void)state;
  items[0] = ent_a;
  items[1] = ent_b;                  /* unusable: no certificate */
  items[2] = ent_a;
  memset(items[2].id.b, 0xc2, 32);
  memset(items[2].pcr_hash.b, 0x77, 32);
  items[3] = ent_a;
  memset(items[3].id.b, 0xd3, 32);
  items[3].tee_type = 1;             /* another type */
  list.items = items;
  list.count = 4;
  list.storage = NULL;
  memset(&o, 0, sizeof(o));
  o.on_skip = on_skip;
  nskips = 0;
  for(i = 0; i < 64; i++) {
    assert_int_equal(og_tee_select(&ch, &list, &o, &err), OG_OK);
    seen[ch - items]++;
  }
  assert_true(seen[0] > 0);
  assert_true(seen[2] > 0);
  assert_int_equal(seen[1], 0);
  assert_int_equal(seen[3], 0);
  assert_int_equal(nskips, 64 * 2);
  /* --require-pcr narrows the choice */
  o.on_skip = NULL;
  o.pcr_allow = &items[2].pcr_hash;
  o.pcr_allow_len = 1;
  for(i = 0; i < 16; i++) {
    assert_int_equal(og_tee_select(&ch, &list, &o, &err), OG_OK);
    assert_ptr_equal(ch, &items[2]);
  }
  memset(id.b, 0x99, 32);
  o.pcr_allow = &id;
  assert_int_equal(og_tee_select(&ch, &list, &o, &err), OG_E_NO_TEE);
  assert_non_null(strstr(err.msg, "pcrHash is not one of the allowed values"));
  o.pcr_allow = NULL;
  o.pcr_allow_len = 0;
  /* exactly --tee-id */
  o.tee_id = &ent_a.id;
  assert_int_equal(og_tee_select(&ch, &list, &o, &err), OG_OK);
  assert_ptr_equal(ch, &items[0]);
  o.tee_id = &ent_b.id;
  assert_int_equal(og_tee_select(&ch, &list, &o, &err), OG_E_NO_TEE);
  assert_non_null(strstr(err.msg, "no TLS certificate"));
  o.tee_id = &items[3].id;
  assert_int_equal(og_tee_select(&ch, &list, &o, &err), OG_E_NO_TEE);
  assert_non_null(strstr(err.msg, "type 1"));
  o.tee_id = &id;
  assert_int_equal(og_tee_select(&ch, &list, &o, &err), OG_E_NO_TEE);
  assert_non_null(strstr(err.msg, "not among the active"));
  /* nothing usable / nothing at all */
  o.tee_id = NULL;
  list.items = &items[1];
  list.count = 1;
  assert_int_equal(og_tee_select(&ch, &list, &o, &err), OG_E_NO_TEE);
  assert_non_null(strstr(err.msg, "no TLS certificate"));
  list.count = 0;
  assert_int_equal(og_tee_select(&ch, &list, &o, &err), OG_E_NO_TEE);
  assert_non_null(strstr(err.msg, "no active TEE"));
}

/* ---- over JSON-RPC ---- */

static char *tmp;
static pid_t srv = -1;
static int port;

static int rpc_setup(void **state)
{
  char path[1024];
  FILE *f;
  json_t *o;
  (void)state;
  tmp = nu_tmpdir();
  snprintf(path, sizeof(path), "%s/canned.json", tmp);
  o = json_pack("{s:O, s:s, s:O}", "active",
                json_object_get(json_object_get(vec, "layout_10"), "data"),
                "tee_id", tu_str(vec, "calldata_getTEE_entryA") + 10,
                "tee", json_object_get(json_object_get(vec,
                                       "getTEE_entryA_10"), "data"));
  assert_non_null(o);
  f = fopen(path, "w");
  assert_non_null(f);
  assert_int_equal(json_dumpf(o, f, 0), 0);
  fclose(f);
  json_decref(o);
  srv = nu_server(&port, "rpc", NULL, NULL, path);
  return srv < 0 ? -1 : 0;
}

static int rpc_teardown(void **state)
{
  (void)state;
  nu_stop(srv);
  nu_rmrf(tmp);
  tmp = NULL;
  return 0;
}

static og_rpc *client(const char *path, int p)
{
  og_rpc *r;
  og_rpc_opts o;
  og_err err;
  char url[256];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", p, path);
  memset(&o, 0, sizeof(o));
  o.url = url;
  o.timeout_ms = 20000;
  assert_int_equal(og_rpc_new(&r, &o, &err), OG_OK);
  return r;
}

static og_address registry(void)
{
  og_address a;
  assert_int_equal(og_address_from_hex(&a,
                   "0x703cB174AEadB35D611858369B4b1111dC9Abda6"), OG_OK);
  return a;
}

/* True when the real ABI decoder is not linked in yet. */
static int decoder_missing(og_result rc, const og_err *err)
{
  return rc == OG_E_INTERNAL && strstr(err->msg, "decoder not linked");
}

static void test_fetch_raw(void **state)
{
  og_rpc *r = client("/", port);
  og_address reg = registry();
  og_buf raw;
  og_err err;
  size_t n;
  unsigned char *want = tu_hex(json_string_value(json_object_get(
                               json_object_get(vec, "layout_10"), "data")),
                               &n);
  (void)state;
  og_buf_init(&raw, OG_REGISTRY_MAX_REPLY);
  assert_int_equal(og_registry_fetch_active(r, &raw, &reg, 0, &err), OG_OK);
  assert_int_equal(raw.len, n);
  assert_memory_equal(raw.data, want, n);
  og_buf_free(&raw);
  /* a cap below the reply size is an RPC failure, not "no TEEs" */
  og_buf_init(&raw, 64);
  assert_int_equal(og_registry_fetch_active(r, &raw, &reg, 0, &err),
                   OG_E_RPC);
  og_buf_free(&raw);
  free(want);
  og_rpc_free(r);
}

static void test_is_active_and_unknown(void **state)
{
  og_rpc *r = client("/", port);
  og_address reg = registry();
  og_tee_list list;
  og_bytes32 unknown;
  og_err err;
  int active = 0;
  (void)state;
  assert_int_equal(og_registry_is_active(r, &active, &reg, &ent_a.id, &err),
                   OG_OK);
  assert_int_equal(active, 1);
  memset(unknown.b, 0x5a, 32);
  assert_int_equal(og_registry_get_tee(r, &list, &reg, &unknown, &err),
                   OG_E_NO_TEE);
  assert_non_null(strstr(err.msg, "does not know"));
  og_tee_list_free(&list);
  og_rpc_free(r);
}

static void test_rpc_failure_is_not_no_tee(void **state)
{
  og_address reg = registry();
  og_tee_list list;
  og_tee_select_opts o;
  const og_tee *ch;
  og_err err;
  og_rpc *r;
  (void)state;
  memset(&o, 0, sizeof(o));
  r = client("/", nu_free_port()); /* nothing listens */
  assert_int_equal(og_registry_select(r, &list, &ch, &reg, &o, &err),
                   OG_E_RPC);
  og_tee_list_free(&list);
  og_rpc_free(r);
  r = client("/malformed", port);
  assert_int_equal(og_registry_get_active(r, &list, &reg, 0, &err),
                   OG_E_RPC);
  og_tee_list_free(&list);
  og_rpc_free(r);
  r = client("/http500", port);
  o.tee_id = &ent_a.id;
  assert_int_equal(og_registry_select(r, &list, &ch, &reg, &o, &err),
                   OG_E_RPC);
  og_tee_list_free(&list);
  og_rpc_free(r);
}

static void test_select_over_rpc(void **state)
{
  og_rpc *r = client("/", port);
  og_address reg = registry();
  og_tee_list list;
  og_tee_select_opts o;
  const og_tee *ch = NULL;
  og_err err;
  og_result rc;
  (void)state;
  memset(&o, 0, sizeof(o));
  rc = og_registry_get_active(r, &list, &reg, 0, &err);
  if(decoder_missing(rc, &err)) {
    og_tee_list_free(&list);
    og_rpc_free(r);
    skip();
    return;
  }
  assert_int_equal(rc, OG_OK);
  assert_int_equal(list.count, 2);
  assert_string_equal(list.items[0].endpoint, "https://127.0.0.1:8443");
  og_tee_list_free(&list);
  /* random: entry B has no certificate, so it is always A */
  assert_int_equal(og_registry_select(r, &list, &ch, &reg, &o, &err), OG_OK);
  assert_memory_equal(ch->id.b, ent_a.id.b, 32);
  og_tee_list_free(&list);
  /* exactly --tee-id, via getTEE + isTEEActive */
  o.tee_id = &ent_a.id;
  assert_int_equal(og_registry_select(r, &list, &ch, &reg, &o, &err), OG_OK);
  assert_memory_equal(ch->id.b, ent_a.id.b, 32);
  assert_int_equal(ch->tls_cert_len, ent_a.tls_cert_len);
  og_tee_list_free(&list);
  og_rpc_free(r);
}

int main(void)
{
  const struct CMUnitTest offline[] = {
    cmocka_unit_test(test_check_vector_entries),
    cmocka_unit_test(test_check_rules),
    cmocka_unit_test(test_id_parse),
    cmocka_unit_test(test_select),
  };
  const struct CMUnitTest online[] = {
    cmocka_unit_test(test_fetch_raw),
    cmocka_unit_test(test_is_active_and_unknown),
    cmocka_unit_test(test_rpc_failure_is_not_no_tee),
    cmocka_unit_test(test_select_over_rpc),
  };
  int rc;
  setup(NULL);
  rc = cmocka_run_group_tests(offline, NULL, NULL);
  rc |= cmocka_run_group_tests(online, rpc_setup, rpc_teardown);
  teardown(NULL);
  return rc;
}
