/* Confidential-mode crypto cost, in one process:
 *  1. seal+open per request: the client's OHTTP encapsulation of a chat
 *     request plus opening a single-shot answer, with the recipient's side
 *     (HPKE SetupBaseR, open, export, response seal) done here too, so the
 *     figure is one whole request/answer round of HPKE + AEAD. Compare with
 *     bench/hpke_peer.mjs (@hpke/core doing the same round).
 *  2. a 100,000-chunk stream through the client's SSE assembler, in clear
 *     and as chunked OHTTP (decrypt each chunk, then the same assembler).
 * Usage: bench_ohttp [--requests N] [--chunks N]   (prints JSON) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "opengradient/og_hpke.h"
#include "opengradient/og_llm.h"
#include "opengradient/og_ohttp.h"

static const char BODY[] =
  "{\"model\": \"gpt-5\", \"messages\": [{\"role\": \"user\", \"content\": "
  "\"Hello, what is the capital of France?\"}], \"max_tokens\": 100, "
  "\"temperature\": 0.0}";
static const char ANSWER[] =
  "{\"status\": 200, \"body\": {\"choices\": [{\"message\": {\"role\": "
  "\"assistant\", \"content\": \"Paris is the capital of France.\"}, "
  "\"finish_reason\": \"stop\"}], \"tee_signature\": \"AAAA\"}}";

static void die(const char *what)
{
  fprintf(stderr, "bench_ohttp: %s failed\n", what);
  exit(1);
}

/* The recipient: open wire, export the response secret into rq. */
static void recipient(og_ohttp_req *rq, const og_buf *wire,
                      const unsigned char sk[32], int chunked)
{
  unsigned char info[64], pt[sizeof BODY + 64];
  static const char lab[] = "message/bhttp request";
  const char *x = chunked ? "message/bhttp chunked response"
                          : "message/bhttp response";
  og_hpke_ctx r;
  memcpy(info, lab, sizeof lab);
  memcpy(info + sizeof lab, wire->data, 7);
  if(og_hpke_setup_base_r(&r, wire->data + 7, sk, info, sizeof lab + 7, NULL) ||
     og_hpke_open(&r, pt, NULL, 0, wire->data + 39, wire->len - 39, NULL))
    die("recipient open");
  memcpy(rq->enc, wire->data + 7, 32);
  if(og_hpke_export(&r, rq->secret, 32, (const unsigned char *)x, strlen(x),
                    NULL))
    die("export");
  og_hpke_ctx_wipe(&r);
}

static int count_chunk(void *user, const og_llm_chunk *c)
{
  (*(size_t *)user)++;
  (void)c;
  return 0;
}

static og_result to_stream(void *ctx, const unsigned char *pt, size_t n,
                           int final, og_err *err)
{
  (void)final;
  return n ? og_llm_stream_feed(ctx, pt, n, err) : OG_OK;
}

int main(int argc, char **argv)
{
  long nreq = atol(bench_arg(argc, argv, "--requests", "2000"));
  long nchunks = atol(bench_arg(argc, argv, "--chunks", "100000"));
  unsigned char sk[32], ikm[32] = {42}, rn[32] = {7}, key[32], nonce[12];
  og_ohttp_config cfg;
  og_buf wire, resp, plain, clear, sealed;
  double t0, t_req, t_clear, t_conf;
  long i;
  int rep;
  (void)bench_client; /* shared helpers this bench does not need */
  (void)bench_request;
  (void)bench_load_cert;
  memset(&cfg, 0, sizeof cfg);
  cfg.key_id = 1;
  cfg.kem_id = 0x20;
  cfg.kdf_id = 1;
  cfg.aead_id = 3;
  if(og_hpke_derive_keypair(sk, cfg.public_key, ikm, 32, NULL))
    die("keypair");
  og_buf_init(&wire, 1 << 16);
  og_buf_init(&resp, 1 << 16);
  og_buf_init(&plain, 1 << 16);

  /* 1. per request */
  t0 = bench_now();
  for(i = 0; i < nreq; i++) {
    og_ohttp_req req, rq;
    unsigned char ct[sizeof ANSWER + 16];
    og_buf_reset(&wire);
    og_buf_reset(&resp);
    og_buf_reset(&plain);
    if(og_ohttp_encapsulate(&req, &wire, &cfg, (const unsigned char *)BODY,
                            sizeof BODY - 1, 0, NULL, NULL))
      die("encapsulate");
    recipient(&rq, &wire, sk, 0);
    if(og_ohttp_response_keys(key, nonce, &rq, rn, NULL) ||
       og_chacha20poly1305_seal(ct, key, nonce, NULL, 0,
                                (const unsigned char *)ANSWER,
                                sizeof ANSWER - 1, NULL) ||
       og_buf_add(&resp, rn, 32) || og_buf_add(&resp, ct, sizeof ct - 1 + 0))
      die("response seal");
    if(og_ohttp_open_response(&plain, &req, resp.data, resp.len, NULL))
      die("open response");
    og_ohttp_req_wipe(&req);
    og_ohttp_req_wipe(&rq);
  }
  t_req = bench_now() - t0;

  /* 2. the stream: SSE frames, in clear and sealed as chunked OHTTP */
  og_buf_init(&clear, (size_t)1 << 31);
  og_buf_init(&sealed, (size_t)1 << 31);
  {
    og_ohttp_req req, rq;
    unsigned char base[12], ct[256], vi[8], n12[12];
    char ev[160];
    og_buf_reset(&wire);
    if(og_ohttp_encapsulate(&req, &wire, &cfg, (const unsigned char *)BODY,
                            sizeof BODY - 1, 1, NULL, NULL))
      die("encapsulate");
    recipient(&rq, &wire, sk, 1);
    if(og_ohttp_response_keys(key, base, &rq, rn, NULL) ||
       og_buf_add(&sealed, rn, 32))
      die("keys");
    for(i = 0; i <= nchunks; i++) {
      int final = i == nchunks;
      size_t len = final ? (size_t)snprintf(ev, sizeof ev, "data: [DONE]\n\n")
                         : (size_t)snprintf(ev, sizeof ev,
                             "data: {\"choices\": [{\"delta\": {\"content\": "
                             "\"tok \", \"role\": \"assistant\"}, \"index\": 0, "
                             "\"finish_reason\": null}], \"model\": \"gpt-5\"}"
                             "\n\n");
      if(og_buf_add(&clear, ev, len))
        die("clear");
      og_hpke_nonce(n12, base, (uint64_t)i);
      if(og_chacha20poly1305_seal(ct, key, n12,
                                  final ? (const unsigned char *)"final" : NULL,
                                  final ? 5 : 0, (const unsigned char *)ev,
                                  len, NULL) ||
         og_buf_add(&sealed, vi, og_quic_varint_put(vi, final ? 0 : len + 16)) ||
         og_buf_add(&sealed, ct, len + 16))
        die("seal chunk");
    }
    /* best of 3, alternating, so that load on a shared box hits both */
    t_clear = t_conf = 1e9;
    for(rep = 0; rep < 3; rep++) {
    /* in clear: the assembler alone, fed in 16 KiB reads */
    {
      size_t got = 0, off;
      og_llm_stream *s = og_llm_stream_new(count_chunk, &got);
      og_llm_result res;
      og_llm_stream_set_chunk_json(s, 0);
      t0 = bench_now();
      for(off = 0; off < clear.len; off += 16384)
        if(og_llm_stream_feed(s, clear.data + off, clear.len - off < 16384 ?
                              clear.len - off : 16384, NULL))
          die("clear feed");
      og_llm_stream_finish(s, &res, NULL);
      if(bench_now() - t0 < t_clear) t_clear = bench_now() - t0;
      og_llm_result_free(&res);
      og_llm_stream_free(s);
      if(got < (size_t)nchunks)
        die("clear chunk count");
    }
    /* confidential: decrypt each chunk, then the same assembler */
    {
      size_t got = 0, off;
      og_llm_stream *s = og_llm_stream_new(count_chunk, &got);
      og_llm_result res;
      og_ohttp_chunked rd;
      og_llm_stream_set_chunk_json(s, 0);
      og_ohttp_chunked_init(&rd, &req);
      t0 = bench_now();
      for(off = 0; off < sealed.len; off += 16384)
        if(og_ohttp_chunked_feed(&rd, sealed.data + off,
                                 sealed.len - off < 16384 ? sealed.len - off
                                                          : 16384,
                                 to_stream, s, NULL))
          die("sealed feed");
      if(og_ohttp_chunked_finish(&rd, to_stream, s, NULL))
        die("sealed finish");
      og_llm_stream_finish(s, &res, NULL);
      if(bench_now() - t0 < t_conf) t_conf = bench_now() - t0;
      og_llm_result_free(&res);
      og_ohttp_chunked_free(&rd);
      og_llm_stream_free(s);
      if(got < (size_t)nchunks)
        die("confidential chunk count");
    }
    }
    og_ohttp_req_wipe(&req);
    og_ohttp_req_wipe(&rq);
  }
  printf("{\"requests\": %ld, \"seal_open_us_per_request\": %.2f, "
         "\"chunks\": %ld, \"clear_s\": %.4f, \"confidential_s\": %.4f}\n",
         nreq, t_req / (double)nreq * 1e6, nchunks, t_clear, t_conf);
  og_buf_free(&wire);
  og_buf_free(&resp);
  og_buf_free(&plain);
  og_buf_free(&clear);
  og_buf_free(&sealed);
  return 0;
}
