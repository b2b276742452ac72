/* Helpers shared by the C benches (header-only: each bench is one
 * executable). */
#ifndef OG_BENCH_COMMON_H
#define OG_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "opengradient/og_client.h"

static double bench_now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A certificate file (PEM or DER) as DER; caller frees. NULL on error. */
static unsigned char *bench_load_cert(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  X509 *x = NULL;
  unsigned char *der = NULL;
  int n;
  if(!f)
    return NULL;
  x = PEM_read_X509(f, NULL, NULL, NULL);
  if(!x) {
    rewind(f);
    x = d2i_X509_fp(f, NULL);
  }
  fclose(f);
  if(!x)
    return NULL;
  n = i2d_X509(x, &der);
  X509_free(x);
  if(n <= 0)
    return NULL;
  *len = (size_t)n;
  return der;
}

static const char *bench_arg(int argc, char **argv, const char *name,
                             const char *dflt)
{
  int i;
  for(i = 1; i + 1 < argc; i++)
    if(!strcmp(argv[i], name))
      return argv[i + 1];
  return dflt;
}

/* A client for the stand-in at url, pinned to the certificate in
 * cert_path (direct mode, no registry). NULL after printing the reason. */
static og_client *bench_client(const char *prog, const char *url,
                               const char *cert_path)
{
  og_client_config cfg;
  og_client *c = NULL;
  og_err err;
  size_t der_len = 0;
  unsigned char *der = bench_load_cert(cert_path, &der_len);
  if(!der) {
    fprintf(stderr, "%s: cannot read %s\n", prog, cert_path);
    return NULL;
  }
  memset(&cfg, 0, sizeof(cfg));
  cfg.llm_server_url = url;
  cfg.tls_cert_der = der;
  cfg.tls_cert_der_len = der_len;
  og_err_clear(&err);
  if(og_client_new(&c, &cfg, &err))
    fprintf(stderr, "%s: %s\n", prog, err.msg);
  OPENSSL_free(der); /* the client keeps its own copy */
  return c;
}

/* A streamed chat of n chunks: the stand-in answers a model "bench-N"
 * with N content chunks. model (64 bytes) and *msgs (json_decref) are the
 * caller's. The callback only counts, so chunks come without JSON. */
static void bench_request(og_request *rq, char model[64], json_t **msgs,
                          long n, og_llm_chunk_cb cb, void *user)
{
  snprintf(model, 64, "bench/bench-%ld", n);
  *msgs = json_pack("[{s:s,s:s}]", "role", "user", "content", "bench");
  og_request_init(rq);
  rq->params.model = model;
  rq->params.messages = *msgs;
  rq->params.stream = 1;
  rq->on_chunk = cb;
  rq->user = user;
  rq->no_chunk_json = 1;
}

#endif
