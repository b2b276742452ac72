/* A native relay + OHTTP recipient for the confidential stream bench: the
 * Node stand-in (tests/devnet/ohttp_relay.mjs, @hpke/core) is the
 * independent check in the tests, but at ~2 us of JavaScript per sealed
 * chunk it would be what a 100,000-chunk bench measures. This peer does the
 * same job in C: TLS (OpenSSL), decapsulate with our HPKE, ask the TEE's
 * gateway stand-in for the answer (once per distinct inner request; later
 * runs replay its signed SSE bytes, so the gateway's own speed is out of
 * the measurement, as a pre-rendered answer is in the clear bench), then
 * seal one chunk per SSE event, the final one with aad "final", exactly as
 * the stand-in does, and stream them in HTTP chunks of about 16 KiB.
 *
 * Usage: bench_ohttp_peer --cert PEM --key PEM --ohttp-key RAW32 --gateway URL
 *                   --ready-file FILE [--port P]
 * One connection at a time; bench only. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "bench_common.h"
#include "opengradient/og_buf.h"
#include "opengradient/og_hpke.h"
#include "opengradient/og_ohttp.h"

static void die(const char *what)
{
  fprintf(stderr, "bench_ohttp_peer: %s\n", what);
  exit(1);
}

static size_t collect(char *p, size_t sz, size_t n, void *ud)
{
  return og_buf_add(ud, p, sz * n) == OG_OK ? sz * n : 0;
}

/* The gateway's SSE answer to body (cached for the same body). */
static const og_buf *inner_answer(const char *gateway, const og_buf *body)
{
  static og_buf last_body, last_sse;
  static int init;
  char url[512];
  CURL *h;
  struct curl_slist *hd = NULL;
  long code = 0;
  if(!init) {
    og_buf_init(&last_body, 1 << 20);
    og_buf_init(&last_sse, (size_t)1 << 30);
    init = 1;
  }
  if(last_sse.len && last_body.len == body->len &&
     !memcmp(last_body.data, body->data, body->len))
    return &last_sse;
  og_buf_reset(&last_body);
  og_buf_reset(&last_sse);
  if(og_buf_add(&last_body, body->data, body->len))
    die("request too large");
  snprintf(url, sizeof url, "%s/v1/chat/completions", gateway);
  h = curl_easy_init();
  hd = curl_slist_append(hd, "Content-Type: application/json");
  hd = curl_slist_append(hd, "Accept: text/event-stream");
  hd = curl_slist_append(hd, "Authorization: Bearer relay-stand-in");
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, (const char *)body->data);
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)body->len);
  /* the stand-in's self-signed certificate; a bench peer, not a client */
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &last_sse);
  if(curl_easy_perform(h) != CURLE_OK)
    die("gateway request failed");
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  if(code != 200) {
    fprintf(stderr, "bench_ohttp_peer: gateway answered %ld: %.*s\n", code,
            (int)(last_sse.len > 300 ? 300 : last_sse.len),
            (const char *)last_sse.data);
    exit(1);
  }
  curl_slist_free_all(hd);
  curl_easy_cleanup(h);
  return &last_sse;
}

static int ssl_write_all(SSL *s, const void *p, size_t n)
{
  size_t w;
  while(n) {
    if(SSL_write_ex(s, p, n, &w) != 1)
      return -1;
    p = (const char *)p + w;
    n -= w;
  }
  return 0;
}

/* Flush out (sealed chunks) as one HTTP/1.1 chunk in one SSL_write, so
 * that it fills one TLS record as a server writing a whole body does. */
static int flush_http(SSL *s, og_buf *out, og_buf *rec)
{
  int r;
  if(!out->len)
    return 0;
  og_buf_reset(rec);
  r = og_buf_printf(rec, "%zx\r\n", out->len) || og_buf_add(rec, out->data, out->len) ||
      og_buf_add(rec, "\r\n", 2) || ssl_write_all(s, rec->data, rec->len);
  og_buf_reset(out);
  return r ? -1 : 0;
}

/* One sealed chunk: varint(len) | ct | tag (varint 0 for the final). */
static int seal_chunk(og_aead *a, og_buf *out, const unsigned char nonce[12],
                      uint64_t ctr, const unsigned char *pt, size_t n,
                      int final)
{
  static const unsigned char zero[16];
  unsigned char iv[12], vi[8];
  size_t at;
  og_hpke_nonce(iv, nonce, ctr);
  if(og_buf_add(out, vi, og_quic_varint_put(vi, final ? 0 : n + 16)))
    return -1;
  at = out->len;
  if(og_buf_add(out, pt, n) || og_buf_add(out, zero, 16))
    return -1;
  /* sealed in place, the tag after it */
  return og_aead_seal(a, out->data + at, out->data + at + n, iv,
                      final ? (const unsigned char *)"final" : NULL,
                      final ? 5 : 0, out->data + at, n, NULL) ? -1 : 0;
}

static void serve_one(SSL *s, const unsigned char sk[32], const char *gateway)
{
  static const char lab[] = "message/bhttp request";
  static const char xlab[] = "message/bhttp chunked response";
  char hbuf[65536];
  size_t hl = 0, got, clen = 0, i;
  char *eoh = NULL, *cl;
  og_buf body, inner, out, rec;
  og_hpke_ctx r;
  og_ohttp_req rq;
  unsigned char info[64], rn[32], key[32], nonce[12];
  const og_buf *sse;
  og_aead *c = NULL;
  uint64_t ctr = 0;
  size_t pos = 0;
  static const char head[] = "HTTP/1.1 200 OK\r\n"
    "Content-Type: message/ohttp-chunked-res\r\n"
    "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";

  while(!eoh) {
    if(hl == sizeof hbuf - 1 || SSL_read_ex(s, hbuf + hl, sizeof hbuf - 1 - hl,
                                            &got) != 1)
      return;
    hl += got;
    hbuf[hl] = 0;
    eoh = strstr(hbuf, "\r\n\r\n");
  }
  for(cl = hbuf; *cl; cl++)
    if(!strncasecmp(cl, "\r\ncontent-length:", 17)) {
      clen = strtoul(cl + 17, NULL, 10);
      break;
    }
  og_buf_init(&body, 1 << 20);
  if(og_buf_add(&body, eoh + 4, hl - (size_t)(eoh + 4 - hbuf)))
    return;
  while(body.len < clen) {
    unsigned char b[16384];
    if(SSL_read_ex(s, b, sizeof b, &got) != 1 || og_buf_add(&body, b, got))
      return;
  }
  if(body.len < 39 + 16)
    die("request too short");
  memcpy(info, lab, sizeof lab); /* the label and its NUL */
  memcpy(info + sizeof lab, body.data, 7);
  og_buf_init(&inner, 1 << 20);
  if(og_buf_add(&inner, body.data + 39, body.len - 39 - 16) ||
     og_hpke_setup_base_r(&r, body.data + 7, sk, info, sizeof lab + 7, NULL) ||
     og_hpke_open(&r, inner.data, NULL, 0, body.data + 39, body.len - 39, NULL))
    die("cannot decapsulate");
  memcpy(rq.enc, body.data + 7, 32);
  rq.chunked = 1;
  if(og_hpke_export(&r, rq.secret, 32, (const unsigned char *)xlab,
                    strlen(xlab), NULL))
    die("export");
  og_hpke_ctx_wipe(&r);
  sse = inner_answer(gateway, &inner);

  if(getrandom(rn, sizeof rn, 0) != (ssize_t)sizeof rn ||
     og_ohttp_response_keys(key, nonce, &rq, rn, NULL))
    die("response keys");
  if(og_aead_new(&c, key, NULL))
    die("AEAD");
  og_buf_init(&out, 1 << 20);
  og_buf_init(&rec, 1 << 20);
  if(ssl_write_all(s, head, sizeof head - 1) || og_buf_add(&out, rn, 32))
    goto done;
  /* one chunk per complete SSE event; the rest is the final chunk */
  for(i = 0; i + 1 < sse->len; i++)
    if(sse->data[i] == '\n' && sse->data[i + 1] == '\n') {
      if(seal_chunk(c, &out, nonce, ctr++, sse->data + pos, i + 2 - pos, 0))
        goto done;
      pos = i + 2;
      i++;
      /* 16 KiB TLS records: the chunk head and CRLF fit with the data */
      if(out.len >= 16384 - 256 && flush_http(s, &out, &rec))
        goto done;
    }
  if(seal_chunk(c, &out, nonce, ctr, sse->data + pos, sse->len - pos, 1) ||
     flush_http(s, &out, &rec))
    goto done;
  ssl_write_all(s, "0\r\n\r\n", 5);
done:
  og_aead_free(c);
  og_buf_free(&out);
  og_buf_free(&rec);
  og_buf_free(&body);
  og_buf_free(&inner);
}

int main(int argc, char **argv)
{
  const char *cert = bench_arg(argc, argv, "--cert", NULL);
  const char *keyf = bench_arg(argc, argv, "--key", NULL);
  const char *okey = bench_arg(argc, argv, "--ohttp-key", NULL);
  const char *gateway = bench_arg(argc, argv, "--gateway", NULL);
  const char *ready = bench_arg(argc, argv, "--ready-file", NULL);
  int port = atoi(bench_arg(argc, argv, "--port", "0")), fd, one = 1;
  unsigned char sk[32];
  struct sockaddr_in a;
  socklen_t al = sizeof a;
  SSL_CTX *ctx;
  FILE *f;
  (void)bench_now; /* shared helpers this peer does not need */
  (void)bench_load_cert;
  (void)bench_client;
  (void)bench_request;
  if(!cert || !keyf || !okey || !gateway || !ready)
    die("usage: --cert PEM --key PEM --ohttp-key RAW32 --gateway URL "
        "--ready-file FILE [--port P]");
  signal(SIGPIPE, SIG_IGN);
  f = fopen(okey, "rb");
  if(!f || fread(sk, 1, 32, f) != 32)
    die("cannot read the OHTTP key");
  fclose(f);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  ctx = SSL_CTX_new(TLS_server_method());
  if(!ctx || SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
     SSL_CTX_use_PrivateKey_file(ctx, keyf, SSL_FILETYPE_PEM) != 1)
    die("TLS setup");
  fd = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if(bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 16) ||
     getsockname(fd, (struct sockaddr *)&a, &al))
    die("listen");
  f = fopen(ready, "w");
  if(!f)
    die("ready file");
  fprintf(f, "{\"port\": %d}\n", ntohs(a.sin_port));
  fclose(f);
  for(;;) {
    int cfd = accept(fd, NULL, NULL);
    SSL *s;
    if(cfd < 0)
      continue;
    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    s = SSL_new(ctx);
    SSL_set_fd(s, cfd);
    if(SSL_accept(s) == 1) {
      serve_one(s, sk, gateway);
      SSL_shutdown(s);
    }
    SSL_free(s);
    close(cfd);
  }
}
