/* Bench: the SSE parser, and the SSE parser + chat stream assembler, from
 * memory over gateway-shaped chunks (no network).
 *
 *   bench_sse_parse [CHUNKS] [FEED_SIZE]
 *   bench_sse_parse --once [--json] [CHUNKS]
 *
 * CHUNKS content chunks (default 100000) of the gateway's exact shape,
 * then the signed final chunk and [DONE], fed FEED_SIZE bytes at a time
 * (default 16384, libcurl's usual write size). Prints events/s and MB/s
 * for each stage, best of 5 runs: the SSE parser alone, parser + assembler
 * as a streaming client runs it (content chunks through the gateway
 * scanner), and parser + assembler keeping every chunk's JSON (jansson per
 * event, as before the scanner).
 *
 * --once: parser + assembler exactly once over the workload (no timing),
 * for callgrind; prints {"events": N}. With --json, chunk JSON is kept
 * (jansson per event). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opengradient/og_buf.h"
#include "opengradient/og_llm.h"
#include "opengradient/og_sse.h"

static const char *words[] = {"Hel", "lo", ", w\\u00f6r", "ld", "!",
                              " The", " quick", " brown", " fox",
                              " jumps"};

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static og_result count_event(void *user, const char *data, size_t len,
                             og_err *err)
{
  size_t *n = user;
  (void)data;
  (void)len;
  (void)err;
  (*n)++;
  return OG_OK;
}

static int count_chunk(void *user, const og_llm_chunk *c)
{
  size_t *n = user;
  (void)c;
  (*n)++;
  return 0;
}

/* Parser + assembler over the body once; returns the time, or < 0. */
static double assemble(const og_buf *body, size_t feed, size_t chunks,
                       int keep_json)
{
  og_llm_stream *s;
  og_llm_result r;
  og_err err;
  size_t i, n = 0;
  double t;
  s = og_llm_stream_new(count_chunk, &n);
  if(!s)
    return -1;
  og_llm_stream_set_chunk_json(s, keep_json);
  t = now();
  for(i = 0; i < body->len; i += feed) {
    size_t m = body->len - i < feed ? body->len - i : feed;
    if(og_llm_stream_feed(s, body->data + i, m, &err)) {
      fprintf(stderr, "stream: %s\n", err.msg);
      return -1;
    }
  }
  if(og_llm_stream_finish(s, &r, &err)) {
    fprintf(stderr, "stream: %s\n", err.msg);
    return -1;
  }
  t = now() - t;
  if(og_llm_stream_chunks(s) != chunks + 1 || n != chunks + 1 ||
     !r.text_len) {
    fprintf(stderr, "stream: wrong chunk count\n");
    return -1;
  }
  og_llm_result_free(&r);
  og_llm_stream_free(s);
  return t;
}

int main(int argc, char **argv)
{
  int once = argc > 1 && !strcmp(argv[1], "--once");
  int keep_json = once && argc > 2 && !strcmp(argv[2], "--json");
  int a = 1 + once + keep_json;
  size_t chunks = argc > a ? strtoul(argv[a], NULL, 10) : 100000;
  size_t feed = !once && argc > 2 ? strtoul(argv[2], NULL, 10) : 16384;
  og_buf body;
  size_t i, events = 0, n;
  double best_sse = 1e30, best_all = 1e30, best_json = 1e30;
  int run;

  if(!chunks || !feed) {
    fprintf(stderr, "usage: bench_sse_parse [CHUNKS] [FEED_SIZE] | "
            "--once [--json] [CHUNKS]\n");
    return 1;
  }
  og_buf_init(&body, (size_t)1 << 34);
  {
    /* the ten events once, then copies: setup stays small next to the
     * parsing in an instruction count of the whole program */
    og_buf ev[10];
    for(i = 0; i < 10; i++) {
      og_buf_init(&ev[i], 1024);
      if(og_buf_printf(&ev[i], "data: {\"choices\": [{\"delta\": "
                       "{\"content\": \"%s\", \"role\": \"assistant\"}, "
                       "\"index\": 0, \"finish_reason\": null}], "
                       "\"model\": \"gpt-5\"}\n\n", words[i])) {
        fprintf(stderr, "out of memory\n");
        return 1;
      }
    }
    for(i = 0; i < chunks; i++) {
      if(og_buf_add(&body, ev[i % 10].data, ev[i % 10].len)) {
        fprintf(stderr, "out of memory\n");
        return 1;
      }
    }
    for(i = 0; i < 10; i++)
      og_buf_free(&ev[i]);
  }
  if(og_buf_addstr(&body, "data: {\"choices\": [{\"delta\": {}, \"index\": "
                   "0, \"finish_reason\": \"stop\"}], \"model\": \"gpt-5\", "
                   "\"tee_signature\": \"aeBVYTDhvcNMnH+bVXZ27tCBgKPp04TPxCYJ"
                   "i4idKKWPhJerlwRKxMz/zHqB5b/9pzCKhKVmkM+79e0zRFMSp4pcZusj"
                   "2gWAE21vWMXbE1cfdQv+5PK3iuRGCZBD5HorfnKYrs4ARi+OokoPE4gn"
                   "RpaS74BTF8c6P/8dKBL/4WnLfJWvVcgsy6R4ZFCmjenQHFd6HpDfjeBv"
                   "/DyKIwDCiYnR1XrGxh8M2oiJmX9HOMunhEa7dauRDO3yEMsfCjHtNV0J"
                   "Hw/QaHlH1I7AsRdaZHUCGsfzdQnBk9DdBWLKNpGmFoj/fEdus2K6FBnu"
                   "DTb3EJijOEg0E4/qTJUDGAXTsw==\", \"tee_timestamp\": "
                   "1900000123, \"tee_request_hash\": \"e21a82e64e0a783c372e"
                   "be31c97fc8cd0334c2bcc520c51c9e2473c71abb927b\", "
                   "\"tee_output_hash\": \"dcb7755bd9f1c972cbd00cb584c734d24"
                   "8486bc9a89cbed9350f57e91f5604c1\", \"tee_id\": \"0x29d0f"
                   "fc200a161fa22c2222ce8426e6fc4742462b1d02fcc3c58b8d44c647"
                   "835\", \"usage\": {\"prompt_tokens\": 8, "
                   "\"completion_tokens\": 5, \"total_tokens\": 13}}\n\n"
                   "data: [DONE]\n\n")) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }

  if(once) {
    if(assemble(&body, feed, chunks, keep_json) < 0)
      return 1;
    printf("{\"events\": %zu}\n", chunks + 2);
    og_buf_free(&body);
    return 0;
  }
  for(run = 0; run < 5; run++) {
    og_sse p;
    og_err err;
    double t;

    /* the SSE parser alone */
    events = 0;
    og_sse_init(&p, count_event, &events);
    t = now();
    for(i = 0; i < body.len; i += n) {
      n = body.len - i < feed ? body.len - i : feed;
      if(og_sse_feed(&p, body.data + i, n, &err)) {
        fprintf(stderr, "sse: %s\n", err.msg);
        return 1;
      }
    }
    t = now() - t;
    og_sse_free(&p);
    if(t < best_sse)
      best_sse = t;
    if(events != chunks + 2) {
      fprintf(stderr, "sse: %zu events, expected %zu\n", events,
              chunks + 2);
      return 1;
    }

    /* SSE parser + assembler, with and without chunk JSON */
    t = assemble(&body, feed, chunks, 0);
    if(t < 0)
      return 1;
    if(t < best_all)
      best_all = t;
    t = assemble(&body, feed, chunks, 1);
    if(t < 0)
      return 1;
    if(t < best_json)
      best_json = t;
  }
  printf("body: %zu chunks, %zu bytes, fed %zu bytes at a time\n", chunks,
         body.len, feed);
  printf("sse_parse:      %10.0f events/s  %8.1f MB/s  (%.1f ms)\n",
         (double)events / best_sse, (double)body.len / best_sse / 1e6,
         best_sse * 1e3);
  printf("sse+assemble:   %10.0f events/s  %8.1f MB/s  (%.1f ms)\n",
         (double)events / best_all, (double)body.len / best_all / 1e6,
         best_all * 1e3);
  printf("  (chunk JSON): %10.0f events/s  %8.1f MB/s  (%.1f ms)\n",
         (double)events / best_json, (double)body.len / best_json / 1e6,
         best_json * 1e3);
  og_buf_free(&body);
  return 0;
}
