/* Known answers for the TEERegistry reply decoder: both TEEInfo layouts,
 * getTEE, empty lists, every malformed vector, every truncation, and
 * hostile replies built here (aliased tails, caps, mixed layouts). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "opengradient/og_abi.h"
#include "opengradient/og_hex.h"
#include "opengradient/og_registry.h"

/* A number member: JSON integer, or decimal string for big values. */
static uint64_t num(const json_t *obj, const char *key)
{
  const json_t *v = json_object_get(obj, key);
  if(json_is_integer(v))
    return (uint64_t)json_integer_value(v);
  if(json_is_string(v))
    return strtoull(json_string_value(v), NULL, 10);
  fail_msg("vector member '%s' missing", key);
  return 0;
}

static void check_hex_bytes(const unsigned char *p, size_t n,
                            const char *hex, const char *what)
{
  size_t len;
  unsigned char *want = tu_hex(hex, &len);
  if(len != n || (n && memcmp(p, want, n)))
    fail_msg("%s differs (got %zu bytes, want %zu)", what, n, len);
  free(want);
}

static void check_address(const og_address *a, const char *hex)
{
  og_address w;
  /* the vectors use EIP-55 or lowercase */
  assert_int_equal(og_address_from_hex(&w, hex), OG_OK);
  assert_memory_equal(a->b, w.b, 20);
}

static void check_entry(const og_tee *t, const json_t *e, int fields)
{
  og_bytes32 h;
  const json_t *o = json_object_get(e, "ohttpConfig");
  const char *ep = tu_str(e, "endpoint");
  check_address(&t->owner, tu_str(e, "owner"));
  check_address(&t->payment_address, tu_str(e, "paymentAddress"));
  assert_int_equal(t->endpoint_len, strlen(ep));
  assert_string_equal(t->endpoint, ep); /* and NUL-terminated */
  check_hex_bytes(t->public_key, t->public_key_len, tu_str(e, "publicKey"),
                  "publicKey");
  check_hex_bytes(t->tls_cert, t->tls_cert_len, tu_str(e, "tlsCertificate"),
                  "tlsCertificate");
  assert_int_equal(og_bytes32_from_hex(&h, tu_str(e, "pcrHash")), OG_OK);
  assert_memory_equal(t->pcr_hash.b, h.b, 32);
  assert_int_equal(t->tee_type, num(e, "teeType"));
  assert_int_equal(t->enabled,
                   json_is_true(json_object_get(e, "enabled")) ? 1 : 0);
  assert_true(t->registered_at == num(e, "registeredAt"));
  assert_true(t->last_heartbeat_at == num(e, "lastHeartbeatAt"));
  assert_int_equal(og_bytes32_from_hex(&h, tu_str(e, "tee_id")), OG_OK);
  assert_memory_equal(t->id.b, h.b, 32);
  if(json_object_get(e, "tls_cert_sha256")) {
    unsigned char d[32];
    char hex[65];
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, t->tls_cert_len, t->tls_cert);
    sha256_digest(&c, 32, d);
    og_hex_encode(hex, d, 32);
    assert_string_equal(hex, tu_str(e, "tls_cert_sha256"));
  }
  assert_int_equal(t->has_ohttp, fields == 11);
  if(fields == 11) {
    assert_non_null(o);
    assert_int_equal(t->ohttp_key_id, num(o, "keyId"));
    assert_int_equal(t->ohttp_kem_id, num(o, "kemId"));
    assert_int_equal(t->ohttp_kdf_id, num(o, "kdfId"));
    assert_int_equal(t->ohttp_aead_id, num(o, "aeadId"));
    check_hex_bytes(t->ohttp_public_key, t->ohttp_public_key_len,
                    tu_str(o, "publicKey"), "ohttp publicKey");
    check_hex_bytes(t->ohttp_key_config, t->ohttp_key_config_len,
                    tu_str(o, "keyConfig"), "ohttp keyConfig");
    assert_true(t->ohttp_registered_at == num(o, "registeredAt"));
  }
  else {
    assert_null(t->ohttp_public_key);
    assert_int_equal(t->ohttp_public_key_len, 0);
  }
}

static void check_list(const char *hex, const json_t *entries, int fields)
{
  size_t n, i;
  unsigned char *data = tu_hex(hex, &n);
  og_tee_list list;
  og_err err;
  og_result r = og_registry_decode_tees(&list, data, n, &err);
  if(r == OG_OK)
    og_tee_list_compute_ids(&list);
  if(r)
    fail_msg("decode failed: %s", err.msg);
  assert_int_equal(list.count, json_array_size(entries));
  for(i = 0; i < list.count; i++)
    check_entry(&list.items[i], json_array_get(entries, i), fields);
  og_tee_list_free(&list);
  assert_null(list.items);
  assert_int_equal(list.count, 0);
  og_tee_list_free(&list); /* twice is harmless */
  free(data);
}

static void test_both_layouts(void **state)
{
  json_t *v = tu_load_vectors("abi_get_active_tees.json");
  json_t *l10 = json_object_get(v, "layout_10");
  json_t *l11 = json_object_get(v, "layout_11");
  (void)state;
  check_list(tu_str(l10, "data"), json_object_get(l10, "entries"), 10);
  check_list(tu_str(l11, "data"), json_object_get(l11, "entries"), 11);
  json_decref(v);
}

static void test_empty_and_get_tee(void **state)
{
  json_t *v = tu_load_vectors("abi_get_active_tees.json");
  size_t n;
  unsigned char *data = tu_hex(tu_str(json_object_get(v, "empty_result"),
                                      "data"), &n);
  og_tee_list list;
  og_err err;
  (void)state;
  assert_int_equal(n, 64);
  assert_int_equal(og_registry_decode_tees(&list, data, n, &err), OG_OK);
  assert_int_equal(list.count, 0);
  og_tee_list_free(&list);
  /* an empty list is not a getTEE answer */
  assert_int_not_equal(og_registry_decode_tee(&list, data, n, &err), OG_OK);
  /* nothing at all is an error, never "no TEEs" */
  assert_int_equal(og_registry_decode_tees(&list, data, 0, &err),
                   OG_E_PARSE);
  free(data);

  data = tu_hex(tu_str(json_object_get(v, "getTEE_entryA_10"), "data"), &n);
  assert_int_equal(og_registry_decode_tee(&list, data, n, &err), OG_OK);
  assert_int_equal(list.count, 1);
  og_tee_list_compute_ids(&list);
  check_entry(&list.items[0],
              json_array_get(json_object_get(json_object_get(v, "layout_10"),
                                             "entries"), 0), 10);
  og_tee_list_free(&list);
  free(data);
  json_decref(v);
}

static void test_malformed_vectors(void **state)
{
  json_t *v = tu_load_vectors("abi_get_active_tees.json"), *c;
  size_t i, n;
  (void)state;
  assert_int_equal(json_array_size(json_object_get(v, "malformed")), 10);
  json_array_foreach(json_object_get(v, "malformed"), i, c) {
    unsigned char *data = tu_hex(tu_str(c, "data"), &n);
    og_tee_list list;
    og_err err;
    og_result r = og_registry_decode_tees(&list, data, n, &err);
    if(r == OG_OK)
      fail_msg("malformed %s was accepted", tu_str(c, "name"));
    assert_true(r == OG_E_PARSE || r == OG_E_TOO_LARGE);
    assert_true(strlen(err.msg) > 0);
    assert_null(list.items);
    assert_null(list.storage);
    assert_int_equal(list.count, 0);
    /* a getTEE reader must not accept them either */
    assert_int_not_equal(og_registry_decode_tee(&list, data, n, NULL), OG_OK);
    free(data);
  }
  json_decref(v);
}

static void test_cast_lists(void **state)
{
  json_t *v = tu_load_vectors("abi_cast.json"), *c;
  size_t i, n;
  (void)state;
  json_array_foreach(json_object_get(v, "tee_lists"), i, c) {
    int fields = (int)num(c, "fields");
    if(!strcmp(tu_str(c, "expected"), "accept")) {
      check_list(tu_str(c, "data"), json_object_get(c, "entries"), fields);
    }
    else {
      unsigned char *data = tu_hex(tu_str(c, "data"), &n);
      og_tee_list list;
      og_err err;
      assert_int_equal(og_registry_decode_tees(&list, data, n, &err),
                       OG_E_PARSE);
      free(data);
    }
  }
  json_array_foreach(json_object_get(v, "get_tee"), i, c) {
    unsigned char *data = tu_hex(tu_str(c, "data"), &n);
    og_tee_list list;
    og_err err;
    assert_int_equal(og_registry_decode_tee(&list, data, n, &err), OG_OK);
    assert_int_equal(list.count, 1);
    og_tee_list_compute_ids(&list);
    check_entry(&list.items[0], json_object_get(c, "entry"),
                (int)num(c, "fields"));
    og_tee_list_free(&list);
    free(data);
  }
  json_decref(v);
}

/* Every proper prefix of a valid reply is rejected. */
static void test_truncations(void **state)
{
  json_t *v = tu_load_vectors("abi_get_active_tees.json");
  const char *which[] = {"layout_10", "layout_11", "getTEE_entryA_10"};
  size_t w, n, k;
  (void)state;
  for(w = 0; w < 3; w++) {
    unsigned char *data = tu_hex(tu_str(json_object_get(v, which[w]),
                                        "data"), &n);
    for(k = 0; k < n; k++) {
      og_tee_list list;
      og_result r = w < 2 ? og_registry_decode_tees(&list, data, k, NULL)
                          : og_registry_decode_tee(&list, data, k, NULL);
      if(r == OG_OK)
        fail_msg("%s cut to %zu bytes was accepted", which[w], k);
    }
    free(data);
  }
  json_decref(v);
}

/* Encode one TEEInfo from a vector entry; extra adds trailing uint words
 * (a layout neither 10 nor 11 fields long). */
static void encode_entry(og_abi_enc *e, const json_t *t, int fields,
                         int extra)
{
  og_address a;
  og_bytes32 h;
  size_t n;
  unsigned char *p;
  og_abi_tuple_begin(e);
  assert_int_equal(og_address_from_hex(&a, tu_str(t, "owner")), OG_OK);
  og_abi_add_address(e, &a);
  assert_int_equal(og_address_from_hex(&a, tu_str(t, "paymentAddress")),
                   OG_OK);
  og_abi_add_address(e, &a);
  og_abi_add_string(e, tu_str(t, "endpoint"));
  p = tu_hex(tu_str(t, "publicKey"), &n);
  og_abi_add_bytes(e, p, n);
  free(p);
  p = tu_hex(tu_str(t, "tlsCertificate"), &n);
  og_abi_add_bytes(e, p, n);
  free(p);
  assert_int_equal(og_bytes32_from_hex(&h, tu_str(t, "pcrHash")), OG_OK);
  og_abi_add_bytes32(e, &h);
  og_abi_add_uint(e, num(t, "teeType"));
  og_abi_add_bool(e, json_is_true(json_object_get(t, "enabled")));
  og_abi_add_uint(e, num(t, "registeredAt"));
  og_abi_add_uint(e, num(t, "lastHeartbeatAt"));
  if(fields == 11) {
    const json_t *o = json_object_get(t, "ohttpConfig");
    og_abi_tuple_begin(e);
    og_abi_add_uint(e, num(o, "keyId"));
    og_abi_add_uint(e, num(o, "kemId"));
    og_abi_add_uint(e, num(o, "kdfId"));
    og_abi_add_uint(e, num(o, "aeadId"));
    p = tu_hex(tu_str(o, "publicKey"), &n);
    og_abi_add_bytes(e, p, n);
    free(p);
    p = tu_hex(tu_str(o, "keyConfig"), &n);
    og_abi_add_bytes(e, p, n);
    free(p);
    og_abi_add_uint(e, num(o, "registeredAt"));
    og_abi_tuple_end(e);
  }
  while(extra-- > 0)
    og_abi_add_uint(e, 0);
  og_abi_tuple_end(e);
}

/* Encode a TEEInfo[] return value: fields[i] gives each entry's layout. */
static unsigned char *encode_list(const json_t *entries, const int *fields,
                                  const int *extra, size_t count,
                                  size_t *len)
{
  og_abi_enc e;
  og_buf out;
  size_t i;
  og_buf_init(&out, 1 << 22);
  og_abi_enc_init(&e, 1 << 22);
  og_abi_array_begin(&e);
  for(i = 0; i < count; i++)
    encode_entry(&e, json_array_get(entries, i % json_array_size(entries)),
                 fields[i], extra ? extra[i] : 0);
  og_abi_array_end(&e);
  assert_int_equal(og_abi_enc_finish(&e, &out), OG_OK);
  return og_buf_take(&out, len);
}

/* Our encoder reproduces cast's bytes for both TEEInfo[] layouts. */
static void test_encoder_matches_vectors(void **state)
{
  json_t *v = tu_load_vectors("abi_get_active_tees.json");
  const char *names[] = {"layout_10", "layout_11"};
  int f10[] = {10, 10}, f11[] = {11, 11};
  size_t w;
  (void)state;
  for(w = 0; w < 2; w++) {
    json_t *l = json_object_get(v, names[w]);
    size_t n, wn;
    unsigned char *got = encode_list(json_object_get(l, "entries"),
                                     w ? f11 : f10, NULL, 2, &n);
    unsigned char *want = tu_hex(tu_str(l, "data"), &wn);
    assert_int_equal(n, wn);
    assert_memory_equal(got, want, n);
    free(got);
    free(want);
  }
  json_decref(v);
}

static og_result decode(const unsigned char *d, size_t n, og_err *err)
{
  og_tee_list list;
  og_result r = og_registry_decode_tees(&list, d, n, err);
  og_tee_list_free(&list);
  return r;
}

static void set_word(unsigned char *data, size_t pos, uint64_t v)
{
  int k;
  memset(data + pos, 0, 32);
  for(k = 0; k < 8; k++)
    data[pos + 31 - k] = (unsigned char)(v >> (8 * k));
}

static void test_hostile_replies(void **state)
{
  json_t *v = tu_load_vectors("abi_get_active_tees.json");
  json_t *e10 = json_object_get(json_object_get(v, "layout_10"), "entries");
  json_t *l10 = json_object_get(v, "layout_10");
  json_t *l11 = json_object_get(v, "layout_11");
  unsigned char *data, *big;
  size_t n, k, elen;
  og_err err;
  int mixed[] = {10, 11}, f12[] = {10}, extra2[] = {2}, f10x3[] = {10, 10,
                                                                   10};
  (void)state;

  /* element offsets aliasing one element: the copies would outgrow the
   * reply, so they are refused rather than multiplied */
  {
    /* entry B: small fields, so two copies fit in its own encoding */
    json_t *only_b = json_array();
    json_array_append(only_b, json_array_get(e10, 1));
    data = encode_list(only_b, f10x3, NULL, 1, &n);
    json_decref(only_b);
  }
  elen = n - 0x60;
  big = calloc(1, 0x40 + 16 * 32 + elen);
  assert_non_null(big);
  set_word(big, 0, 0x20);
  set_word(big, 0x20, 16);
  for(k = 0; k < 16; k++)
    set_word(big, 0x40 + 32 * k, 16 * 32);
  memcpy(big + 0x40 + 16 * 32, data + 0x60, elen);
  assert_int_equal(decode(big, 0x40 + 16 * 32 + elen, &err), OG_E_PARSE);
  assert_non_null(strstr(err.msg, "overlap"));
  /* two aliases still fit in the reply's size and decode the same */
  set_word(big, 0x20, 2);
  for(k = 0; k < 2; k++)
    set_word(big, 0x40 + 32 * k, 2 * 32);
  memmove(big + 0x80, big + 0x40 + 16 * 32, elen);
  {
    og_tee_list list;
    assert_int_equal(og_registry_decode_tees(&list, big, 0x80 + elen, &err),
                     OG_OK);
    assert_int_equal(list.count, 2);
    og_tee_list_compute_ids(&list);
    assert_memory_equal(list.items[0].id.b, list.items[1].id.b, 32);
    og_tee_list_free(&list);
  }
  free(big);
  free(data);

  /* more entries than the cap, all in bounds */
  n = 0x40 + (OG_TEE_MAX_ENTRIES + 1) * 32;
  big = calloc(1, n);
  assert_non_null(big);
  set_word(big, 0, 0x20);
  set_word(big, 0x20, OG_TEE_MAX_ENTRIES + 1);
  assert_int_equal(decode(big, n, &err), OG_E_TOO_LARGE);
  free(big);
  /* a reply over the size cap */
  n = OG_REGISTRY_MAX_REPLY + 32;
  big = calloc(1, n);
  assert_non_null(big);
  assert_int_equal(decode(big, n, &err), OG_E_TOO_LARGE);
  free(big);

  /* field caps: an endpoint of the cap is fine, one byte more is not */
  {
    json_t *one = json_array(), *t = json_deep_copy(json_array_get(e10, 0));
    char *ep = malloc(OG_TEE_MAX_ENDPOINT + 2);
    og_tee_list list;
    assert_non_null(ep);
    memset(ep, 'e', OG_TEE_MAX_ENDPOINT + 1);
    ep[OG_TEE_MAX_ENDPOINT + 1] = 0;
    json_object_set_new(t, "endpoint", json_string(ep));
    json_array_append_new(one, t);
    data = encode_list(one, f10x3, NULL, 1, &n);
    assert_int_equal(decode(data, n, &err), OG_E_TOO_LARGE);
    free(data);
    ep[OG_TEE_MAX_ENDPOINT] = 0;
    json_object_set_new(t, "endpoint", json_string(ep));
    data = encode_list(one, f10x3, NULL, 1, &n);
    assert_int_equal(og_registry_decode_tees(&list, data, n, &err), OG_OK);
    assert_int_equal(list.items[0].endpoint_len, OG_TEE_MAX_ENDPOINT);
    og_tee_list_free(&list);
    free(data);
    free(ep);
    json_decref(one);
  }

  /* one layout per reply */
  data = encode_list(json_object_get(l11, "entries"), mixed, NULL, 2, &n);
  assert_int_equal(decode(data, n, &err), OG_E_PARSE);
  assert_non_null(strstr(err.msg, "layout differs"));
  free(data);
  /* a 12-word head is neither layout */
  data = encode_list(e10, f12, extra2, 1, &n);
  assert_int_equal(decode(data, n, &err), OG_E_PARSE);
  assert_non_null(strstr(err.msg, "unknown layout"));
  free(data);

  /* in-place edits of the 10-field vector (entry A at 0x80) */
  data = tu_hex(tu_str(l10, "data"), &n);
  assert_int_equal(decode(data, n, &err), OG_OK);
  data[0x1f8] = 1; /* padding after the 22-byte endpoint */
  assert_int_equal(decode(data, n, &err), OG_E_PARSE);
  data[0x1f8] = 0;
  set_word(data, 0x60, 0x20); /* element 1 inside the offset table */
  assert_int_equal(decode(data, n, &err), OG_E_PARSE);
  set_word(data, 0x60, 0x548); /* unaligned */
  assert_int_equal(decode(data, n, &err), OG_E_PARSE);
  set_word(data, 0x60, 0x540);
  set_word(data, 0xe0, 0x100); /* publicKey offset into the head */
  assert_int_equal(decode(data, n, &err), OG_E_PARSE);
  set_word(data, 0xe0, 0x180);
  data[0x0] = 1; /* top offset dirty */
  assert_int_equal(decode(data, n, &err), OG_E_PARSE);
  data[0x0] = 0;
  assert_int_equal(decode(data, n, &err), OG_OK);
  free(data);

  /* 11-field vector: ohttpConfig of entry A at 0x5a0 */
  data = tu_hex(tu_str(l11, "data"), &n);
  assert_int_equal(decode(data, n, &err), OG_OK);
  data[0x5c0 + 29] = 1; /* kemId over 16 bits */
  assert_int_equal(decode(data, n, &err), OG_E_PARSE);
  data[0x5c0 + 29] = 0;
  set_word(data, 0x80 + 0x140, 0x140); /* ohttpConfig offset into head */
  assert_int_equal(decode(data, n, &err), OG_E_PARSE);
  set_word(data, 0x80 + 0x140, 0x520);
  set_word(data, 0x5a0 + 0x80, 0x20); /* ohttp publicKey into its head */
  assert_int_equal(decode(data, n, &err), OG_E_PARSE);
  set_word(data, 0x5a0 + 0x80, 0xe0);
  assert_int_equal(decode(data, n, &err), OG_OK);
  free(data);
  json_decref(v);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_both_layouts),
    cmocka_unit_test(test_empty_and_get_tee),
    cmocka_unit_test(test_malformed_vectors),
    cmocka_unit_test(test_cast_lists),
    cmocka_unit_test(test_truncations),
    cmocka_unit_test(test_encoder_matches_vectors),
    cmocka_unit_test(test_hostile_replies),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
