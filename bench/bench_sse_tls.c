/* SSE over loopback TLS: one streamed chat of N chunks through the library
 * (exact-DER pin, SSE parser, one JSON parse per event, content assembled),
 * as bench/README.md specifies. Prints {"events","seconds","stream_seconds"}.
 */
#include "bench_common.h"

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
  og_client *c;
  og_request rq;
  og_inference out;
  og_err err;
  counter k = {0, 0};
  json_t *msgs;
  char model[64];
  double t0, t1;
  og_result r;

  if(!url || !cert || n <= 0) {
    fprintf(stderr, "usage: bench_sse_tls --url URL --cert PEM [--n N]\n");
    return 1;
  }
  c = bench_client("bench_sse_tls", url, cert);
  if(!c)
    return 1;
  bench_request(&rq, model, &msgs, n, on_chunk, &k);
  t0 = bench_now();
  r = og_chat(c, &out, &rq, &err);
  t1 = bench_now();
  if(r) {
    fprintf(stderr, "bench_sse_tls: %s\n", err.msg);
    og_inference_free(&out);
    og_client_free(c);
    json_decref(msgs);
    return 1;
  }
  printf("{\"events\": %zu, \"seconds\": %.6f, \"stream_seconds\": %.6f, "
         "\"chars\": %zu}\n", k.events, t1 - t0, t1 - k.first,
         out.answer.text_len);
  og_inference_free(&out);
  og_client_free(c);
  json_decref(msgs);
  return k.events >= (size_t)n ? 0 : 1;
}
