/*
 * Decode a getActiveTEEs reply (0x-hex text, as it arrives in eth_call's
 * "result") into og_tee structs, many times, and report the median time
 * per decode next to two floors: a plain hex-to-bytes pass over the same
 * text, and a memcpy of the decoded bytes.
 *
 *   bench_abi_decode REPLY.hex [ROUNDS]   timings, one "name ns" per line
 *   bench_abi_decode --once [REPLY.hex]   one hex pass and one decode
 *                                         (for callgrind); prints
 *                                         {"entries": N}
 *
 * Without REPLY.hex, --once reads ../bench/tee_reply_1000.hex next to the
 * program's directory (BUILD/bench/, written by bench/abi.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opengradient/og_hex.h"
#include "opengradient/og_registry.h"

static volatile unsigned sink;

static double now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static char *read_text(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;
  if(!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  if(buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  if(!buf)
    return NULL;
  while(n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
                  buf[n - 1] == ' '))
    n--;
  buf[n] = 0;
  *len = (size_t)n;
  return buf;
}

/* Hex text to structs: what a client does with an eth_call result. */
static size_t decode_hex(unsigned char *scratch, size_t cap, const char *hex,
                         size_t hexlen, int ids)
{
  og_tee_list list;
  og_err err;
  size_t n = 0, count;
  og_err_clear(&err);
  if(og_hex_decode(scratch, cap, &n, hex, hexlen) ||
     og_registry_decode_tees(&list, scratch, n, &err)) {
    fprintf(stderr, "decode failed: %s\n", err.msg);
    exit(1);
  }
  if(ids)
    og_tee_list_compute_ids(&list);
  count = list.count;
  sink += list.items[count - 1].tls_cert[0] + list.items[0].id.b[0];
  og_tee_list_free(&list);
  return count;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* FULL is the measure (hex reply to structs: ABI work, as viem's
 * decodeFunctionResult does); WITH_IDS adds each entry's tee id, a Keccak
 * of its public key, which the registry client derives afterwards. */
typedef enum { FULL, WITH_IDS, DECODE_ONLY, HEXPASS, MEMCPY, NMODES } mode;

static const char *const mode_name[NMODES] = {
  "ours_ns", "ours_with_ids_ns", "decode_only_ns", "hexpass_ns", "memcpy_ns"
};

typedef struct input {
  const char *hex;
  size_t hexlen;
  const unsigned char *bytes; /* the reply, decoded once up front */
  size_t nbytes;
  unsigned char *scratch;
  size_t cap;
} input;

static void run_once(mode m, const input *in)
{
  og_tee_list list;
  size_t n;
  switch(m) {
  case FULL:
    decode_hex(in->scratch, in->cap, in->hex, in->hexlen, 0);
    break;
  case WITH_IDS:
    decode_hex(in->scratch, in->cap, in->hex, in->hexlen, 1);
    break;
  case DECODE_ONLY:
    if(og_registry_decode_tees(&list, in->bytes, in->nbytes, NULL))
      exit(1);
    sink += list.items[0].tee_type;
    og_tee_list_free(&list);
    break;
  case HEXPASS:
    if(og_hex_decode(in->scratch, in->cap, &n, in->hex, in->hexlen))
      exit(1);
    sink += in->scratch[n - 1];
    break;
  default:
    memcpy(in->scratch, in->bytes, in->nbytes);
    sink += in->scratch[in->nbytes - 1];
    break;
  }
}

/* Mean time of one operation over `per` runs. */
static double time_per(mode m, const input *in, int per)
{
  double t0 = now_ns();
  int k;
  for(k = 0; k < per; k++)
    run_once(m, in);
  return (now_ns() - t0) / per;
}

/* Each round times every mode in turn (~20 ms each), so that load from
 * other processes hits all of them alike; medians over rounds, plus the
 * median of the per-round ratio ours/hexpass. */
static void measure_all(const input *in, int rounds, double med[NMODES],
                        double *ratio)
{
  double *t = malloc(sizeof(double) * (size_t)rounds * (NMODES + 1));
  int per[NMODES], m, r;
  if(!t)
    exit(1);
  for(m = 0; m < NMODES; m++) {
    double one = time_per((mode)m, in, 3);
    per[m] = one > 0 ? (int)(2e7 / one) : 1000;
    if(per[m] < 1)
      per[m] = 1;
  }
  for(r = 0; r < rounds; r++) {
    for(m = 0; m < NMODES; m++)
      t[m * rounds + r] = time_per((mode)m, in, per[m]);
    t[NMODES * rounds + r] = t[FULL * rounds + r] / t[HEXPASS * rounds + r];
  }
  for(m = 0; m <= NMODES; m++) {
    qsort(t + m * rounds, (size_t)rounds, sizeof(double), cmp_double);
    if(m < NMODES)
      med[m] = t[m * rounds + rounds / 2];
    else
      *ratio = t[m * rounds + rounds / 2];
  }
  free(t);
}

int main(int argc, char **argv)
{
  int once = argc > 1 && !strcmp(argv[1], "--once");
  const char *path = argv[once ? 2 : 1];
  char dflt[4096];
  int rounds = (!once && argc > 2) ? atoi(argv[2]) : 15;
  size_t hexlen, cap, nbytes;
  char *hex;
  unsigned char *bytes, *scratch;
  size_t entries;
  if(!path && once) {
    const char *slash = strrchr(argv[0], '/');
    int dir = slash ? (int)(slash - argv[0]) : 1;
    snprintf(dflt, sizeof(dflt), "%.*s/../bench/tee_reply_1000.hex", dir,
             slash ? argv[0] : ".");
    path = dflt;
  }
  if(!path) {
    fprintf(stderr, "usage: %s [--once] REPLY.hex [ROUNDS]\n", argv[0]);
    return 2;
  }
  hex = read_text(path, &hexlen);
  if(!hex) {
    fprintf(stderr, "cannot read %s\n", path);
    return 1;
  }
  cap = hexlen / 2 + 1;
  bytes = malloc(cap);
  scratch = malloc(cap);
  if(!bytes || !scratch || og_hex_decode(bytes, cap, &nbytes, hex, hexlen))
    return 1;
  if(once) {
    /* one hex pass and one decode, for instruction counts */
    entries = decode_hex(scratch, cap, hex, hexlen, 0);
    printf("{\"entries\": %zu}\n", entries);
  }
  else {
    input in;
    double med[NMODES], ratio = 0;
    int m;
    if(rounds < 1)
      rounds = 15;
    in.hex = hex;
    in.hexlen = hexlen;
    in.bytes = bytes;
    in.nbytes = nbytes;
    in.scratch = scratch;
    in.cap = cap;
    entries = decode_hex(scratch, cap, hex, hexlen, 0);
    measure_all(&in, rounds, med, &ratio);
    printf("entries %zu\n", entries);
    printf("reply_bytes %zu\n", nbytes);
    for(m = 0; m < NMODES; m++)
      printf("%s %.0f\n", mode_name[m], med[m]);
    printf("ours_over_hexpass %.3f\n", ratio);
  }
  free(hex);
  free(bytes);
  free(scratch);
  return 0;
}
