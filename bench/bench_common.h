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

#endif
