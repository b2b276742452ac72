/* Bench: Oblivious HTTP from memory (no network).
 *
 *   bench_ohttp seal [N]      N requests: the client seals a chat request,
 *                             the recipient opens it and seals an answer,
 *                             the client opens the answer. Prints
 *                             {"requests": N, "us_per_request": X}; the
 *                             same steps run on @hpke/core in
 *                             bench/ohttp_hpke_core.mjs.
 *   bench_ohttp stream [N]    N gateway-shaped SSE chunks (default 100000)
 *                             through the SSE parser in the clear, and
 *                             sealed as a chunked OHTTP answer through the
 *                             chunked reader then the same parser, fed 16
 *                             KiB at a time; best of 5 each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opengradient/og_hpke.h"
#include "opengradient/og_ohttp.h"
#include "opengradient/og_sse.h"

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char req[] =
  "{\"model\":\"gpt-4.1\",\"messages\":[{\"role\":\"user\",\"content\":"
  "\"What is the capital of France? Answer in one word.\"}],"
  "\"max_tokens\":100,\"temperature\":0.0}";
static const char ans[] =
  "{\"status\":200,\"body\":{\"id\":\"chatcmpl-1\",\"object\":"
  "\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
  "\"assistant\",\"content\":\"Paris.\"},\"finish_reason\":\"stop\"}],"
  "\"tee_signature\":\"c2lnbmF0dXJl\",\"tee_timestamp\":1764800000}}";

static void die(const char *what)
{
  fprintf(stderr, "bench_ohttp: %s failed\n", what);
  exit(1);
}

/* recipient: open the request, seal the answer into out */
static void recipient(const unsigned char sk[32], const og_buf *wire,
                      const char *label, og_hpke_ctx *r, unsigned char key[32],
                      unsigned char nonce[12], const unsigned char rn[32])
{
  unsigned char info[29], pt[sizeof(req)], secret[32], salt[64], prk[32];
  memcpy(info, "message/bhttp request", 22);
  memcpy(info + 22, wire->data, 7);
  if(og_hpke_setup_base_r(r, wire->data + 7, sk, info, 29, NULL)
     || og_hpke_open(r, pt, NULL, 0, wire->data + 39, wire->len - 39, NULL))
    die("recipient open");
  if(og_hpke_export(r, secret, 32, (const unsigned char *)label,
                    strlen(label), NULL))
    die("export");
  memcpy(salt, wire->data + 7, 32);
  memcpy(salt + 32, rn, 32);
  if(og_hkdf_sha256_extract(prk, salt, 64, secret, 32, NULL)
     || og_hkdf_sha256_expand(key, 32, prk, (const unsigned char *)"key", 3,
                              NULL)
     || og_hkdf_sha256_expand(nonce, 12, prk, (const unsigned char *)"nonce",
                              5, NULL))
    die("response keys");
}

static void make_cfg(og_ohttp_config *cfg, const unsigned char pk[32])
{
  memset(cfg, 0, sizeof(*cfg));
  cfg->key_id = 1;
  cfg->kem_id = 0x20;
  cfg->kdf_id = 1;
  cfg->aead_id = 3;
  memcpy(cfg->public_key, pk, 32);
}

static int seal_bench(long n)
{
  unsigned char sk[32], pk[32], ikm[32] = {1}, rn[32] = {2}, key[32], nonce[12];
  og_ohttp_config cfg;
  unsigned char resp[32 + sizeof(ans) + 16];
  og_buf wire, out;
  double t0;
  long i;
  if(og_hpke_derive_keypair(sk, pk, ikm, 32, NULL))
    die("keypair");
  make_cfg(&cfg, pk);
  og_buf_init(&wire, 1 << 16);
  og_buf_init(&out, 1 << 16);
  t0 = now();
  for(i = 0; i < n; i++) {
    og_ohttp_req st;
    og_hpke_ctx r;
    og_buf_reset(&wire);
    og_buf_reset(&out);
    if(og_ohttp_encapsulate(&st, &wire, &cfg, (const unsigned char *)req,
                            strlen(req), 0, NULL, NULL))
      die("encapsulate");
    recipient(sk, &wire, "message/bhttp response", &r, key, nonce, rn);
    memcpy(resp, rn, 32);
    if(og_chacha20poly1305_seal(resp + 32, key, nonce, NULL, 0,
                                (const unsigned char *)ans, strlen(ans), NULL))
      die("seal answer");
    if(og_ohttp_open_response(&out, &st, resp, 32 + strlen(ans) + 16, NULL)
       || out.len != strlen(ans))
      die("open answer");
    og_ohttp_req_wipe(&st);
    og_hpke_ctx_wipe(&r);
  }
  printf("{\"impl\": \"opengradient\", \"requests\": %ld, "
         "\"us_per_request\": %.2f}\n", n, (now() - t0) * 1e6 / (double)n);
  og_buf_free(&wire);
  og_buf_free(&out);
  return 0;
}

static og_result count_event(void *user, const char *data, size_t len,
                             og_err *err)
{
  (void)data; (void)len; (void)err;
  (*(size_t *)user)++;
  return OG_OK;
}

typedef struct sink {
  og_sse sse;
  size_t events;
} sink;

static og_result to_sse(void *user, const unsigned char *pt, size_t len,
                        int fin, og_err *err)
{
  sink *s = user;
  (void)fin;
  return og_sse_feed(&s->sse, pt, len, err);
}

static int stream_bench(long n)
{
  unsigned char sk[32], pk[32], ikm[32] = {1}, rn[32] = {3}, key[32], nonce[12];
  og_buf clear, sealed, wire, frame;
  og_ohttp_config cfg;
  og_ohttp_req st;
  og_hpke_ctx r;
  double best_c = 1e9, best_s = 1e9;
  long i;
  int rep;
  const size_t feed = 16384;
  og_buf_init(&clear, (size_t)1 << 30);
  og_buf_init(&sealed, (size_t)1 << 30);
  og_buf_init(&wire, 1 << 16);
  og_buf_init(&frame, 1 << 16);
  if(og_hpke_derive_keypair(sk, pk, ikm, 32, NULL))
    die("keypair");
  make_cfg(&cfg, pk);
  if(og_ohttp_encapsulate(&st, &wire, &cfg, (const unsigned char *)req,
                          strlen(req), 1, NULL, NULL))
    die("setup");
  recipient(sk, &wire, "message/bhttp chunked response", &r, key, nonce, rn);
  if(og_buf_add(&sealed, rn, 32))
    die("buf");
  for(i = 0; i <= n; i++) {
    unsigned char cn[12], v[8], ct[1024];
    int fin = i == n, k;
    og_buf_reset(&frame);
    if(fin ? og_buf_addstr(&frame, "data: [DONE]\n\n")
           : og_buf_printf(&frame, "data: {\"id\":\"chatcmpl-1\",\"object\":"
                           "\"chat.completion.chunk\",\"created\":1764800000,"
                           "\"model\":\"gpt-4.1\",\"choices\":[{\"index\":0,"
                           "\"delta\":{\"content\":\"w%ld\"},\"finish_reason\":"
                           "null}]}\n\n", i % 1000))
      die("frame");
    memcpy(cn, nonce, 12);
    for(k = 0; k < 8; k++)
      cn[11 - k] ^= (unsigned char)((uint64_t)i >> (8 * k));
    if(og_chacha20poly1305_seal(ct, key, cn,
                                fin ? (const unsigned char *)"final" : NULL,
                                fin ? 5 : 0, frame.data, frame.len, NULL)
       || og_buf_add(&clear, frame.data, frame.len)
       || og_buf_add(&sealed, v, og_quic_varint_put(v, fin ? 0
                                                       : frame.len + 16))
       || og_buf_add(&sealed, ct, frame.len + 16))
      die("seal");
  }
  for(rep = 0; rep < 5; rep++) {
    size_t events = 0, off;
    og_sse p;
    sink s;
    og_ohttp_chunked rd;
    double t0 = now(), t;
    og_sse_init(&p, count_event, &events);
    for(off = 0; off < clear.len; off += feed)
      if(og_sse_feed(&p, clear.data + off,
                     clear.len - off < feed ? clear.len - off : feed, NULL))
        die("sse");
    og_sse_finish(&p);
    og_sse_free(&p);
    t = now() - t0;
    if(events != (size_t)n + 1)
      die("clear events");
    if(t < best_c)
      best_c = t;
    s.events = 0;
    t0 = now();
    og_sse_init(&s.sse, count_event, &s.events);
    og_ohttp_chunked_init(&rd, &st);
    for(off = 0; off < sealed.len; off += feed)
      if(og_ohttp_chunked_feed(&rd, sealed.data + off,
                               sealed.len - off < feed ? sealed.len - off
                                                       : feed, to_sse, &s,
                               NULL))
        die("chunked feed");
    if(og_ohttp_chunked_finish(&rd, to_sse, &s, NULL))
      die("chunked finish");
    og_sse_finish(&s.sse);
    og_sse_free(&s.sse);
    og_ohttp_chunked_free(&rd);
    t = now() - t0;
    if(s.events != (size_t)n + 1)
      die("sealed events");
    if(t < best_s)
      best_s = t;
  }
  printf("{\"chunks\": %ld, \"clear_s\": %.4f, \"sealed_s\": %.4f, "
         "\"ratio\": %.2f}\n", n, best_c, best_s, best_s / best_c);
  og_ohttp_req_wipe(&st);
  og_hpke_ctx_wipe(&r);
  og_buf_free(&clear);
  og_buf_free(&sealed);
  og_buf_free(&wire);
  og_buf_free(&frame);
  return 0;
}

int main(int argc, char **argv)
{
  long n = argc > 2 ? atol(argv[2]) : 0;
  if(argc > 1 && !strcmp(argv[1], "seal"))
    return seal_bench(n > 0 ? n : 2000);
  if(argc > 1 && !strcmp(argv[1], "stream"))
    return stream_bench(n > 0 ? n : 100000);
  fprintf(stderr, "usage: bench_ohttp seal|stream [N]\n");
  return 1;
}
