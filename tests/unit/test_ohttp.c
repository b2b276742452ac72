/* Oblivious HTTP codec: request encapsulation opened by a recipient built
 * from the HPKE primitives, single-shot and chunked responses, truncation
 * and tampering, QUIC varints, the registry OhttpConfig checks. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "opengradient/og_hpke.h"
#include "opengradient/og_ohttp.h"

static const unsigned char IKM_R[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

typedef struct recip {
  og_ohttp_req req; /* enc + the secret as the recipient exports it */
  unsigned char key[32], nonce[12];
  uint64_t ctr;
} recip;

/* Recipient side: open wire, check it holds body, export the secret. */
static void recipient_open(recip *rc, const og_buf *wire, const char *body,
                           int chunked)
{
  unsigned char sk[32], pk[32], info[64], *pt;
  const char *label = "message/bhttp request";
  size_t il = strlen(label) + 1, ctn;
  og_hpke_ctx r;
  const char *xl = chunked ? "message/bhttp chunked response"
                           : "message/bhttp response";
  assert_int_equal(og_hpke_derive_keypair(sk, pk, IKM_R, 32, NULL), OG_OK);
  memcpy(info, label, il);
  memcpy(info + il, wire->data, 7);
  assert_int_equal(wire->data[0], 0x07);
  assert_memory_equal(wire->data + 1, "\x00\x20\x00\x01\x00\x03", 6);
  assert_int_equal(og_hpke_setup_base_r(&r, wire->data + 7, sk, info, il + 7,
                                        NULL), OG_OK);
  ctn = wire->len - 39;
  pt = malloc(ctn);
  assert_int_equal(og_hpke_open(&r, pt, NULL, 0, wire->data + 39, ctn, NULL),
                   OG_OK);
  assert_int_equal(ctn - 16, strlen(body));
  assert_memory_equal(pt, body, ctn - 16);
  free(pt);
  memcpy(rc->req.enc, wire->data + 7, 32);
  assert_int_equal(og_hpke_export(&r, rc->req.secret, 32,
                                  (const unsigned char *)xl, strlen(xl), NULL),
                   OG_OK);
  og_hpke_ctx_wipe(&r);
  rc->ctr = 0;
}

static void make_cfg(og_ohttp_config *cfg)
{
  unsigned char sk[32];
  memset(cfg, 0, sizeof *cfg);
  assert_int_equal(og_hpke_derive_keypair(sk, cfg->public_key, IKM_R, 32,
                                          NULL), OG_OK);
  cfg->key_id = 7;
  cfg->kem_id = 0x20;
  cfg->kdf_id = 1;
  cfg->aead_id = 3;
}

static void seal_chunk(recip *rc, og_buf *out, const char *pt, int final)
{
  unsigned char nonce[12], vi[8], *ct;
  size_t n = strlen(pt);
  int i;
  memcpy(nonce, rc->nonce, 12);
  for(i = 0; i < 8; i++)
    nonce[11 - i] ^= (unsigned char)(rc->ctr >> (8 * i));
  rc->ctr++;
  ct = malloc(n + 16);
  assert_int_equal(og_chacha20poly1305_seal(ct, rc->key, nonce,
                                            final ? (const unsigned char *)"final" : NULL,
                                            final ? 5 : 0,
                                            (const unsigned char *)pt, n, NULL),
                   OG_OK);
  assert_int_equal(og_buf_add(out, vi, og_quic_varint_put(vi, final ? 0 : n + 16)),
                   OG_OK);
  assert_int_equal(og_buf_add(out, ct, n + 16), OG_OK);
  free(ct);
}

static void test_single_shot(void **state)
{
  og_ohttp_config cfg;
  og_ohttp_req req;
  og_buf wire, resp, plain;
  recip rc;
  unsigned char rn[32] = {9, 9, 9}, *ct;
  const char *body = "{\"model\":\"m\"}", *ans = "{\"status\":200}";
  size_t n = strlen(ans);
  (void)state;
  make_cfg(&cfg);
  og_buf_init(&wire, 1 << 16);
  og_buf_init(&resp, 1 << 16);
  og_buf_init(&plain, 1 << 16);
  assert_int_equal(og_ohttp_encapsulate(&req, &wire, &cfg,
                                        (const unsigned char *)body,
                                        strlen(body), 0, NULL, NULL), OG_OK);
  assert_int_equal(wire.len, 7 + 32 + strlen(body) + 16);
  recipient_open(&rc, &wire, body, 0);
  assert_memory_equal(rc.req.secret, req.secret, 32);
  assert_int_equal(og_ohttp_response_keys(rc.key, rc.nonce, &rc.req, rn, NULL),
                   OG_OK);
  ct = malloc(n + 16);
  assert_int_equal(og_chacha20poly1305_seal(ct, rc.key, rc.nonce, NULL, 0,
                                            (const unsigned char *)ans, n,
                                            NULL), OG_OK);
  assert_int_equal(og_buf_add(&resp, rn, 32), OG_OK);
  assert_int_equal(og_buf_add(&resp, ct, n + 16), OG_OK);
  assert_int_equal(og_ohttp_open_response(&plain, &req, resp.data, resp.len,
                                          NULL), OG_OK);
  assert_string_equal(og_buf_str(&plain), ans);
  /* tampered, truncated, too short */
  og_buf_reset(&plain);
  resp.data[40] ^= 0x10;
  assert_int_equal(og_ohttp_open_response(&plain, &req, resp.data, resp.len,
                                          NULL), OG_E_VERIFY);
  assert_int_equal(plain.len, 0);
  resp.data[40] ^= 0x10;
  assert_int_equal(og_ohttp_open_response(&plain, &req, resp.data,
                                          resp.len - 1, NULL), OG_E_VERIFY);
  assert_int_equal(og_ohttp_open_response(&plain, &req, resp.data, 40, NULL),
                   OG_E_PARSE);
  /* another suite is refused */
  cfg.aead_id = 1;
  assert_int_equal(og_ohttp_encapsulate(&req, &wire, &cfg,
                                        (const unsigned char *)body,
                                        strlen(body), 0, NULL, NULL),
                   OG_E_USAGE);
  free(ct);
  og_ohttp_req_wipe(&req);
  og_buf_free(&wire);
  og_buf_free(&resp);
  og_buf_free(&plain);
}

typedef struct collect {
  og_buf all;
  int chunks, finals;
} collect;

static og_result on_chunk(void *ctx, const unsigned char *pt, size_t n,
                          int final, og_err *err)
{
  collect *c = ctx;
  (void)err;
  c->chunks++;
  c->finals += final;
  return og_buf_add(&c->all, pt, n);
}

static void test_chunked(void **state)
{
  og_ohttp_config cfg;
  og_ohttp_req req;
  og_ohttp_chunked rd;
  og_buf wire, resp;
  recip rc;
  collect col;
  unsigned char rn[32] = {4};
  const char *body = "{\"stream\":true}";
  size_t i, step;
  og_err err;
  (void)state;
  make_cfg(&cfg);
  og_buf_init(&wire, 1 << 16);
  og_buf_init(&resp, 1 << 20);
  assert_int_equal(og_ohttp_encapsulate(&req, &wire, &cfg,
                                        (const unsigned char *)body,
                                        strlen(body), 1, NULL, NULL), OG_OK);
  recipient_open(&rc, &wire, body, 1);
  assert_int_equal(og_ohttp_response_keys(rc.key, rc.nonce, &rc.req, rn, NULL),
                   OG_OK);
  assert_int_equal(og_buf_add(&resp, rn, 32), OG_OK);
  seal_chunk(&rc, &resp, "data: {\"a\":1}\n\n", 0);
  for(i = 0; i < 40; i++)
    seal_chunk(&rc, &resp, "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n", 0);
  seal_chunk(&rc, &resp, "data: [DONE]\n\n", 1);
  /* fed in every step size from 1 byte to whole */
  for(step = 1; step <= resp.len; step = step < 64 ? step + 1 : step * 3) {
    size_t off;
    og_buf_init(&col.all, 1 << 20);
    col.chunks = col.finals = 0;
    og_ohttp_chunked_init(&rd, &req);
    for(off = 0; off < resp.len; off += step)
      assert_int_equal(og_ohttp_chunked_feed(&rd, resp.data + off,
                                             resp.len - off < step ? resp.len - off : step,
                                             on_chunk, &col, &err), OG_OK);
    assert_int_equal(col.chunks, 41);
    assert_int_equal(og_ohttp_chunked_finish(&rd, on_chunk, &col, &err), OG_OK);
    assert_int_equal(col.chunks, 42);
    assert_int_equal(col.finals, 1);
    assert_int_equal(col.all.len, 15 + 40 * 47 + 14);
    og_ohttp_chunked_free(&rd);
    og_buf_free(&col.all);
  }
  /* truncation at every point before the final chunk's tag is complete */
  for(i = 0; i < resp.len; i++) {
    og_result a, b;
    og_buf_init(&col.all, 1 << 20);
    og_ohttp_chunked_init(&rd, &req);
    a = og_ohttp_chunked_feed(&rd, resp.data, i, on_chunk, &col, &err);
    b = og_ohttp_chunked_finish(&rd, on_chunk, &col, &err);
    assert_true(a != OG_OK || b != OG_OK);
    og_ohttp_chunked_free(&rd);
    og_buf_free(&col.all);
  }
  /* a flipped byte anywhere after the nonce fails */
  for(i = 32; i < resp.len; i += 7) {
    og_result a, b = OG_OK;
    og_buf_init(&col.all, 1 << 20);
    og_ohttp_chunked_init(&rd, &req);
    resp.data[i] ^= 0x01;
    a = og_ohttp_chunked_feed(&rd, resp.data, resp.len, on_chunk, &col, &err);
    if(a == OG_OK)
      b = og_ohttp_chunked_finish(&rd, on_chunk, &col, &err);
    assert_true(a != OG_OK || b != OG_OK);
    resp.data[i] ^= 0x01;
    og_ohttp_chunked_free(&rd);
    og_buf_free(&col.all);
  }
  og_ohttp_req_wipe(&req);
  og_buf_free(&wire);
  og_buf_free(&resp);
}

static void test_varint(void **state)
{
  const uint64_t vals[] = {0, 63, 64, 16383, 16384, 1073741823u, 1073741824u,
                           4611686018427387903ull};
  const size_t lens[] = {1, 1, 2, 2, 4, 4, 8, 8};
  unsigned char b[8];
  size_t i;
  uint64_t v;
  (void)state;
  for(i = 0; i < sizeof vals / sizeof vals[0]; i++) {
    size_t n = og_quic_varint_put(b, vals[i]);
    assert_int_equal(n, lens[i]);
    assert_int_equal(og_quic_varint_get(&v, b, n - 1), 0);
    assert_int_equal(og_quic_varint_get(&v, b, n), n);
    assert_true(v == vals[i]);
  }
  /* RFC 9000 A.1 examples */
  assert_int_equal(og_quic_varint_get(&v, (const unsigned char *)"\x7b\xbd", 2), 2);
  assert_int_equal(v, 15293);
  assert_int_equal(og_quic_varint_get(&v, (const unsigned char *)"\x9d\x7f\x3e\x7d", 4), 4);
  assert_int_equal(v, 494878333);
}

static void test_config_from_tee(void **state)
{
  og_tee t;
  og_ohttp_config cfg;
  unsigned char pk[32], kc[41];
  og_err err;
  (void)state;
  memset(&t, 0, sizeof t);
  memset(pk, 0x42, 32);
  assert_int_equal(og_ohttp_config_from_tee(&cfg, &t, &err), OG_E_NO_TEE);
  t.has_ohttp = 1;
  t.ohttp_key_id = 1;
  t.ohttp_kem_id = 0x20;
  t.ohttp_kdf_id = 1;
  t.ohttp_aead_id = 3;
  t.ohttp_public_key = pk;
  t.ohttp_public_key_len = 31;
  assert_int_equal(og_ohttp_config_from_tee(&cfg, &t, &err), OG_E_NO_TEE);
  t.ohttp_public_key_len = 32;
  assert_int_equal(og_ohttp_config_from_tee(&cfg, &t, &err), OG_OK);
  kc[0] = 1; kc[1] = 0; kc[2] = 0x20;
  memcpy(kc + 3, pk, 32);
  kc[35] = 0; kc[36] = 4; kc[37] = 0; kc[38] = 1; kc[39] = 0; kc[40] = 3;
  t.ohttp_key_config = kc;
  t.ohttp_key_config_len = 41;
  assert_int_equal(og_ohttp_config_from_tee(&cfg, &t, &err), OG_OK);
  assert_int_equal(cfg.key_id, 1);
  kc[0] = 2; /* key id disagrees */
  assert_int_equal(og_ohttp_config_from_tee(&cfg, &t, &err), OG_E_NO_TEE);
  kc[0] = 1;
  kc[10] ^= 1; /* key disagrees */
  assert_int_equal(og_ohttp_config_from_tee(&cfg, &t, &err), OG_E_NO_TEE);
  kc[10] ^= 1;
  t.ohttp_aead_id = 1; /* another suite */
  assert_int_equal(og_ohttp_config_from_tee(&cfg, &t, &err), OG_E_NO_TEE);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_single_shot),
    cmocka_unit_test(test_chunked),
    cmocka_unit_test(test_varint),
    cmocka_unit_test(test_config_from_tee),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
