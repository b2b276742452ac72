/* x402: decoding 402s (header v2, body v1), the selection policy, building
 * PAYMENT-SIGNATURE byte for byte against the vectors, and reading second
 * 402s. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opengradient/og_hex.h"
#include "opengradient/og_x402.h"

#define KEY "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
#define NONCE "98765432109876543210987654321098765432109876543210987654321098765432"
#define OPG "0xFbC2051AE2265686a469421b2C5A2D5462FbF5eB"
#define PAYTO "0x2222222222222222222222222222222222222222"
#define FAC "0x1111111111111111111111111111111111111111"

/* A fixed nonce source: ctx points at 32 bytes. */
static og_result fixed_random(void *ctx, unsigned char *out, size_t n)
{
  memcpy(out, ctx, n);
  return OG_OK;
}

static char *b64(const char *s)
{
  size_t n = strlen(s);
  char *out = malloc(4 * ((n + 2) / 3) + 1);
  assert_non_null(out);
  og_base64_encode(out, (const unsigned char *)s, n);
  return out;
}

/* Decode a v2 PaymentRequired given as JSON text. */
static og_result decode_json_text(og_x402_required **r, const char *json,
                                  og_err *err)
{
  char *h = b64(json);
  og_result rc = og_x402_decode_header(r, h, strlen(h), err);
  free(h);
  return rc;
}

/* A one-requirement PaymentRequired with the given fields. */
static char *make_req(const char *scheme, const char *network,
                      const char *amount, const char *pay_to,
                      const char *extra)
{
  char *s = malloc(2048);
  assert_non_null(s);
  snprintf(s, 2048,
           "{\"x402Version\":2,\"error\":\"Payment required\","
           "\"resource\":{\"url\":\"https://h/v1/chat/completions\"},"
           "\"accepts\":[{\"scheme\":\"%s\",\"network\":\"%s\","
           "\"asset\":\"" OPG "\",\"amount\":\"%s\",\"payTo\":\"%s\","
           "\"maxTimeoutSeconds\":300,\"extra\":%s}]}",
           scheme, network, amount, pay_to, extra);
  return s;
}

#define UPTO_EXTRA "{\"assetTransferMethod\":\"permit2\"," \
  "\"facilitatorAddress\":\"" FAC "\"}"

/* Allow exactly requirement i's (network, asset) in p. */
static void allow_req(og_x402_policy *p, const og_x402_required *r, size_t i)
{
  const og_x402_requirement *q = og_x402_required_at(r, i);
  char a[43], list[128];
  og_address_to_checksum(a, &q->asset);
  snprintf(list, sizeof(list), "%s:%s", q->network, a);
  assert_int_equal(og_x402_policy_set_assets(p, list, NULL), OG_OK);
}

static void load_key(og_privkey *k)
{
  assert_int_equal(og_privkey_from_hex(k, KEY, strlen(KEY), NULL), OG_OK);
}

static void test_decode_vector(void **state)
{
  json_t *v = tu_load_vectors("x402_payment.json");
  json_t *pr = json_object_get(v, "payment_required");
  const char *hv = tu_str(pr, "header_value");
  og_x402_required *r;
  const og_x402_requirement *q;
  og_address a;
  char amount[OG_U256_DEC_SIZE], *want;
  json_t *acc;
  (void)state;
  assert_int_equal(og_x402_decode_header(&r, hv, strlen(hv), NULL), OG_OK);
  assert_int_equal(og_x402_required_version(r), 2);
  assert_int_equal(og_x402_required_count(r), 1);
  assert_string_equal(og_x402_required_error(r), "Payment required");
  assert_string_equal(og_x402_required_resource_url(r),
                      "https://127.0.0.1:8443/v1/chat/completions");
  q = og_x402_required_at(r, 0);
  assert_null(og_x402_required_at(r, 1));
  assert_string_equal(q->scheme, "upto");
  assert_int_equal(q->kind, OG_X402_UPTO);
  assert_string_equal(q->network, "eip155:8453");
  assert_true(q->chain_id == 8453);
  og_u256_to_dec(amount, &q->amount);
  assert_string_equal(amount, "100000000000000000");
  assert_int_equal(og_address_from_hex(&a, OPG), OG_OK);
  assert_memory_equal(q->asset.b, a.b, 20);
  assert_int_equal(og_address_from_hex(&a, PAYTO), OG_OK);
  assert_memory_equal(q->pay_to.b, a.b, 20);
  assert_true(q->has_facilitator);
  assert_int_equal(og_address_from_hex(&a, FAC), OG_OK);
  assert_memory_equal(q->facilitator.b, a.b, 20);
  assert_true(q->max_timeout_seconds == 300);
  assert_string_equal(q->name, "OpenGradient");
  assert_string_equal(q->version, "1");
  assert_string_equal(q->asset_transfer_method, "permit2");
  /* accepted is the server's object, same keys in the same order */
  acc = json_array_get(json_object_get(json_object_get(pr, "object"),
                                       "accepts"), 0);
  want = json_dumps(acc, JSON_COMPACT | JSON_PRESERVE_ORDER);
  assert_string_equal(q->accepted_json, want);
  assert_non_null(strstr(tu_str(pr, "json"), want));
  free(want);
  og_x402_required_free(r);
  /* surrounding whitespace of a header value is ignored */
  {
    char buf[4096];
    snprintf(buf, sizeof(buf), "  %s \r\n", hv);
    assert_int_equal(og_x402_decode_header(&r, buf, strlen(buf), NULL),
                     OG_OK);
    og_x402_required_free(r);
  }
  json_decref(v);
}

static void test_build_vector_a(void **state)
{
  json_t *v = tu_load_vectors("x402_payment.json");
  json_t *p2 = tu_load_vectors("permit2_upto.json");
  const char *hv = tu_str(json_object_get(v, "payment_required"),
                          "header_value");
  json_t *ps = json_object_get(v, "payment_signature");
  og_x402_required *r;
  og_x402_sign_opts o;
  og_x402_payment_info info;
  og_privkey k;
  og_u256 nonce;
  og_buf h, j, d;
  char hex[67], sig[133];
  size_t idx;
  og_x402_policy pol;
  (void)state;
  load_key(&k);
  assert_int_equal(og_x402_decode_header(&r, hv, strlen(hv), NULL), OG_OK);
  og_x402_policy_init(&pol);
  assert_int_equal(og_x402_select(&idx, NULL, r, &pol, NULL), OG_OK);
  assert_int_equal(idx, 0);
  assert_int_equal(og_u256_from_dec(&nonce, NONCE, strlen(NONCE)), OG_OK);
  memset(&o, 0, sizeof(o));
  o.now = 1900000000;
  o.random = fixed_random;
  o.random_ctx = nonce.b;
  og_buf_init(&h, OG_X402_MAX_PAYMENT);
  og_buf_init(&j, OG_X402_MAX_PAYMENT);
  assert_int_equal(og_x402_build_payment(&h, &j, &info, r, idx, &k, &o,
                                         NULL), OG_OK);
  assert_string_equal(og_buf_str(&j), tu_str(ps, "json"));
  assert_string_equal(og_buf_str(&h), tu_str(ps, "header_value"));
  og_bytes32_to_hex(hex, &info.digest);
  assert_string_equal(hex, tu_str(json_object_get(p2, "vector_a"),
                                  "digest"));
  sig[0] = '0';
  sig[1] = 'x';
  og_hex_encode(sig + 2, info.signature.b, 65);
  assert_string_equal(sig, tu_str(json_object_get(p2, "vector_a"),
                                  "signature"));
  assert_true(info.deadline == 1900000300);
  assert_true(info.valid_after == 1899999400);

  /* the summary names what was signed and never the key */
  og_buf_init(&d, 4096);
  assert_int_equal(og_x402_describe(&d, &info), OG_OK);
  assert_non_null(strstr(og_buf_str(&d), "100000000000000000"));
  assert_non_null(strstr(og_buf_str(&d), OPG));
  assert_non_null(strstr(og_buf_str(&d), PAYTO));
  assert_non_null(strstr(og_buf_str(&d), "eip155:8453"));
  assert_non_null(strstr(og_buf_str(&d), "1900000300"));
  assert_null(strstr(og_buf_str(&d), "ac0974bec39a17e36ba4a6b4d238ff94"));
  assert_null(strstr(og_buf_str(&d), "AC0974BEC39A17E36BA4A6B4D238FF94"));
  og_buf_free(&d);

  /* validAfter 0 reproduces the reference client's signature; its JSON
   * puts "signature" first, so compare as JSON */
  o.valid_after_zero = 1;
  assert_int_equal(og_x402_build_payment(&h, &j, &info, r, idx, &k, &o,
                                         NULL), OG_OK);
  {
    json_t *got = json_loads(og_buf_str(&j), 0, NULL);
    json_t *want = json_object_get(json_object_get(v,
                       "payment_signature_reference_client"), "object");
    assert_non_null(got);
    assert_true(json_equal(got, want));
    json_decref(got);
  }
  og_bytes32_to_hex(hex, &info.digest);
  assert_string_equal(hex, tu_str(json_object_get(p2,
                      "vector_b_reference_client"), "digest"));

  /* a fresh random nonce differs between two payments */
  {
    og_buf h2;
    og_x402_payment_info i2;
    og_buf_init(&h2, OG_X402_MAX_PAYMENT);
    assert_int_equal(og_x402_build_payment(&h, NULL, &info, r, idx, &k, NULL,
                                           NULL), OG_OK);
    assert_int_equal(og_x402_build_payment(&h2, NULL, &i2, r, idx, &k, NULL,
                                           NULL), OG_OK);
    assert_memory_not_equal(info.nonce.b, i2.nonce.b, 32);
    assert_string_not_equal(og_buf_str(&h), og_buf_str(&h2));
    og_buf_free(&h2);
  }
  og_buf_free(&h);
  og_buf_free(&j);
  og_privkey_clear(&k);
  og_x402_required_free(r);
  json_decref(v);
  json_decref(p2);
}

static void test_build_eip3009(void **state)
{
  json_t *v = tu_load_vectors("x402_payment.json");
  json_t *ex = json_object_get(v, "exact_eip3009_payment_signature");
  json_t *acc = json_object_get(json_object_get(ex, "object"), "accepted");
  char *acc_text = json_dumps(acc, JSON_COMPACT);
  char req[2048];
  unsigned char nonce[32];
  og_x402_required *r;
  og_x402_sign_opts o;
  og_privkey k;
  og_buf h;
  size_t idx;
  og_x402_policy pol;
  (void)state;
  snprintf(req, sizeof(req), "{\"x402Version\":2,\"accepts\":[%s]}",
           acc_text);
  free(acc_text);
  assert_int_equal(decode_json_text(&r, req, NULL), OG_OK);
  assert_int_equal(og_x402_required_at(r, 0)->kind, OG_X402_EXACT_EIP3009);
  og_x402_policy_init(&pol);
  /* USDC is not allowed by default (OPG on Base only) */
  assert_int_equal(og_x402_select(&idx, NULL, r, &pol, NULL), OG_E_PAYMENT);
  allow_req(&pol, r, 0);
  assert_int_equal(og_x402_select(&idx, NULL, r, &pol, NULL), OG_OK);
  memset(nonce, 1, sizeof(nonce));
  memset(&o, 0, sizeof(o));
  o.now = 1900000000 - 300;
  o.random = fixed_random;
  o.random_ctx = nonce;
  load_key(&k);
  og_buf_init(&h, OG_X402_MAX_PAYMENT);
  assert_int_equal(og_x402_build_payment(&h, NULL, NULL, r, idx, &k, &o,
                                         NULL), OG_OK);
  assert_string_equal(og_buf_str(&h), tu_str(ex, "header_value"));
  og_buf_free(&h);
  og_privkey_clear(&k);
  og_x402_required_free(r);
  json_decref(v);
}

static void test_exact_permit2(void **state)
{
  char *s = make_req("exact", "eip155:84532", "5", PAYTO,
                     "{\"assetTransferMethod\":\"permit2\"}");
  og_x402_required *r;
  og_x402_payment_info info;
  og_privkey k;
  og_buf h, j;
  og_address a;
  og_x402_sign_opts o;
  json_t *got, *auth;
  (void)state;
  assert_int_equal(decode_json_text(&r, s, NULL), OG_OK);
  assert_int_equal(og_x402_required_at(r, 0)->kind, OG_X402_EXACT_PERMIT2);
  load_key(&k);
  memset(&o, 0, sizeof(o));
  o.now = 1000;
  og_buf_init(&h, OG_X402_MAX_PAYMENT);
  og_buf_init(&j, OG_X402_MAX_PAYMENT);
  assert_int_equal(og_x402_build_payment(&h, &j, &info, r, 0, &k, &o, NULL),
                   OG_OK);
  assert_memory_equal(info.spender.b, og_x402_exact_proxy.b, 20);
  assert_true(info.valid_after == 400);
  assert_true(info.deadline == 1300);
  assert_true(info.chain_id == 84532);
  got = json_loads(og_buf_str(&j), 0, NULL);
  auth = json_object_get(json_object_get(got, "payload"),
                         "permit2Authorization");
  assert_string_equal(tu_str(auth, "spender"),
                      "0x402085c248EeA27D92E8b30b2C58ed07f9E20001");
  assert_null(json_object_get(json_object_get(auth, "witness"),
                              "facilitator"));
  /* the signature recovers to the payer over the exact-witness digest */
  {
    og_bytes32 d;
    og_permit2_transfer t;
    memset(&t, 0, sizeof(t));
    assert_int_equal(og_address_from_hex(&t.token, OPG), OG_OK);
    og_u256_from_u64(&t.amount, 5);
    t.spender = og_x402_exact_proxy;
    t.nonce = info.nonce;
    og_u256_from_u64(&t.deadline, 1300);
    assert_int_equal(og_address_from_hex(&t.to, PAYTO), OG_OK);
    og_u256_from_u64(&t.valid_after, 400);
    og_permit2_digest(&d, 84532, &t, OG_PERMIT2_EXACT);
    assert_memory_equal(d.b, info.digest.b, 32);
    assert_int_equal(og_secp_recover(&a, &d, &info.signature), OG_OK);
    assert_memory_equal(a.b, info.from.b, 20);
  }
  json_decref(got);
  og_buf_free(&h);
  og_buf_free(&j);
  og_privkey_clear(&k);
  og_x402_required_free(r);
  free(s);
}

static og_result select_one(const char *json, const og_x402_policy *p,
                            unsigned *warn, og_err *err)
{
  og_x402_required *r;
  size_t idx = 99;
  og_result rc;
  assert_int_equal(decode_json_text(&r, json, NULL), OG_OK);
  rc = og_x402_select(&idx, warn, r, p, err);
  if(rc == OG_OK)
    assert_int_equal(idx, 0);
  og_x402_required_free(r);
  return rc;
}

static void test_selection(void **state)
{
  og_x402_policy p;
  og_err err;
  unsigned warn;
  char *s;
  og_x402_required *r;
  size_t idx;
  (void)state;
  og_x402_policy_init(&p);
  assert_int_equal(p.n_networks, 2);
  assert_string_equal(p.networks[0], "eip155:8453");
  assert_string_equal(p.networks[1], "eip155:84532");

  /* the cap: equal is fine, one unit more is refused */
  s = make_req("upto", "eip155:8453", "100000000000000000", PAYTO,
               UPTO_EXTRA);
  assert_int_equal(select_one(s, &p, &warn, &err), OG_OK);
  assert_int_equal(warn, 0);
  free(s);
  s = make_req("upto", "eip155:8453", "100000000000000001", PAYTO,
               UPTO_EXTRA);
  assert_int_equal(select_one(s, &p, &warn, &err), OG_E_PAYMENT);
  assert_non_null(strstr(err.msg, "amount 100000000000000001 exceeds the "
                                  "maximum payment 100000000000000000"));
  /* a larger cap lets it through; amounts above 2^64 work */
  assert_int_equal(og_x402_policy_set_max(&p, "100000000000000001", &err),
                   OG_OK);
  assert_int_equal(select_one(s, &p, &warn, &err), OG_OK);
  free(s);
  s = make_req("upto", "eip155:8453", "18446744073709551617", PAYTO,
               UPTO_EXTRA);
  assert_int_equal(select_one(s, &p, &warn, &err), OG_E_PAYMENT);
  assert_int_equal(og_x402_policy_set_max(&p, "18446744073709551617", &err),
                   OG_OK);
  assert_int_equal(select_one(s, &p, &warn, &err), OG_OK);
  free(s);
  assert_int_equal(og_x402_policy_set_max(&p, "1e18", &err), OG_E_USAGE);
  assert_int_equal(og_x402_policy_set_max(&p, "-1", &err), OG_E_USAGE);
  assert_int_equal(og_x402_policy_set_max(&p, "0.1", &err), OG_E_USAGE);
  og_x402_policy_init(&p);

  /* network not allowed; configurable list */
  s = make_req("upto", "eip155:1", "1", PAYTO, UPTO_EXTRA);
  assert_int_equal(select_one(s, &p, &warn, &err), OG_E_PAYMENT);
  assert_non_null(strstr(err.msg, "network 'eip155:1' is not in the allowed"));
  assert_int_equal(og_x402_policy_set_networks(&p, " eip155:1 , eip155:10",
                                               &err), OG_OK);
  assert_int_equal(p.n_networks, 2);
  /* an allowed network with no allowed asset is still refused */
  assert_int_equal(select_one(s, &p, &warn, &err), OG_E_PAYMENT);
  assert_non_null(strstr(err.msg, "network 'eip155:1' has no allowed asset"));
  assert_int_equal(og_x402_policy_set_assets(&p, "eip155:1:" OPG, &err),
                   OG_OK);
  assert_int_equal(select_one(s, &p, &warn, &err), OG_OK);
  free(s);
  s = make_req("upto", "eip155:8453", "1", PAYTO, UPTO_EXTRA);
  assert_int_equal(select_one(s, &p, &warn, &err), OG_E_PAYMENT);
  free(s);
  assert_int_equal(og_x402_policy_set_networks(&p, "eip155:1,,x", &err),
                   OG_E_USAGE);
  assert_int_equal(og_x402_policy_set_networks(&p, "solana:mainnet", &err),
                   OG_E_USAGE);
  assert_int_equal(og_x402_policy_set_networks(&p, "", &err), OG_E_USAGE);
  assert_int_equal(p.n_networks, 2); /* unchanged after a refusal */
  og_x402_policy_init(&p);

  /* a non-EVM network: decoded, not signable */
  s = make_req("exact", "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", "1",
               "2wmVCSfPxGPjrnMMn7rchp4uaeoTqN39mXFC2zhPdri9", "{}");
  assert_int_equal(select_one(s, &p, &warn, &err), OG_E_PAYMENT);
  assert_non_null(strstr(err.msg, "network 'solana:"));
  free(s);

  /* unsupported scheme and transfer method */
  s = make_req("stream", "eip155:8453", "1", PAYTO, UPTO_EXTRA);
  assert_int_equal(select_one(s, &p, &warn, &err), OG_E_PAYMENT);
  assert_non_null(strstr(err.msg, "scheme 'stream'"));
  assert_non_null(strstr(err.msg, "not supported"));
  free(s);
  s = make_req("upto", "eip155:8453", "1", PAYTO,
               "{\"assetTransferMethod\":\"eip3009\"}");
  assert_int_equal(select_one(s, &p, &warn, &err), OG_E_PAYMENT);
  assert_non_null(strstr(err.msg, "not supported"));
  free(s);

  /* upto without a facilitator; EIP-3009 without name/version */
  s = make_req("upto", "eip155:8453", "1", PAYTO, "{}");
  assert_int_equal(select_one(s, &p, &warn, &err), OG_E_PAYMENT);
  assert_non_null(strstr(err.msg, "facilitatorAddress"));
  free(s);
  s = make_req("exact", "eip155:8453", "1", PAYTO, "{\"name\":\"x\"}");
  assert_int_equal(select_one(s, &p, &warn, &err), OG_E_PAYMENT);
  assert_non_null(strstr(err.msg, "extra.version"));
  free(s);
  /* zero payTo */
  s = make_req("upto", "eip155:8453", "1",
               "0x0000000000000000000000000000000000000000", UPTO_EXTRA);
  assert_int_equal(select_one(s, &p, &warn, &err), OG_E_PAYMENT);
  assert_non_null(strstr(err.msg, "zero address"));
  free(s);

  /* payee policy: warning by default, refusal when strict */
  s = make_req("upto", "eip155:8453", "1", PAYTO, UPTO_EXTRA);
  p.has_payee = 1;
  assert_int_equal(og_address_from_hex(&p.payee, PAYTO), OG_OK);
  assert_int_equal(select_one(s, &p, &warn, &err), OG_OK);
  assert_int_equal(warn, 0);
  memset(p.payee.b, 0x33, 20);
  assert_int_equal(select_one(s, &p, &warn, &err), OG_OK);
  assert_int_equal(warn, OG_X402_WARN_PAYEE);
  p.strict_payee = 1;
  assert_int_equal(select_one(s, &p, &warn, &err), OG_E_PAYMENT);
  assert_non_null(strstr(err.msg, "payTo " PAYTO " is not the TEE's "
                         "registry payment address "
                         "0x3333333333333333333333333333333333333333"));
  og_x402_policy_init(&p);
  /* allowed assets: OPG on Base by default; another token there is
   * refused, and so is a network with no allowed asset */
  assert_int_equal(p.n_assets, 1);
  assert_int_equal(og_x402_policy_set_assets(&p, "eip155:8453:"
    "0x4444444444444444444444444444444444444444", &err), OG_OK);
  assert_int_equal(select_one(s, &p, &warn, &err), OG_E_PAYMENT);
  assert_non_null(strstr(err.msg, "asset " OPG " on network 'eip155:8453' "
                         "is not an allowed asset"));
  assert_non_null(strstr(err.msg, OG_X402_ASSET_REFUSAL));
  assert_int_equal(og_x402_policy_set_assets(&p, "eip155:84532:" OPG,
                                             &err), OG_OK);
  assert_int_equal(select_one(s, &p, &warn, &err), OG_E_PAYMENT);
  assert_non_null(strstr(err.msg, "network 'eip155:8453' has no allowed "
                         "asset (asked for asset " OPG ")"));
  assert_int_equal(og_x402_policy_set_assets(&p, " eip155:84532:" OPG
    " , eip155:8453:" OPG, &err), OG_OK);
  assert_int_equal(p.n_assets, 2);
  assert_int_equal(select_one(s, &p, &warn, &err), OG_OK);
  /* bad lists leave the policy as it was */
  assert_int_equal(og_x402_policy_set_assets(&p, "eip155:8453", &err),
                   OG_E_USAGE);
  assert_int_equal(og_x402_policy_set_assets(&p, "eip155:8453:0x12", &err),
                   OG_E_USAGE);
  assert_non_null(strstr(err.msg, "'0x12' is not a token address"));
  assert_int_equal(og_x402_policy_set_assets(&p, "solana:1:" OPG, &err),
                   OG_E_USAGE);
  assert_int_equal(og_x402_policy_set_assets(&p, OG_X402_DEFAULT_ASSETS ",",
                                             &err), OG_E_USAGE);
  assert_int_equal(og_x402_policy_set_assets(&p, "eip155:8453:"
    "0xfbc2051ae2265686a469421b2C5A2D5462FbF5eB", &err), OG_E_USAGE);
  assert_int_equal(p.n_assets, 2);
  assert_null(strstr(err.msg, "--"));
  og_x402_policy_init(&p);
  free(s);

  /* the first acceptable one is chosen; reasons name each refusal */
  assert_int_equal(decode_json_text(&r,
    "{\"x402Version\":2,\"accepts\":["
    "{\"scheme\":\"stream\",\"network\":\"eip155:8453\",\"asset\":\"" OPG
    "\",\"amount\":\"1\",\"payTo\":\"" PAYTO "\",\"maxTimeoutSeconds\":60},"
    "{\"scheme\":\"upto\",\"network\":\"eip155:8453\",\"asset\":\"" OPG
    "\",\"amount\":\"2\",\"payTo\":\"" PAYTO "\",\"maxTimeoutSeconds\":60,"
    "\"extra\":" UPTO_EXTRA "},"
    "{\"scheme\":\"upto\",\"network\":\"eip155:8453\",\"asset\":\"" OPG
    "\",\"amount\":\"3\",\"payTo\":\"" PAYTO "\",\"maxTimeoutSeconds\":60,"
    "\"extra\":" UPTO_EXTRA "}]}", NULL), OG_OK);
  assert_int_equal(og_x402_select(&idx, &warn, r, &p, &err), OG_OK);
  assert_int_equal(idx, 1);
  assert_int_equal(og_x402_policy_set_max(&p, "1", &err), OG_OK);
  assert_int_equal(og_x402_select(&idx, &warn, r, &p, &err), OG_E_PAYMENT);
  assert_non_null(strstr(err.msg, "[0] scheme 'stream'"));
  assert_non_null(strstr(err.msg, "[1] amount 2 exceeds the maximum "
                                  "payment 1"));
  og_x402_required_free(r);
  og_x402_policy_init(&p);

  /* timeout outside 1..3600 */
  assert_int_equal(decode_json_text(&r,
    "{\"x402Version\":2,\"accepts\":[{\"scheme\":\"upto\",\"network\":"
    "\"eip155:8453\",\"asset\":\"" OPG "\",\"amount\":\"2\",\"payTo\":\""
    PAYTO "\",\"maxTimeoutSeconds\":0,\"extra\":" UPTO_EXTRA "}]}", NULL),
    OG_OK);
  assert_int_equal(og_x402_select(&idx, &warn, r, &p, &err), OG_E_PAYMENT);
  assert_non_null(strstr(err.msg, "maxTimeoutSeconds 0"));
  og_x402_required_free(r);

  /* an empty list */
  assert_int_equal(decode_json_text(&r, "{\"x402Version\":2,\"accepts\":[]}",
                                    NULL), OG_OK);
  assert_int_equal(og_x402_select(&idx, &warn, r, &p, &err), OG_E_PAYMENT);
  assert_non_null(strstr(err.msg, "no payment requirement"));
  og_x402_required_free(r);
}

static void test_v1_body(void **state)
{
  static const char body[] =
    "{\"x402Version\":1,\"error\":\"X-PAYMENT header is required\","
    "\"accepts\":[{\"scheme\":\"exact\",\"network\":\"base-sepolia\","
    "\"maxAmountRequired\":\"10000\",\"resource\":\"https://api.example/x\","
    "\"description\":\"d\",\"mimeType\":\"application/json\","
    "\"payTo\":\"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\","
    "\"maxTimeoutSeconds\":60,"
    "\"asset\":\"0x036CbD53842c5426634e7929541eC2318f3dCF7e\","
    "\"extra\":{\"name\":\"USDC\",\"version\":\"2\"}}]}";
  og_x402_required *r;
  const og_x402_requirement *q;
  og_x402_policy p;
  og_privkey k;
  og_buf h, j;
  size_t idx;
  char amount[OG_U256_DEC_SIZE];
  json_t *got;
  (void)state;
  assert_int_equal(og_x402_decode_body(&r, body, strlen(body), NULL), OG_OK);
  assert_int_equal(og_x402_required_version(r), 1);
  assert_string_equal(og_x402_required_error(r),
                      "X-PAYMENT header is required");
  assert_string_equal(og_x402_required_resource_url(r),
                      "https://api.example/x");
  q = og_x402_required_at(r, 0);
  assert_string_equal(q->network, "eip155:84532");
  assert_true(q->chain_id == 84532);
  assert_int_equal(q->kind, OG_X402_EXACT_EIP3009);
  og_u256_to_dec(amount, &q->amount);
  assert_string_equal(amount, "10000");
  assert_string_equal(q->accepted_json,
    "{\"scheme\":\"exact\",\"network\":\"eip155:84532\","
    "\"asset\":\"0x036CbD53842c5426634e7929541eC2318f3dCF7e\","
    "\"amount\":\"10000\","
    "\"payTo\":\"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\","
    "\"maxTimeoutSeconds\":60,"
    "\"extra\":{\"name\":\"USDC\",\"version\":\"2\"}}");
  og_x402_policy_init(&p);
  assert_int_equal(og_x402_select(&idx, NULL, r, &p, NULL), OG_E_PAYMENT);
  allow_req(&p, r, 0);
  assert_int_equal(og_x402_select(&idx, NULL, r, &p, NULL), OG_OK);
  load_key(&k);
  og_buf_init(&h, OG_X402_MAX_PAYMENT);
  og_buf_init(&j, OG_X402_MAX_PAYMENT);
  assert_int_equal(og_x402_build_payment(&h, &j, NULL, r, idx, &k, NULL,
                                         NULL), OG_OK);
  /* always a v2 payload */
  got = json_loads(og_buf_str(&j), 0, NULL);
  assert_int_equal(json_integer_value(json_object_get(got, "x402Version")),
                   2);
  assert_string_equal(tu_str(json_object_get(got, "resource"), "url"),
                      "https://api.example/x");
  assert_string_equal(tu_str(json_object_get(got, "resource"), "mimeType"),
                      "application/json");
  assert_string_equal(tu_str(json_object_get(got, "accepted"), "network"),
                      "eip155:84532");
  json_decref(got);
  og_buf_free(&h);
  og_buf_free(&j);
  og_privkey_clear(&k);
  og_x402_required_free(r);

  /* a v2 body reads the same way; the gateway's "{}" does not */
  {
    char *s = make_req("upto", "eip155:8453", "1", PAYTO, UPTO_EXTRA);
    assert_int_equal(og_x402_decode_body(&r, s, strlen(s), NULL), OG_OK);
    assert_int_equal(og_x402_required_version(r), 2);
    og_x402_required_free(r);
    free(s);
  }
  assert_int_equal(og_x402_decode_body(&r, "{}", 2, NULL), OG_E_PARSE);
  assert_null(r);
  /* a v1 network name we do not know stays as it is */
  {
    static const char b2[] =
      "{\"x402Version\":1,\"accepts\":[{\"scheme\":\"exact\",\"network\":"
      "\"avalanche\",\"maxAmountRequired\":\"1\",\"payTo\":"
      "\"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\",\"maxTimeoutSeconds\":"
      "60,\"asset\":\"0x036CbD53842c5426634e7929541eC2318f3dCF7e\"}]}";
    og_err err;
    assert_int_equal(og_x402_decode_body(&r, b2, strlen(b2), NULL), OG_OK);
    assert_string_equal(og_x402_required_at(r, 0)->network, "avalanche");
    assert_int_equal(og_x402_select(&idx, NULL, r, &p, &err), OG_E_PAYMENT);
    og_x402_required_free(r);
  }
}

static void expect_bad(const char *json, og_result want, const char *detail)
{
  og_x402_required *r = (og_x402_required *)1;
  og_err err;
  memset(&err, 0, sizeof(err));
  assert_int_equal(decode_json_text(&r, json, &err), want);
  assert_null(r);
  if(detail && !strstr(err.msg, detail))
    fail_msg("detail '%s' lacks '%s'", err.msg, detail);
}

#define A1 "{\"x402Version\":2,\"accepts\":[{"
#define GOOD_FIELDS "\"scheme\":\"upto\",\"network\":\"eip155:8453\"," \
  "\"asset\":\"" OPG "\",\"payTo\":\"" PAYTO "\",\"maxTimeoutSeconds\":1"

static void test_malformed(void **state)
{
  og_x402_required *r = NULL;
  og_err err;
  char *big, *s;
  size_t i;
  (void)state;
  /* base64 */
  assert_int_equal(og_x402_decode_header(&r, "abc", 3, &err), OG_E_PARSE);
  assert_int_equal(og_x402_decode_header(&r, "@@@@", 4, &err), OG_E_PARSE);
  assert_int_equal(og_x402_decode_header(&r, "e30=e30=", 8, &err),
                   OG_E_PARSE);
  assert_int_equal(og_x402_decode_header(&r, "e3 0=", 5, &err), OG_E_PARSE);
  assert_int_equal(og_x402_decode_header(&r, "", 0, &err), OG_E_PARSE);
  assert_int_equal(og_x402_decode_header(&r, "  ", 2, &err), OG_E_PARSE);
  assert_null(r);
  /* JSON */
  expect_bad("hello", OG_E_PARSE, "not valid JSON");
  expect_bad("[1]", OG_E_PARSE, "not a JSON object");
  expect_bad("{\"x402Version\":2,\"accepts\":[]} x", OG_E_PARSE, NULL);
  expect_bad("{\"x402Version\":1,\"accepts\":[]}", OG_E_PARSE,
             "x402Version");
  expect_bad("{\"x402Version\":\"2\",\"accepts\":[]}", OG_E_PARSE,
             "x402Version");
  expect_bad("{\"x402Version\":2}", OG_E_PARSE, "accepts");
  expect_bad("{\"x402Version\":2,\"accepts\":{}}", OG_E_PARSE, "accepts");
  expect_bad("{\"x402Version\":2,\"x402Version\":2,\"accepts\":[]}",
             OG_E_PARSE, NULL);
  expect_bad("{\"x402Version\":2,\"error\":5,\"accepts\":[]}", OG_E_PARSE,
             "error");
  expect_bad("{\"x402Version\":2,\"resource\":\"x\",\"accepts\":[]}",
             OG_E_PARSE, "resource");
  expect_bad("{\"x402Version\":2,\"accepts\":[7]}", OG_E_PARSE, NULL);
  /* fields */
  expect_bad(A1 GOOD_FIELDS "}]}", OG_E_PARSE, "missing \"amount\"");
  expect_bad(A1 GOOD_FIELDS ",\"amount\":1}]}", OG_E_PARSE,
             "\"amount\" is not a string");
  expect_bad(A1 GOOD_FIELDS ",\"amount\":\"1.5\"}]}", OG_E_PARSE,
             "decimal uint256");
  expect_bad(A1 GOOD_FIELDS ",\"amount\":\"01\"}]}", OG_E_PARSE, NULL);
  expect_bad(A1 GOOD_FIELDS ",\"amount\":\"-1\"}]}", OG_E_PARSE, NULL);
  expect_bad(A1 GOOD_FIELDS ",\"amount\":\"1157920892373161954235709850086"
             "87907853269984665640564039457584007913129639936\"}]}",
             OG_E_PARSE, NULL);
  expect_bad(A1 "\"scheme\":\"upto\",\"network\":\"eip155:8453\","
             "\"asset\":\"" OPG "\",\"payTo\":\"" PAYTO "\","
             "\"amount\":\"1\"}]}", OG_E_PARSE, "maxTimeoutSeconds");
  expect_bad(A1 "\"scheme\":\"upto\",\"network\":\"eip155:8453\","
             "\"asset\":\"" OPG "\",\"payTo\":\"" PAYTO "\","
             "\"amount\":\"1\",\"maxTimeoutSeconds\":\"300\"}]}",
             OG_E_PARSE, "maxTimeoutSeconds");
  expect_bad(A1 "\"scheme\":\"upto\",\"network\":\"eip155:8453\","
             "\"asset\":\"" OPG "\",\"payTo\":\"" PAYTO "\","
             "\"amount\":\"1\",\"maxTimeoutSeconds\":-1}]}",
             OG_E_PARSE, "maxTimeoutSeconds");
  /* a bad checksum, a short address */
  expect_bad(A1 "\"scheme\":\"upto\",\"network\":\"eip155:8453\","
             "\"asset\":\"0xfbC2051AE2265686a469421b2C5A2D5462FbF5eB\","
             "\"payTo\":\"" PAYTO "\",\"amount\":\"1\","
             "\"maxTimeoutSeconds\":1}]}", OG_E_PARSE, "asset");
  expect_bad(A1 "\"scheme\":\"upto\",\"network\":\"eip155:8453\","
             "\"asset\":\"" OPG "\",\"payTo\":\"0x2222\",\"amount\":\"1\","
             "\"maxTimeoutSeconds\":1}]}", OG_E_PARSE, "payTo");
  expect_bad(A1 GOOD_FIELDS ",\"amount\":\"1\",\"extra\":[]}]}", OG_E_PARSE,
             "extra");
  expect_bad(A1 GOOD_FIELDS ",\"amount\":\"1\",\"extra\":"
             "{\"facilitatorAddress\":\"0x11\"}}]}", OG_E_PARSE,
             "facilitatorAddress");
  expect_bad(A1 GOOD_FIELDS ",\"amount\":\"1\",\"extra\":"
             "{\"name\":7}}]}", OG_E_PARSE, "name");
  /* too long fields */
  s = malloc(4096);
  snprintf(s, 4096, A1 "\"scheme\":\"%0100d\",\"network\":\"eip155:8453\","
           "\"asset\":\"" OPG "\",\"payTo\":\"" PAYTO "\",\"amount\":\"1\","
           "\"maxTimeoutSeconds\":1}]}", 0);
  expect_bad(s, OG_E_TOO_LARGE, "scheme");
  free(s);
  /* too many requirements */
  big = malloc(64 * 1024);
  strcpy(big, "{\"x402Version\":2,\"accepts\":[");
  for(i = 0; i < OG_X402_MAX_ACCEPTS + 1; i++)
    strcat(big, i ? ",{}" : "{}");
  strcat(big, "]}");
  expect_bad(big, OG_E_TOO_LARGE, "more than");
  free(big);
  /* a header over the cap */
  big = malloc(OG_X402_MAX_HEADER + 5);
  memset(big, 'A', OG_X402_MAX_HEADER + 4);
  big[OG_X402_MAX_HEADER + 4] = 0;
  assert_int_equal(og_x402_decode_header(&r, big, OG_X402_MAX_HEADER + 4,
                                         &err), OG_E_TOO_LARGE);
  assert_int_equal(og_x402_decode_body(&r, big, OG_X402_MAX_BODY + 1, &err),
                   OG_E_TOO_LARGE);
  free(big);
  /* an overlong error text is cut, control characters made visible */
  big = malloc(8192);
  strcpy(big, "{\"x402Version\":2,\"accepts\":[],\"error\":\"a\\u001bb");
  for(i = 0; i < 1000; i++)
    strcat(big, "\xc3\xa9");
  strcat(big, "\"}");
  assert_int_equal(decode_json_text(&r, big, &err), OG_OK);
  assert_true(strlen(og_x402_required_error(r)) <= OG_X402_MAX_ERROR);
  assert_memory_equal(og_x402_required_error(r), "a\\x1bb\xc3\xa9", 8);
  /* no split UTF-8 sequence at the end */
  {
    const char *e = og_x402_required_error(r);
    size_t n = strlen(e);
    assert_true((unsigned char)e[n - 1] == 0xa9);
  }
  og_x402_required_free(r);
  free(big);
}

static void test_classify(void **state)
{
  og_x402_status st;
  char reason[128];
  char *h;
  static const char spent[] = "{\"error\":\"Session expired or exhausted\"}";
  (void)state;
  og_x402_classify_402(&st, reason, sizeof(reason), NULL, 0, spent,
                       strlen(spent));
  assert_int_equal(st, OG_X402_STATUS_SESSION);
  assert_string_equal(reason, "Session expired or exhausted");

  h = b64("{\"x402Version\":2,\"error\":\"invalid_permit2_signature\","
          "\"accepts\":[]}");
  og_x402_classify_402(&st, reason, sizeof(reason), h, strlen(h), "{}", 2);
  assert_int_equal(st, OG_X402_STATUS_REJECTED);
  assert_string_equal(reason, "invalid_permit2_signature");
  free(h);

  h = b64("{\"x402Version\":2,\"error\":\"Payment required\","
          "\"accepts\":[]}");
  og_x402_classify_402(&st, reason, sizeof(reason), h, strlen(h), "{}", 2);
  assert_int_equal(st, OG_X402_STATUS_REQUIRED);
  assert_string_equal(reason, "Payment required");
  free(h);

  /* a session body wins even when a header is present */
  h = b64("{\"x402Version\":2,\"error\":\"Payment required\","
          "\"accepts\":[]}");
  og_x402_classify_402(&st, reason, sizeof(reason), h, strlen(h), spent,
                       strlen(spent));
  assert_int_equal(st, OG_X402_STATUS_SESSION);
  free(h);

  /* v1 body */
  {
    static const char b[] = "{\"x402Version\":1,\"error\":\"insufficient_funds"
                            "\",\"accepts\":[]}";
    og_x402_classify_402(&st, reason, sizeof(reason), NULL, 0, b,
                         strlen(b));
    assert_int_equal(st, OG_X402_STATUS_REJECTED);
    assert_string_equal(reason, "insufficient_funds");
  }
  /* unreadable things are rejections with a reason */
  og_x402_classify_402(&st, reason, sizeof(reason), "!!", 2, "{}", 2);
  assert_int_equal(st, OG_X402_STATUS_REJECTED);
  assert_non_null(strstr(reason, "unreadable"));
  og_x402_classify_402(&st, reason, sizeof(reason), NULL, 0, NULL, 0);
  assert_int_equal(st, OG_X402_STATUS_REJECTED);
  assert_non_null(strstr(reason, "without a payment requirement"));
  og_x402_classify_402(&st, reason, sizeof(reason), NULL, 0,
                       "{\"error\":\"boom\\n\"}", 18);
  assert_int_equal(st, OG_X402_STATUS_REJECTED);
  assert_string_equal(reason, "boom\\x0a");
  /* a small reason buffer truncates */
  og_x402_classify_402(&st, reason, 8, NULL, 0, spent, strlen(spent));
  assert_string_equal(reason, "Session");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_decode_vector),
    cmocka_unit_test(test_build_vector_a),
    cmocka_unit_test(test_build_eip3009),
    cmocka_unit_test(test_exact_permit2),
    cmocka_unit_test(test_selection),
    cmocka_unit_test(test_v1_body),
    cmocka_unit_test(test_malformed),
    cmocka_unit_test(test_classify),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
