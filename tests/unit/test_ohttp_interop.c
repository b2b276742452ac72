/* OHTTP known answers made by an independent implementation: @hpke/core
 * for HPKE and node:crypto for the answers (tests/devnet/ohttp_vectors.mjs
 * wrote tests/vectors/ohttp_hpke_core.json). The same ephemeral ikm must
 * give the same request bytes, and both answers must open. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "opengradient/og_hpke.h"
#include "opengradient/og_ohttp.h"

typedef struct got {
  og_buf all;
  size_t finals;
} got;

static og_result on_chunk(void *ctx, const unsigned char *pt, size_t n,
                          int final, og_err *err)
{
  got *g = ctx;
  (void)err;
  g->finals += final != 0;
  if(og_buf_add(&g->all, pt, n) || og_buf_addc(&g->all, '|'))
    return OG_E_NOMEM;
  return OG_OK;
}

static void test_hpke_core_vector(void **state)
{
  json_t *v = tu_load_vectors("ohttp_hpke_core.json");
  size_t l, wl, sl, cl, i, step;
  unsigned char sk[32], pk[32];
  unsigned char *ikmR = tu_hex(tu_str(v, "ikmR"), &l);
  unsigned char *skR = tu_hex(tu_str(v, "skR"), &l);
  unsigned char *pkR = tu_hex(tu_str(v, "pkR"), &l);
  unsigned char *ikmE = tu_hex(tu_str(v, "ikmE"), &l);
  unsigned char *w = tu_hex(tu_str(v, "wire"), &wl);
  unsigned char *single = tu_hex(tu_str(v, "single"), &sl);
  unsigned char *chunked = tu_hex(tu_str(v, "chunked"), &cl);
  const char *req = tu_str(v, "request");
  og_ohttp_config cfg;
  og_ohttp_req rq;
  og_buf wire, out, expect;
  json_t *f;
  (void)state;
  assert_int_equal(og_hpke_derive_keypair(sk, pk, ikmR, 32, NULL), OG_OK);
  assert_memory_equal(sk, skR, 32);
  assert_memory_equal(pk, pkR, 32);
  memset(&cfg, 0, sizeof(cfg));
  cfg.key_id = (uint8_t)json_integer_value(json_object_get(v, "key_id"));
  cfg.kem_id = 0x20;
  cfg.kdf_id = 1;
  cfg.aead_id = 3;
  memcpy(cfg.public_key, pkR, 32);
  /* single-shot */
  og_buf_init(&wire, 1 << 20);
  assert_int_equal(og_ohttp_encapsulate(&rq, &wire, &cfg,
                                        (const unsigned char *)req,
                                        strlen(req), 0, ikmE, NULL), OG_OK);
  assert_int_equal(wire.len, wl);
  assert_memory_equal(wire.data, w, wl);
  og_buf_init(&out, 1 << 20);
  assert_int_equal(og_ohttp_open_response(&out, &rq, single, sl, NULL), OG_OK);
  assert_string_equal(og_buf_str(&out), tu_str(v, "single_answer"));
  single[sl - 1] ^= 1;
  og_buf_reset(&out);
  assert_int_equal(og_ohttp_open_response(&out, &rq, single, sl, NULL),
                   OG_E_VERIFY);
  og_buf_free(&out);
  og_ohttp_req_wipe(&rq);
  /* chunked: the same request bytes, the other response secret */
  og_buf_reset(&wire);
  assert_int_equal(og_ohttp_encapsulate(&rq, &wire, &cfg,
                                        (const unsigned char *)req,
                                        strlen(req), 1, ikmE, NULL), OG_OK);
  assert_memory_equal(wire.data, w, wl);
  og_buf_init(&expect, 1 << 20);
  json_array_foreach(json_object_get(v, "frames"), i, f) {
    assert_int_equal(og_buf_addstr(&expect, json_string_value(f)), OG_OK);
    assert_int_equal(og_buf_addc(&expect, '|'), OG_OK);
  }
  for(step = 1; step < 60; step += 11) {
    og_ohttp_chunked rd;
    got g;
    size_t off;
    og_buf_init(&g.all, 1 << 20);
    g.finals = 0;
    og_ohttp_chunked_init(&rd, &rq);
    for(off = 0; off < cl; off += step)
      assert_int_equal(og_ohttp_chunked_feed(&rd, chunked + off,
                                             cl - off < step ? cl - off : step,
                                             on_chunk, &g, NULL), OG_OK);
    assert_int_equal(og_ohttp_chunked_finish(&rd, on_chunk, &g, NULL), OG_OK);
    assert_string_equal(og_buf_str(&g.all), og_buf_str(&expect));
    assert_int_equal(g.finals, 1);
    og_ohttp_chunked_free(&rd);
    og_buf_free(&g.all);
  }
  /* cut before the final chunk: truncation */
  {
    og_ohttp_chunked rd;
    got g;
    og_buf_init(&g.all, 1 << 20);
    g.finals = 0;
    og_ohttp_chunked_init(&rd, &rq);
    assert_int_equal(og_ohttp_chunked_feed(&rd, chunked, cl - 40, on_chunk,
                                           &g, NULL), OG_OK);
    assert_int_not_equal(og_ohttp_chunked_finish(&rd, on_chunk, &g, NULL),
                         OG_OK);
    assert_int_equal(g.finals, 0);
    og_ohttp_chunked_free(&rd);
    og_buf_free(&g.all);
  }
  og_buf_free(&expect);
  og_buf_free(&wire);
  og_ohttp_req_wipe(&rq);
  free(ikmR); free(skR); free(pkR); free(ikmE); free(w); free(single);
  free(chunked);
  json_decref(v);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hpke_core_vector),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
