/* Many concurrent streams in one thread: S streamed chats of N chunks each,
 * all in flight at once on the library's multi transport (one pinned
 * connection pool), as bench/README.md specifies. Prints
 * {"streams","events","failed","seconds"}. */
#include "bench_common.h"

typedef struct tally {
  size_t events;
  size_t done;
  size_t failed;
} tally;

static int on_chunk(void *user, const og_llm_chunk *ch)
{
  tally *t = user;
  (void)ch;
  t->events++;
  return 0;
}

static void on_done(void *user, og_result rc, og_inference *out,
                    const og_err *err)
{
  tally *t = user;
  t->done++;
  if(rc) {
    t->failed++;
    if(t->failed == 1)
      fprintf(stderr, "bench_concurrent: %s\n", err->msg);
  }
  og_inference_free(out);
}

int main(int argc, char **argv)
{
  const char *url = bench_arg(argc, argv, "--url", NULL);
  const char *cert = bench_arg(argc, argv, "--cert", NULL);
  long streams = atol(bench_arg(argc, argv, "--streams", "256"));
  long n = atol(bench_arg(argc, argv, "--n", "1000"));
  og_client *c;
  og_request rq;
  og_err err;
  tally t = {0, 0, 0};
  json_t *msgs;
  char model[64];
  double t0, t1;
  long i;

  if(!url || !cert || streams <= 0 || n <= 0) {
    fprintf(stderr, "usage: bench_concurrent --url URL --cert PEM "
            "[--streams S] [--n N]\n");
    return 1;
  }
  c = bench_client("bench_concurrent", url, cert);
  if(!c)
    return 1;
  bench_request(&rq, model, &msgs, n, on_chunk, &t);
  t0 = bench_now();
  for(i = 0; i < streams; i++) {
    if(og_call_start(c, NULL, &rq, 0, on_done, &t, &err)) {
      fprintf(stderr, "bench_concurrent: %s\n", err.msg);
      t.failed++;
    }
  }
  if(og_client_wait(c, 0))
    fprintf(stderr, "bench_concurrent: transport failed\n");
  t1 = bench_now();
  printf("{\"streams\": %ld, \"events\": %zu, \"failed\": %zu, "
         "\"seconds\": %.6f}\n", streams, t.events, t.failed, t1 - t0);
  og_client_free(c);
  json_decref(msgs);
  return t.failed ? 1 : 0;
}
