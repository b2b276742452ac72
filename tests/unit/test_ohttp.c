/* Oblivious HTTP codec: request layout with fixed keys, single-shot and
 * chunked responses sealed by a recipient written here from the RFC 9458 /
 * chunked-OHTTP text, any split, tampering, truncation, caps, keyConfig. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "opengradient/og_ohttp.h"

static const unsigned char ikmR[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
static const unsigned char ikmE[32] = {9, 8, 7, 6, 5, 4, 3, 2, 1};
static const char body[] = "{\"model\":\"gpt-4.1\",\"messages\":[]}";

typedef struct recip {
  og_hpke_ctx hpke;
  unsigned char enc[32];
} recip;

/* the recipient side: decapsulate wire into r, returning the plaintext */
static unsigned char *decap(recip *r, const unsigned char sk[32],
                            const og_buf *wire, size_t *ptl)
{
  unsigned char info[22 + 7];
  unsigned char *pt;
  memcpy(info, "message/bhttp request", 21);
  info[21] = 0;
  memcpy(info + 22, wire->data, 7);
  memcpy(r->enc, wire->data + 7, 32);
  assert_int_equal(og_hpke_setup_base_r(&r->hpke, r->enc, sk, info,
                                        sizeof(info), NULL), OG_OK);
  *ptl = wire->len - 39 - 16;
  pt = malloc(*ptl + 1);
  assert_int_equal(og_hpke_open(&r->hpke, pt, NULL, 0, wire->data + 39,
                                wire->len - 39, NULL), OG_OK);
  return pt;
}

static void rkeys(const recip *r, const char *label, const unsigned char rn[32],
                  unsigned char key[32], unsigned char nonce[12])
{
  unsigned char secret[32], salt[64], prk[32];
  assert_int_equal(og_hpke_export(&r->hpke, secret, 32,
                                  (const unsigned char *)label, strlen(label),
                                  NULL), OG_OK);
  memcpy(salt, r->enc, 32);
  memcpy(salt + 32, rn, 32);
  assert_int_equal(og_hkdf_sha256_extract(prk, salt, 64, secret, 32, NULL),
                   OG_OK);
  assert_int_equal(og_hkdf_sha256_expand(key, 32, prk,
                                         (const unsigned char *)"key", 3,
                                         NULL), OG_OK);
  assert_int_equal(og_hkdf_sha256_expand(nonce, 12, prk,
                                         (const unsigned char *)"nonce", 5,
                                         NULL), OG_OK);
}

static void setup(og_ohttp_client *st, recip *r, og_buf *wire)
{
  unsigned char sk[32], pk[32], *pt;
  size_t ptl;
  assert_int_equal(og_hpke_derive_keypair(sk, pk, ikmR, 32, NULL), OG_OK);
  og_buf_init(wire, 1 << 20);
  assert_int_equal(og_ohttp_encapsulate(st, wire, 0x01, pk,
                                        (const unsigned char *)body,
                                        strlen(body), ikmE, 32, NULL), OG_OK);
  pt = decap(r, sk, wire, &ptl);
  assert_int_equal(ptl, strlen(body));
  assert_memory_equal(pt, body, ptl);
  free(pt);
}

static void test_request_layout(void **state)
{
  og_ohttp_client st, st2;
  recip r;
  og_buf wire, w2;
  static const unsigned char hdr[7] = {0x01, 0, 0x20, 0, 1, 0, 3};
  unsigned char sk[32], pk[32];
  (void)state;
  setup(&st, &r, &wire);
  assert_int_equal(wire.len, 7 + 32 + strlen(body) + 16);
  assert_memory_equal(wire.data, hdr, 7);
  /* fixed keys give the same bytes; a fresh key does not */
  assert_int_equal(og_hpke_derive_keypair(sk, pk, ikmR, 32, NULL), OG_OK);
  og_buf_init(&w2, 1 << 20);
  assert_int_equal(og_ohttp_encapsulate(&st2, &w2, 0x01, pk,
                                        (const unsigned char *)body,
                                        strlen(body), ikmE, 32, NULL), OG_OK);
  assert_int_equal(w2.len, wire.len);
  assert_memory_equal(w2.data, wire.data, wire.len);
  og_buf_reset(&w2);
  assert_int_equal(og_ohttp_encapsulate(&st2, &w2, 0x07, pk,
                                        (const unsigned char *)body,
                                        strlen(body), NULL, 0, NULL), OG_OK);
  assert_int_equal(w2.data[0], 0x07);
  assert_memory_not_equal(w2.data + 7, wire.data + 7, 32);
  og_buf_free(&w2);
  og_buf_free(&wire);
  og_ohttp_client_wipe(&st);
  og_ohttp_client_wipe(&st2);
  og_hpke_ctx_wipe(&r.hpke);
}

static void test_single_shot(void **state)
{
  og_ohttp_client st;
  recip r;
  og_buf wire, out;
  unsigned char rn[32] = {0xaa}, key[32], nonce[12];
  const char *ans = "{\"status\":200,\"body\":{\"ok\":true}}";
  size_t al = strlen(ans);
  unsigned char *resp = malloc(32 + al + 16);
  og_err err;
  (void)state;
  setup(&st, &r, &wire);
  rkeys(&r, "message/bhttp response", rn, key, nonce);
  memcpy(resp, rn, 32);
  assert_int_equal(og_chacha20poly1305_seal(resp + 32, key, nonce, NULL, 0,
                                            (const unsigned char *)ans, al,
                                            NULL), OG_OK);
  og_buf_init(&out, 1 << 20);
  assert_int_equal(og_ohttp_open_response(&st, &out, resp, 32 + al + 16, &err),
                   OG_OK);
  assert_int_equal(out.len, al);
  assert_memory_equal(out.data, ans, al);
  /* every flipped byte is refused */
  for(size_t i = 0; i < 32 + al + 16; i += 7) {
    og_buf_reset(&out);
    resp[i] ^= 0x10;
    assert_int_equal(og_ohttp_open_response(&st, &out, resp, 32 + al + 16,
                                            &err), OG_E_VERIFY);
    assert_int_equal(out.len, 0);
    resp[i] ^= 0x10;
  }
  assert_int_equal(og_ohttp_open_response(&st, &out, resp, 40, &err),
                   OG_E_PARSE);
  assert_int_equal(og_ohttp_open_response(&st, &out, resp, 32 + 16, &err),
                   OG_E_VERIFY);
  free(resp);
  og_buf_free(&out);
  og_buf_free(&wire);
  og_ohttp_client_wipe(&st);
  og_hpke_ctx_wipe(&r.hpke);
}

/* Seal frames as a chunked response into out. */
static void seal_chunked(recip *r, og_buf *out, const char **frames, size_t n)
{
  unsigned char rn[32] = {0x5c}, key[32], nonce[12];
  size_t i;
  rkeys(r, "message/bhttp chunked response", rn, key, nonce);
  og_buf_init(out, 1 << 22);
  assert_int_equal(og_buf_add(out, rn, 32), OG_OK);
  for(i = 0; i < n; i++) {
    size_t l = strlen(frames[i]);
    int fin = i + 1 == n;
    unsigned char cn[12], v[8], *ct = malloc(l + 16);
    memcpy(cn, nonce, 12);
    cn[11] ^= (unsigned char)i;
    assert_int_equal(og_chacha20poly1305_seal(
                       ct, key, cn, fin ? (const unsigned char *)"final" : NULL,
                       fin ? 5 : 0, (const unsigned char *)frames[i], l, NULL),
                     OG_OK);
    assert_int_equal(og_buf_add(out, v, og_quic_varint_write(v, fin ? 0 : l + 16)),
                     OG_OK);
    assert_int_equal(og_buf_add(out, ct, l + 16), OG_OK);
    free(ct);
  }
}

typedef struct got {
  og_buf all;
  size_t chunks, finals;
} got;

static int on_chunk(void *user, const unsigned char *pt, size_t len, int fin)
{
  got *g = user;
  g->chunks++;
  g->finals += fin != 0;
  assert_int_equal(og_buf_add(&g->all, pt, len), OG_OK);
  assert_int_equal(og_buf_addc(&g->all, '|'), OG_OK);
  return 0;
}

static og_result read_split(const og_ohttp_client *st, const og_buf *wire,
                            size_t step, got *g)
{
  og_ohttp_chunked rd;
  og_result rc;
  size_t off = 0;
  og_err err;
  og_buf_init(&g->all, 1 << 22);
  g->chunks = g->finals = 0;
  assert_int_equal(og_ohttp_chunked_init(&rd, st, on_chunk, g, NULL), OG_OK);
  rc = OG_OK;
  while(!rc && off < wire->len) {
    size_t k = wire->len - off < step ? wire->len - off : step;
    rc = og_ohttp_chunked_feed(&rd, wire->data + off, k, &err);
    off += k;
  }
  if(!rc)
    rc = og_ohttp_chunked_finish(&rd, &err);
  og_ohttp_chunked_free(&rd);
  return rc;
}

static void test_chunked(void **state)
{
  og_ohttp_client st;
  recip r;
  og_buf wire, resp;
  const char *frames[] = {"data: {\"a\":1}\n\n", "data: {\"b\":2}\n\n", "",
                          "data: [DONE]\n\n"};
  static const size_t steps[] = {1, 2, 3, 7, 33, 1000};
  size_t i;
  got g;
  char big[300];
  (void)state;
  setup(&st, &r, &wire);
  seal_chunked(&r, &resp, frames, 4);
  /* frames[2] is empty: a non-final chunk of only a tag */
  for(i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
    assert_int_equal(read_split(&st, &resp, steps[i], &g), OG_OK);
    assert_int_equal(g.chunks, 4);
    assert_int_equal(g.finals, 1);
    assert_string_equal(og_buf_str(&g.all), "data: {\"a\":1}\n\n|data: "
                        "{\"b\":2}\n\n||data: [DONE]\n\n|");
    og_buf_free(&g.all);
  }
  /* truncated anywhere before the final marker: refused */
  for(i = 1; i < resp.len; i++) {
    size_t keep = resp.len;
    og_result rc;
    resp.len = i;
    rc = read_split(&st, &resp, 5, &g);
    og_buf_free(&g.all);
    resp.len = keep;
    assert_int_not_equal(rc, OG_OK);
  }
  /* a flipped byte anywhere: refused */
  for(i = 0; i < resp.len; i++) {
    resp.data[i] ^= 0x01;
    assert_int_not_equal(read_split(&st, &resp, 4, &g), OG_OK);
    og_buf_free(&g.all);
    resp.data[i] ^= 0x01;
  }
  og_buf_free(&resp);
  /* a chunk over 63 bytes takes a 2-byte varint */
  memset(big, 'x', sizeof(big) - 1);
  big[sizeof(big) - 1] = 0;
  frames[0] = big;
  seal_chunked(&r, &resp, frames, 2);
  assert_int_equal(read_split(&st, &resp, 3, &g), OG_OK);
  assert_int_equal(g.chunks, 2);
  og_buf_free(&g.all);
  /* an announced chunk over the cap */
  {
    og_ohttp_chunked rd;
    unsigned char hdr[32 + 4] = {0};
    og_err err;
    hdr[32] = 0x80 | 0x3f; /* 4-byte varint, huge */
    hdr[33] = hdr[34] = hdr[35] = 0xff;
    assert_int_equal(og_ohttp_chunked_init(&rd, &st, on_chunk, &g, NULL),
                     OG_OK);
    assert_int_equal(og_ohttp_chunked_feed(&rd, hdr, sizeof(hdr), &err),
                     OG_E_TOO_LARGE);
    assert_int_not_equal(og_ohttp_chunked_finish(&rd, &err), OG_OK);
    og_ohttp_chunked_free(&rd);
  }
  og_buf_free(&resp);
  og_buf_free(&wire);
  og_ohttp_client_wipe(&st);
  og_hpke_ctx_wipe(&r.hpke);
}

static void test_varint(void **state)
{
  static const uint64_t vals[] = {0, 37, 63, 64, 15293, 16383, 16384,
                                  494878333, 1073741823, 1073741824,
                                  151288809941952652ull};
  unsigned char b[8];
  uint64_t v;
  size_t i, n;
  /* RFC 9000 A.1 examples */
  static const unsigned char e8[8] = {0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14,
                                      0xe8, 0x8c};
  (void)state;
  assert_int_equal(og_quic_varint_read(&v, e8, 8), 8);
  assert_true(v == 151288809941952652ull);
  assert_int_equal(og_quic_varint_read(&v, e8, 7), 0);
  assert_int_equal(og_quic_varint_read(&v, e8, 0), 0);
  for(i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
    n = og_quic_varint_write(b, vals[i]);
    assert_int_equal(og_quic_varint_read(&v, b, n), n);
    assert_true(v == vals[i]);
  }
  assert_int_equal(og_quic_varint_write(b, 15293), 2);
  assert_int_equal(b[0], 0x7b);
  assert_int_equal(b[1], 0xbd);
}

static void test_tee_usable(void **state)
{
  og_tee t;
  unsigned char pk[32] = {3}, kc[41];
  og_err err;
  (void)state;
  memset(&t, 0, sizeof(t));
  assert_int_equal(og_ohttp_tee_usable(&t, &err), OG_E_NO_TEE);
  t.has_ohttp = 1;
  t.ohttp_key_id = 1;
  t.ohttp_kem_id = 0x20;
  t.ohttp_kdf_id = 1;
  t.ohttp_aead_id = 3;
  t.ohttp_public_key = pk;
  t.ohttp_public_key_len = 32;
  assert_int_equal(og_ohttp_tee_usable(&t, &err), OG_OK);
  kc[0] = 1; kc[1] = 0; kc[2] = 0x20;
  memcpy(kc + 3, pk, 32);
  kc[35] = 0; kc[36] = 4;
  kc[37] = 0; kc[38] = 1; kc[39] = 0; kc[40] = 3;
  t.ohttp_key_config = kc;
  t.ohttp_key_config_len = sizeof(kc);
  assert_int_equal(og_ohttp_tee_usable(&t, &err), OG_OK);
  kc[0] = 2;
  assert_int_equal(og_ohttp_tee_usable(&t, &err), OG_E_NO_TEE);
  assert_non_null(strstr(err.msg, "disagrees"));
  kc[0] = 1;
  kc[10] ^= 1;
  assert_int_equal(og_ohttp_tee_usable(&t, &err), OG_E_NO_TEE);
  kc[10] ^= 1;
  kc[40] = 1; /* AES-128-GCM only */
  assert_int_equal(og_ohttp_tee_usable(&t, &err), OG_E_NO_TEE);
  kc[40] = 3;
  t.ohttp_key_config_len = 40;
  assert_int_equal(og_ohttp_tee_usable(&t, &err), OG_E_NO_TEE);
  t.ohttp_key_config_len = 41;
  t.ohttp_aead_id = 1;
  assert_int_equal(og_ohttp_tee_usable(&t, &err), OG_E_NO_TEE);
  t.ohttp_aead_id = 3;
  t.ohttp_public_key_len = 31;
  assert_int_equal(og_ohttp_tee_usable(&t, &err), OG_E_NO_TEE);
}

/* Known answers made by @hpke/core (tests/devnet/ohttp_vectors.mjs): same
 * request bytes from the same ephemeral ikm, and both answers open. */
static void test_hpke_core_vector(void **state)
{
  json_t *v = tu_load_vectors("ohttp_hpke_core.json");
  size_t l, wl, sl, cl, i;
  unsigned char sk[32], pk[32];
  unsigned char *ikmRv = tu_hex(tu_str(v, "ikmR"), &l);
  unsigned char *skR = tu_hex(tu_str(v, "skR"), &l);
  unsigned char *pkR = tu_hex(tu_str(v, "pkR"), &l);
  unsigned char *ikm = tu_hex(tu_str(v, "ikmE"), &l);
  unsigned char *w = tu_hex(tu_str(v, "wire"), &wl);
  unsigned char *single = tu_hex(tu_str(v, "single"), &sl);
  unsigned char *chunked = tu_hex(tu_str(v, "chunked"), &cl);
  const char *req = tu_str(v, "request");
  og_ohttp_client st;
  og_buf wire, out;
  got g;
  json_t *f;
  (void)state;
  assert_int_equal(og_hpke_derive_keypair(sk, pk, ikmRv, 32, NULL), OG_OK);
  assert_memory_equal(sk, skR, 32);
  assert_memory_equal(pk, pkR, 32);
  og_buf_init(&wire, 1 << 20);
  assert_int_equal(og_ohttp_encapsulate(
                     &st, &wire,
                     (uint8_t)json_integer_value(json_object_get(v, "key_id")),
                     pkR, (const unsigned char *)req, strlen(req), ikm, l,
                     NULL), OG_OK);
  assert_int_equal(wire.len, wl);
  assert_memory_equal(wire.data, w, wl);
  og_buf_init(&out, 1 << 20);
  assert_int_equal(og_ohttp_open_response(&st, &out, single, sl, NULL), OG_OK);
  assert_string_equal(og_buf_str(&out), tu_str(v, "single_answer"));
  og_buf_free(&out);
  og_buf_init(&out, 1 << 20);
  json_array_foreach(json_object_get(v, "frames"), i, f) {
    assert_int_equal(og_buf_addstr(&out, json_string_value(f)), OG_OK);
    assert_int_equal(og_buf_addc(&out, '|'), OG_OK);
  }
  og_buf_free(&wire);
  wire.data = chunked;
  wire.len = cl;
  for(i = 1; i < 40; i += 13) {
    assert_int_equal(read_split(&st, &wire, i, &g), OG_OK);
    assert_string_equal(og_buf_str(&g.all), og_buf_str(&out));
    assert_int_equal(g.finals, 1);
    og_buf_free(&g.all);
  }
  og_buf_free(&out);
  og_ohttp_client_wipe(&st);
  free(ikmRv); free(skR); free(pkR); free(ikm); free(w); free(single);
  free(chunked);
  json_decref(v);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_request_layout),
    cmocka_unit_test(test_single_shot),
    cmocka_unit_test(test_chunked),
    cmocka_unit_test(test_varint),
    cmocka_unit_test(test_tee_usable),
    cmocka_unit_test(test_hpke_core_vector),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
