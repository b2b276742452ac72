/* SSE over loopback TLS: one streamed chat of N chunks through the library
 * (exact-DER pin, SSE parser, one JSON parse per event, content assembled),
 * as bench/README.md specifies. Prints {"events","seconds","stream_seconds"}.
 */
#include "bench_common.h"

#include "opengradient/og_client.h"

typedef struct counter {
  size_t events;
  double first;
} counter;

static int on_chunk(void *user, const og_llm_chunk *ch)
{
  counter *k = user;
  (void)ch;
  if(!k->events)
    k->first = bench_now();
  k->events++;
  return 0;
}

int main(int argc, char **argv)
{
  const char *url = bench_arg(argc, argv, "--url", NULL);
  const char *cert = bench_arg(argc, argv, "--cert", NULL);
  long n = atol(bench_arg(argc, argv, "--n", "100000"));
  og_client_config cfg;
  og_client *c;
  og_request rq;
  og_inference out;
  og_err err;
  counter k = {0, 0};
  json_t *msgs;
  unsigned char *der;
  size_t der_len = 0;
  char model[64];
  double t0, t1;
  og_result r;

  if(!url || !cert || n <= 0) {
    fprintf(stderr, "usage: bench_sse_tls --url URL --cert PEM [--n N]\n");
    return 1;
  }
  der = bench_load_cert(cert, &der_len);
  if(!der) {
    fprintf(stderr, "bench_sse_tls: cannot read %s\n", cert);
    return 1;
  }
  memset(&cfg, 0, sizeof(cfg));
  cfg.llm_server_url = url;
  cfg.tls_cert_der = der;
  cfg.tls_cert_der_len = der_len;
  og_err_clear(&err);
  if(og_client_new(&c, &cfg, &err)) {
    fprintf(stderr, "bench_sse_tls: %s\n", err.msg);
    return 1;
  }
  /* "bench/bench-N": the stand-in serves N chunks for a model "bench-N" */
  snprintf(model, sizeof(model), "bench/bench-%ld", n);
  msgs = json_pack("[{s:s,s:s}]", "role", "user", "content", "bench");
  og_request_init(&rq);
  rq.params.model = model;
  rq.params.messages = msgs;
  rq.params.stream = 1;
  rq.on_chunk = on_chunk;
  rq.no_chunk_json = 1; /* the callback only counts */
  rq.user = &k;
  t0 = bench_now();
  r = og_chat(c, &out, &rq, &err);
  t1 = bench_now();
  if(r) {
    fprintf(stderr, "bench_sse_tls: %s\n", err.msg);
    og_inference_free(&out);
    og_client_free(c);
    json_decref(msgs);
    OPENSSL_free(der);
    return 1;
  }
  printf("{\"events\": %zu, \"seconds\": %.6f, \"stream_seconds\": %.6f, "
         "\"chars\": %zu}\n", k.events, t1 - t0, t1 - k.first,
         out.answer.text_len);
  og_inference_free(&out);
  og_client_free(c);
  json_decref(msgs);
  OPENSSL_free(der);
  return k.events >= (size_t)n ? 0 : 1;
}
