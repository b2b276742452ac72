/*
 * The HTTP(S) transport on libcurl's multi interface. See og_http.h for the
 * model; the notes here are about why things are done this way.
 *
 * Pinning is approach E of the C-libraries reference: an SSL_CTX callback
 * installs a certificate verify callback that accepts exactly one DER leaf
 * (compared byte for byte) and nothing else; no CA store, no temp file.
 *
 * Reuse keying: libcurl matches pooled connections and TLS sessions by
 * scheme/host/port and a few TLS options, but not by the SSL_CTX callback,
 * so a connection verified under pin A could otherwise carry a request
 * pinned to B, and a resumed session skips verification entirely. Each pin
 * key (sha256 of the pin, or "unpinned") therefore has its own CURLSH that
 * shares CONNECT and SSL_SESSION data, and its own pool of easy handles.
 * An easy handle attached to a share uses the share's connection cache and
 * session cache instead of the multi's, so nothing crosses keys.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "opengradient/og_http.h"

#define POOL_MAX 16        /* idle easy handles kept per key */
#define KEYS_MAX 64        /* pin keys kept; idle ones evicted LRU */
#define PIN_MAX (64 * 1024)
#define DEFAULT_CONNECT_MS 60000L

struct pinkey {
  struct pinkey *next;
  int pinned;
  unsigned char hash[32];
  unsigned char *pin;
  size_t pin_len;
  CURLSH *share;
  CURL *idle[POOL_MAX];
  size_t nidle;
  unsigned refs;      /* transfers in flight */
  uint64_t last_used;
  int forgotten;      /* free when refs drops to 0 */
};

struct og_http_xfer {
  og_http_xfer *prev, *next;
  og_http *h;
  CURL *easy;
  struct pinkey *key;
  struct curl_slist *hdrs;
  unsigned char *body;
  size_t body_len;
  char *url;
  char where[256];            /* scheme://host:port, for messages */
  char errbuf[CURL_ERROR_SIZE];
  og_http_resp resp;
  int headers_captured;
  og_http_data_cb on_data;
  void *data_user;
  og_http_done_cb done;
  void *done_user;
  long idle_ms;
  int connected;
  uint64_t last_activity;
  uint64_t received;
  size_t header_bytes;        /* response header bytes so far */
  int aborted;
  og_result abort_rc;
  og_err abort_err;
  int paused;                 /* og_http_pause: no idle limit meanwhile */
};

#define DUE_NONE UINT64_MAX

struct og_http {
  CURLM *multi;
  struct pinkey *keys;
  size_t nkeys;
  og_http_xfer *xfers;
  int running;
  uint64_t tick;
  /* Socket mode (og_http_set_socket_fns). */
  og_http_socket_fn on_socket;
  og_http_timer_fn on_timer;
  void *sock_user;
  int socket_mode;
  int freeing;             /* og_http_free: no more timer callbacks */
  unsigned char *watch;    /* watch[fd] = OG_HTTP_POLL_IN|OUT, 0 = not */
  int watch_cap;
  int watch_max;           /* highest fd watched + 1 (may overestimate) */
  uint64_t curl_due;       /* libcurl's timer, DUE_NONE = none */
  uint64_t idle_due;       /* earliest possible idle expiry, DUE_NONE */
  uint64_t told_due;       /* the deadline the caller's timer holds */
};

static uint64_t now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- responses ---------------------------------------------------- */

void og_http_resp_init(og_http_resp *resp)
{
  memset(resp, 0, sizeof(*resp));
  og_buf_init(&resp->body, OG_HTTP_DEFAULT_MAX_BODY);
  og_buf_init(&resp->headers, OG_HTTP_MAX_HEADER_BYTES);
}

void og_http_resp_free(og_http_resp *resp)
{
  if(!resp)
    return;
  og_buf_free(&resp->body);
  og_buf_free(&resp->headers);
  resp->nheaders = 0;
  resp->status = 0;
}

void og_http_resp_move(og_http_resp *dst, og_http_resp *src)
{
  *dst = *src;
  memset(src, 0, sizeof(*src));
  og_buf_init(&src->body, dst->body.max);
  og_buf_init(&src->headers, dst->headers.max);
}

/* The name and value at *p, moving *p past them; 0 when none is left.
 * The buffer's own NUL ends the last value. */
static int next_header(const char **p, const char *end, const char **name,
                       const char **value)
{
  const char *n = *p, *v;
  if(n >= end)
    return 0;
  v = n + strlen(n) + 1;
  if(v >= end)
    return 0;
  *p = v + strlen(v) + 1;
  *name = n;
  *value = v;
  return 1;
}

int og_http_resp_header_at(const og_http_resp *resp, size_t i,
                           const char **name, const char **value)
{
  const char *p, *end, *n, *v;
  size_t k;
  if(!resp || i >= resp->nheaders || !resp->headers.data)
    return -1;
  p = (const char *)resp->headers.data;
  end = p + resp->headers.len;
  for(k = 0; next_header(&p, end, &n, &v); k++) {
    if(k == i) {
      if(name)
        *name = n;
      if(value)
        *value = v;
      return 0;
    }
  }
  return -1;
}

/* One walk over the headers, not one per header. */
const char *og_http_resp_header(const og_http_resp *resp, const char *name,
                                size_t index)
{
  const char *p, *end, *n, *v;
  size_t k;
  if(!resp || !name || !resp->headers.data)
    return NULL;
  p = (const char *)resp->headers.data;
  end = p + resp->headers.len;
  for(k = 0; k < resp->nheaders && next_header(&p, end, &n, &v); k++) {
    if(!strcasecmp(n, name)) {
      if(!index)
        return v;
      index--;
    }
  }
  return NULL;
}

/* Copy the final response's status and headers out of libcurl. */
static og_result capture_headers(og_http_xfer *x)
{
  struct curl_header *prev = NULL, *hh;
  long status = 0;
  og_result r = OG_OK;
  if(x->headers_captured)
    return OG_OK;
  x->headers_captured = 1;
  curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
  x->resp.status = status;
  og_buf_reset(&x->resp.headers);
  x->resp.nheaders = 0;
  for(;;) {
    hh = curl_easy_nextheader(x->easy, CURLH_HEADER, -1, prev);
    if(!hh)
      break;
    r = og_buf_add(&x->resp.headers, hh->name, strlen(hh->name) + 1);
    if(!r)
      r = og_buf_add(&x->resp.headers, hh->value, strlen(hh->value) + 1);
    if(r)
      break;
    x->resp.nheaders++;
    prev = hh;
  }
  if(r) {
    x->resp.nheaders = 0;
    return r;
  }
  return OG_OK;
}

/* ---- redaction ---------------------------------------------------- */

void og_http_redact_header(char *out, size_t outsz, const char *line)
{
  static const char *const secret[] = {
    "payment-signature", "x-payment", "authorization",
    "proxy-authorization", "cookie", "set-cookie", "x-api-key", NULL
  };
  const char *colon;
  size_t nlen, i;
  if(!out || !outsz)
    return;
  out[0] = '\0';
  if(!line)
    return;
  colon = strchr(line, ':');
  if(!colon) {
    snprintf(out, outsz, "%s", line);
    return;
  }
  nlen = (size_t)(colon - line);
  for(i = 0; secret[i]; i++) {
    if(strlen(secret[i]) == nlen && !strncasecmp(line, secret[i], nlen)) {
      const char *v = colon + 1;
      while(*v == ' ')
        v++;
      snprintf(out, outsz, "%.*s: <redacted, %zu bytes>", (int)nlen, line,
               strlen(v));
      return;
    }
  }
  snprintf(out, outsz, "%s", line);
}

/* ---- pinning ------------------------------------------------------ */

/* Replaces OpenSSL's chain verification: the leaf must be byte-for-byte
 * the pinned DER. A CA:TRUE pin therefore cannot vouch for another leaf.
 * The handshake itself still proves the server holds the key. */
static int pin_verify(X509_STORE_CTX *ctx, void *arg)
{
  const struct pinkey *k = arg;
  X509 *leaf = X509_STORE_CTX_get0_cert(ctx);
  unsigned char *der = NULL;
  int n = leaf ? i2d_X509(leaf, &der) : -1;
  int ok = n > 0 && (size_t)n == k->pin_len &&
           !memcmp(der, k->pin, k->pin_len);
  OPENSSL_free(der);
  X509_STORE_CTX_set_error(ctx, ok ? X509_V_OK : X509_V_ERR_CERT_REJECTED);
  return ok;
}

static CURLcode ssl_ctx_cb(CURL *curl, void *sslctx, void *parm)
{
  (void)curl;
  SSL_CTX_set_cert_verify_callback((SSL_CTX *)sslctx, pin_verify, parm);
  /* An idle connection gives its TLS record buffers back (~34 KiB each):
   * thousands of concurrent streams mostly wait. */
  SSL_CTX_set_mode((SSL_CTX *)sslctx, SSL_MODE_RELEASE_BUFFERS);
  return CURLE_OK;
}

/* ---- pin keys ----------------------------------------------------- */

static void key_free(struct pinkey *k)
{
  size_t i;
  /* Easy handles first: a share in use cannot be cleaned up. */
  for(i = 0; i < k->nidle; i++)
    curl_easy_cleanup(k->idle[i]);
  if(k->share)
    curl_share_cleanup(k->share);
  if(k->pin) {
    og_wipe(k->pin, k->pin_len);
    free(k->pin);
  }
  free(k);
}

static void key_unlink(og_http *h, struct pinkey *k)
{
  struct pinkey **pp;
  for(pp = &h->keys; *pp; pp = &(*pp)->next) {
    if(*pp == k) {
      *pp = k->next;
      h->nkeys--;
      return;
    }
  }
}

static void pin_hash(unsigned char out[32], const unsigned char *pin,
                     size_t len)
{
  unsigned int n = 32;
  if(!EVP_Digest(pin, len, out, &n, EVP_sha256(), NULL))
    memset(out, 0, 32);
}

static struct pinkey *key_find(og_http *h, const unsigned char *pin,
                               size_t pin_len)
{
  struct pinkey *k;
  unsigned char hash[32];
  if(pin)
    pin_hash(hash, pin, pin_len);
  for(k = h->keys; k; k = k->next) {
    if(k->forgotten)
      continue;
    if(!pin && !k->pinned)
      return k;
    /* Compare the bytes too: the hash is the index, not the identity. */
    if(pin && k->pinned && !memcmp(k->hash, hash, 32) &&
       k->pin_len == pin_len && !memcmp(k->pin, pin, pin_len))
      return k;
  }
  return NULL;
}

static void key_evict_one(og_http *h)
{
  struct pinkey *k, *victim = NULL;
  for(k = h->keys; k; k = k->next)
    if(!k->refs && (!victim || k->last_used < victim->last_used))
      victim = k;
  if(victim) {
    key_unlink(h, victim);
    key_free(victim);
  }
}

static og_result key_get(og_http *h, struct pinkey **out,
                         const unsigned char *pin, size_t pin_len, og_err *err)
{
  struct pinkey *k = key_find(h, pin, pin_len);
  if(!k) {
    if(h->nkeys >= KEYS_MAX)
      key_evict_one(h);
    k = calloc(1, sizeof(*k));
    if(!k)
      return og_fail(err, OG_E_NOMEM, "out of memory");
    if(pin) {
      k->pinned = 1;
      k->pin = malloc(pin_len);
      if(!k->pin) {
        free(k);
        return og_fail(err, OG_E_NOMEM, "out of memory");
      }
      memcpy(k->pin, pin, pin_len);
      k->pin_len = pin_len;
      pin_hash(k->hash, pin, pin_len);
    }
    k->share = curl_share_init();
    if(!k->share ||
       curl_share_setopt(k->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) ||
       curl_share_setopt(k->share, CURLSHOPT_SHARE,
                         CURL_LOCK_DATA_SSL_SESSION)) {
      key_free(k);
      return og_fail(err, OG_E_INTERNAL,
                     "libcurl cannot share connections per pin");
    }
    k->next = h->keys;
    h->keys = k;
    h->nkeys++;
  }
  k->last_used = ++h->tick;
  *out = k;
  return OG_OK;
}

void og_http_forget_pin(og_http *h, const unsigned char *pin_der,
                        size_t pin_der_len)
{
  struct pinkey *k;
  if(!h || !pin_der || !pin_der_len)
    return;
  k = key_find(h, pin_der, pin_der_len);
  if(!k)
    return;
  if(k->refs) {
    k->forgotten = 1; /* freed when its last transfer ends */
    return;
  }
  key_unlink(h, k);
  key_free(k);
}

/* ---- transport ---------------------------------------------------- */

og_result og_http_new(og_http **out, og_err *err)
{
  og_http *h;
  *out = NULL;
  if(curl_global_init(CURL_GLOBAL_DEFAULT))
    return og_fail(err, OG_E_INTERNAL, "libcurl initialisation failed");
  h = calloc(1, sizeof(*h));
  if(!h) {
    curl_global_cleanup();
    return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  h->multi = curl_multi_init();
  if(!h->multi) {
    free(h);
    curl_global_cleanup();
    return og_fail(err, OG_E_NOMEM, "out of memory");
  }
  h->curl_due = h->idle_due = h->told_due = DUE_NONE;
  *out = h;
  return OG_OK;
}

static void xfer_unlink(og_http *h, og_http_xfer *x)
{
  if(x->prev)
    x->prev->next = x->next;
  else
    h->xfers = x->next;
  if(x->next)
    x->next->prev = x->prev;
  x->prev = x->next = NULL;
  h->running--;
}

/* Hand the easy handle back to its key's pool, or free it. */
static void xfer_release(og_http *h, og_http_xfer *x)
{
  struct pinkey *k = x->key;
  if(x->easy) {
    if(k && k->nidle < POOL_MAX && !k->forgotten)
      k->idle[k->nidle++] = x->easy;
    else
      curl_easy_cleanup(x->easy);
    x->easy = NULL;
  }
  if(k) {
    k->refs--;
    if(k->forgotten && !k->refs) {
      key_unlink(h, k);
      key_free(k);
    }
    x->key = NULL;
  }
}

static void xfer_free(og_http_xfer *x)
{
  curl_slist_free_all(x->hdrs);
  if(x->body) {
    /* Request bodies may carry signed payment material. */
    og_wipe(x->body, x->body_len);
    free(x->body);
  }
  free(x->url);
  og_http_resp_free(&x->resp);
  free(x);
}

og_result og_http_pause(og_http *h, og_http_xfer *x, int pause)
{
  if(!h || !x)
    return OG_E_USAGE;
  if(!pause)
    x->last_activity = now_ms(); /* the idle limit starts again */
  x->paused = pause ? 1 : 0;
  if(curl_easy_pause(x->easy, pause ? CURLPAUSE_RECV : CURLPAUSE_CONT) !=
     CURLE_OK)
    return OG_E_INTERNAL;
  return OG_OK;
}

void og_http_cancel(og_http *h, og_http_xfer *x)
{
  if(!h || !x)
    return;
  curl_multi_remove_handle(h->multi, x->easy);
  xfer_unlink(h, x);
  xfer_release(h, x);
  xfer_free(x);
}

void og_http_free(og_http *h)
{
  if(!h)
    return;
  /* The socket callback still hears about sockets going away, so a
   * caller's loop can release what it holds for them; the timer is not
   * touched again. */
  h->freeing = 1;
  while(h->xfers)
    og_http_cancel(h, h->xfers);
  while(h->keys) {
    struct pinkey *k = h->keys;
    h->keys = k->next;
    key_free(k);
  }
  curl_multi_cleanup(h->multi);
  free(h->watch);
  free(h);
  curl_global_cleanup();
}

int og_http_running(const og_http *h)
{
  return h ? h->running : 0;
}

/* ---- libcurl callbacks -------------------------------------------- */

uint64_t og_http_clock_ms(void)
{
  return now_ms();
}

static size_t header_cb(char *p, size_t size, size_t n, void *user)
{
  og_http_xfer *x = user;
  (void)p;
  x->last_activity = now_ms();
  x->header_bytes += size * n;
  if(x->header_bytes > OG_HTTP_MAX_HEADER_BYTES) {
    x->aborted = 1;
    x->abort_rc = OG_E_TOO_LARGE;
    og_fail(&x->abort_err, OG_E_TOO_LARGE, "%s: response header too large "
            "(over %u bytes)", x->where, OG_HTTP_MAX_HEADER_BYTES);
    return 0;
  }
  return size * n;
}

static int prereq_cb(void *user, char *ip, char *lip, int port, int lport)
{
  og_http_xfer *x = user;
  (void)ip;
  (void)lip;
  (void)port;
  (void)lport;
  /* Connected (or reusing a connection): from now on the idle timer
   * applies; until now the connect timeout did. */
  x->connected = 1;
  x->last_activity = now_ms();
  if(x->idle_ms > 0 &&
     x->last_activity + (uint64_t)x->idle_ms < x->h->idle_due)
    x->h->idle_due = x->last_activity + (uint64_t)x->idle_ms;
  return CURL_PREREQFUNC_OK;
}

static size_t write_cb(char *p, size_t size, size_t n, void *user)
{
  og_http_xfer *x = user;
  size_t len = size * n;
  og_result r;
  x->last_activity = now_ms();
  x->received += len;
  if(x->on_data) {
    if(!x->headers_captured && capture_headers(x)) {
      x->aborted = 1;
      x->abort_rc = OG_E_TOO_LARGE;
      og_fail(&x->abort_err, OG_E_TOO_LARGE,
              "%s: response headers too large", x->where);
      return 0;
    }
    og_err_clear(&x->abort_err);
    r = x->on_data(x->data_user, &x->resp, (const unsigned char *)p, len,
                   &x->abort_err);
    if(r) {
      x->aborted = 1;
      x->abort_rc = r;
      if(!x->abort_err.msg[0])
        og_fail(&x->abort_err, r, "%s: transfer stopped: %s", x->where,
                og_strerror(r));
      return 0;
    }
    return len;
  }
  r = og_buf_add(&x->resp.body, p, len);
  if(r) {
    x->aborted = 1;
    x->abort_rc = r;
    if(r == OG_E_TOO_LARGE)
      og_fail(&x->abort_err, r, "%s: response body exceeds %zu bytes",
              x->where, x->resp.body.max);
    else
      og_fail(&x->abort_err, r, "out of memory");
    return 0;
  }
  return len;
}

/* ---- errors ------------------------------------------------------- */

static og_result map_curl(CURLcode cc, const og_http_xfer *x, og_err *err)
{
  const char *d = x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc);
  const char *w = x->where;
  int pinned = x->key && x->key->pinned;
  switch(cc) {
  case CURLE_PEER_FAILED_VERIFICATION:
    if(pinned)
      return og_fail(err, OG_E_TLS,
                     "%s: server certificate is not the one registered for "
                     "this TEE (%s)", w, d);
    return og_fail(err, OG_E_TLS,
                   "%s: server certificate not trusted by the system CAs "
                   "(%s)", w, d);
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_SSL_ENGINE_NOTFOUND:
  case CURLE_SSL_ENGINE_SETFAILED:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_USE_SSL_FAILED:
  case CURLE_SSL_ENGINE_INITFAILED:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_SHUTDOWN_FAILED:
  case CURLE_SSL_CRL_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_SSL_CLIENTCERT:
    return og_fail(err, OG_E_TLS, "%s: TLS handshake failed (%s)", w, d);
  case CURLE_COULDNT_CONNECT:
    return og_fail(err, OG_E_CONNECT,
                   "%s: connection refused or unreachable (%s)", w, d);
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    return og_fail(err, OG_E_CONNECT, "%s: cannot resolve host (%s)", w, d);
  case CURLE_OPERATION_TIMEDOUT:
    if(!x->connected)
      return og_fail(err, OG_E_TIMEOUT, "%s: no connection in time (%s)",
                     w, d);
    return og_fail(err, OG_E_TIMEOUT, "%s: no answer in time (%s)", w, d);
  case CURLE_OUT_OF_MEMORY:
    /* libcurl refuses one header line over CURL_MAX_HTTP_HEADER with
     * "out of memory" before any body byte: that is the server's doing */
    if(x->connected && !x->received)
      return og_fail(err, OG_E_TOO_LARGE, "%s: response header too large "
                     "(one line over %d bytes)", w, CURL_MAX_HTTP_HEADER);
    return og_fail(err, OG_E_NOMEM, "out of memory");
  case CURLE_UNSUPPORTED_PROTOCOL:
  case CURLE_URL_MALFORMAT:
    return og_fail(err, OG_E_USAGE, "%s: bad URL (%s)", w, d);
  case CURLE_FILESIZE_EXCEEDED:
    return og_fail(err, OG_E_TOO_LARGE, "%s: response body exceeds %zu "
                   "bytes", w, x->resp.body.max);
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
    if(!x->connected && !x->received)
      return og_fail(err, OG_E_CONNECT, "%s: connection failed (%s)", w, d);
    return og_fail(err, OG_E_SERVER, "%s: connection broke during the "
                   "exchange (%s)", w, d);
  case CURLE_GOT_NOTHING:
  case CURLE_PARTIAL_FILE:
  case CURLE_WEIRD_SERVER_REPLY:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
  case CURLE_BAD_CONTENT_ENCODING:
    return og_fail(err, OG_E_SERVER, "%s: invalid answer (%s)", w, d);
  default:
    return og_fail(err, OG_E_CONNECT, "%s: transfer failed (%s)", w, d);
  }
}

/* ---- completion --------------------------------------------------- */

static void xfer_finish(og_http *h, og_http_xfer *x, int have_cc,
                        CURLcode cc)
{
  og_err e;
  og_result rc;
  og_err_clear(&e);
  curl_multi_remove_handle(h->multi, x->easy);
  xfer_unlink(h, x);
  if(x->aborted) {
    rc = x->abort_rc;
    e = x->abort_err;
  }
  else if(have_cc && cc == CURLE_OK) {
    rc = capture_headers(x);
    if(rc)
      og_fail(&e, rc, "%s: response headers too large", x->where);
  }
  else
    rc = map_curl(cc, x, &e);
  if(!x->headers_captured && rc != OG_OK)
    (void)capture_headers(x); /* best effort, e.g. a 402 cut short */
  xfer_release(h, x);
  if(x->done)
    x->done(x->done_user, x, rc, &x->resp, &e);
  xfer_free(x);
}

static og_http_xfer *find_expired(og_http *h, uint64_t now)
{
  og_http_xfer *x;
  for(x = h->xfers; x; x = x->next)
    if(x->idle_ms > 0 && x->connected && !x->paused &&
       now - x->last_activity >= (uint64_t)x->idle_ms)
      return x;
  return NULL;
}

/* Completion callbacks of the transfers libcurl reports done. */
static void drain_done(og_http *h)
{
  int left;
  CURLMsg *msg;
  while((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
    char *priv = NULL;
    if(msg->msg != CURLMSG_DONE)
      continue;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
    if(priv)
      xfer_finish(h, (og_http_xfer *)priv, 1, msg->data.result);
  }
}

/* The idle timer: end the transfers that received nothing for their
 * idle_ms, and set h->idle_due to the earliest deadline of the others
 * (a lower bound: activity only moves deadlines later). Restart the scan
 * after each completion because the callback may start or cancel
 * transfers. */
static void expire_idle(og_http *h)
{
  og_http_xfer *x;
  for(;;) {
    x = find_expired(h, now_ms());
    if(!x)
      break;
    x->aborted = 1;
    x->abort_rc = OG_E_TIMEOUT;
    og_fail(&x->abort_err, OG_E_TIMEOUT, "%s: no data for %ld ms",
            x->where, x->idle_ms);
    xfer_finish(h, x, 0, CURLE_OK);
  }
  h->idle_due = DUE_NONE;
  for(x = h->xfers; x; x = x->next)
    if(x->idle_ms > 0 && x->connected && !x->paused &&
       x->last_activity + (uint64_t)x->idle_ms < h->idle_due)
      h->idle_due = x->last_activity + (uint64_t)x->idle_ms;
}

static og_result socket_wait(og_http *h, long timeout_ms, int *running);

og_result og_http_step(og_http *h, int *running)
{
  int still = 0;
  if(h->socket_mode)
    return socket_wait(h, 0, running);
  if(curl_multi_perform(h->multi, &still) != CURLM_OK)
    return OG_E_INTERNAL;
  drain_done(h);
  expire_idle(h);
  if(running)
    *running = h->running;
  return OG_OK;
}

static uint64_t socket_due(const og_http *h)
{
  return h->curl_due < h->idle_due ? h->curl_due : h->idle_due;
}

long og_http_timeout(og_http *h)
{
  long t = -1;
  uint64_t now = now_ms();
  og_http_xfer *x;
  if(h->socket_mode) {
    uint64_t due = socket_due(h);
    if(due == DUE_NONE)
      return -1;
    return due > now ? (long)(due - now) : 0;
  }
  if(curl_multi_timeout(h->multi, &t) != CURLM_OK)
    t = -1;
  for(x = h->xfers; x; x = x->next) {
    uint64_t due;
    long left;
    if(x->idle_ms <= 0 || !x->connected)
      continue;
    due = x->last_activity + (uint64_t)x->idle_ms;
    left = due > now ? (long)(due - now) : 0;
    if(t < 0 || left < t)
      t = left;
  }
  /* Without a pending timer, libcurl still wants to be asked now and then
   * while transfers run (e.g. to notice a connect timeout). */
  if(h->running && (t < 0 || t > 1000))
    t = 1000;
  return t;
}

og_result og_http_wait(og_http *h, long timeout_ms, int *running)
{
  long t;
  if(h->socket_mode)
    return socket_wait(h, timeout_ms, running);
  t = og_http_timeout(h);
  if(t < 0 || t > timeout_ms)
    t = timeout_ms;
  if(t > 0 && curl_multi_poll(h->multi, NULL, 0, (int)t, NULL) != CURLM_OK)
    return OG_E_INTERNAL;
  return og_http_step(h, running);
}

og_result og_http_fdset(og_http *h, fd_set *rd, fd_set *wr, fd_set *ex,
                        int *maxfd)
{
  int m = -1;
  if(h->socket_mode) {
    int fd;
    (void)ex;
    for(fd = 0; fd < h->watch_max; fd++) {
      if(!h->watch[fd])
        continue;
      if(fd >= FD_SETSIZE)
        return OG_E_USAGE; /* select() cannot hold it */
      if(h->watch[fd] & OG_HTTP_POLL_IN)
        FD_SET(fd, rd);
      if(h->watch[fd] & OG_HTTP_POLL_OUT)
        FD_SET(fd, wr);
      m = fd;
    }
    if(m > *maxfd)
      *maxfd = m;
    return OG_OK;
  }
  if(curl_multi_fdset(h->multi, rd, wr, ex, &m) != CURLM_OK)
    return OG_E_INTERNAL;
  if(m > *maxfd)
    *maxfd = m;
  return OG_OK;
}

/* ---- socket mode --------------------------------------------------- */

/* Tell the caller's timer the earliest of libcurl's deadline and the idle
 * deadline, when it changed. */
static void update_timer(og_http *h)
{
  uint64_t due = socket_due(h), now;
  if(due == h->told_due || h->freeing)
    return;
  h->told_due = due;
  if(due == DUE_NONE) {
    h->on_timer(h->sock_user, -1);
    return;
  }
  now = now_ms();
  h->on_timer(h->sock_user, due > now ? (long)(due - now) : 0);
}

static int sock_cb(CURL *easy, curl_socket_t s, int what, void *userp,
                   void *socketp)
{
  og_http *h = userp;
  int w = 0;
  (void)easy;
  (void)socketp;
  if(s < 0)
    return 0;
  switch(what) {
  case CURL_POLL_IN:
    w = OG_HTTP_POLL_IN;
    break;
  case CURL_POLL_OUT:
    w = OG_HTTP_POLL_OUT;
    break;
  case CURL_POLL_INOUT:
    w = OG_HTTP_POLL_IN | OG_HTTP_POLL_OUT;
    break;
  case CURL_POLL_REMOVE:
    w = OG_HTTP_POLL_REMOVE;
    break;
  default:
    w = 0;
    break;
  }
  if(s >= h->watch_cap) {
    int cap = h->watch_cap ? h->watch_cap : 64;
    unsigned char *n;
    while(cap <= s)
      cap *= 2;
    n = realloc(h->watch, (size_t)cap);
    if(!n)
      return -1; /* libcurl fails the transfer */
    memset(n + h->watch_cap, 0, (size_t)(cap - h->watch_cap));
    h->watch = n;
    h->watch_cap = cap;
  }
  h->watch[s] = (unsigned char)(w & (OG_HTTP_POLL_IN | OG_HTTP_POLL_OUT));
  if(h->watch[s] && s + 1 > h->watch_max)
    h->watch_max = s + 1;
  h->on_socket(h->sock_user, s, w);
  return 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
  og_http *h = userp;
  (void)multi;
  h->curl_due = timeout_ms < 0 ? DUE_NONE : now_ms() + (uint64_t)timeout_ms;
  update_timer(h);
  return 0;
}

og_result og_http_set_socket_fns(og_http *h, og_http_socket_fn on_socket,
                                 og_http_timer_fn on_timer, void *user,
                                 og_err *err)
{
  if(!h || !on_socket || !on_timer)
    return og_fail(err, OG_E_USAGE, "socket and timer callbacks are needed");
  if(h->socket_mode)
    return og_fail(err, OG_E_USAGE, "the transport is already in socket "
                   "mode");
  if(h->xfers)
    return og_fail(err, OG_E_USAGE, "socket mode must be chosen before "
                   "transfers start");
  h->on_socket = on_socket;
  h->on_timer = on_timer;
  h->sock_user = user;
  if(curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, sock_cb) ||
     curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h) ||
     curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb) ||
     curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h)) {
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, NULL);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, NULL);
    return og_fail(err, OG_E_INTERNAL, "libcurl refused the socket "
                   "callbacks");
  }
  h->socket_mode = 1;
  return OG_OK;
}

og_result og_http_socket_action(og_http *h, int fd, int events, int *running)
{
  int still = 0, ev = 0;
  long t = -1;
  if(!h || !h->socket_mode)
    return OG_E_USAGE;
  if(fd == OG_HTTP_SOCKET_TIMEOUT) {
    /* The caller's one-shot timer fired: it holds nothing now. */
    h->told_due = DUE_NONE;
    fd = CURL_SOCKET_TIMEOUT;
  }
  else {
    if(events & OG_HTTP_POLL_IN)
      ev |= CURL_CSELECT_IN;
    if(events & OG_HTTP_POLL_OUT)
      ev |= CURL_CSELECT_OUT;
  }
  if(curl_multi_socket_action(h->multi, (curl_socket_t)fd, ev, &still) !=
     CURLM_OK)
    return OG_E_INTERNAL;
  drain_done(h);
  if(h->idle_due != DUE_NONE && now_ms() >= h->idle_due)
    expire_idle(h);
  /* libcurl does not call the timer function again for a deadline it has
   * already announced; ask it directly. */
  if(curl_multi_timeout(h->multi, &t) == CURLM_OK)
    h->curl_due = t < 0 ? DUE_NONE : now_ms() + (uint64_t)t;
  update_timer(h);
  if(running)
    *running = h->running;
  return OG_OK;
}

/* The blocking API in socket mode: poll() the watched sockets ourselves
 * (no FD_SETSIZE limit), then act as the caller's loop would. */
static og_result socket_wait(og_http *h, long timeout_ms, int *running)
{
  struct pollfd small[64], *pf = small;
  int n = 0, fd, i, rc;
  long t = og_http_timeout(h);
  og_result r = OG_OK;
  if(t < 0 || t > timeout_ms)
    t = timeout_ms;
  if(t > INT_MAX)
    t = INT_MAX;
  for(fd = 0; fd < h->watch_max; fd++)
    if(h->watch[fd])
      n++;
  if(n > (int)(sizeof(small) / sizeof(small[0]))) {
    pf = calloc((size_t)n, sizeof(*pf));
    if(!pf)
      return OG_E_NOMEM;
  }
  n = 0;
  for(fd = 0; fd < h->watch_max; fd++) {
    if(!h->watch[fd])
      continue;
    pf[n].fd = fd;
    pf[n].events = (short)(((h->watch[fd] & OG_HTTP_POLL_IN) ? POLLIN : 0) |
                           ((h->watch[fd] & OG_HTTP_POLL_OUT) ? POLLOUT : 0));
    pf[n].revents = 0;
    n++;
  }
  rc = poll(pf, (nfds_t)n, (int)t);
  if(rc < 0 && errno != EINTR) {
    r = OG_E_INTERNAL;
    goto out;
  }
  for(i = 0; rc > 0 && i < n && !r; i++) {
    int ev = 0;
    if(!pf[i].revents)
      continue;
    if(pf[i].revents & (POLLIN | POLLHUP | POLLERR))
      ev |= OG_HTTP_POLL_IN;
    if(pf[i].revents & (POLLOUT | POLLERR))
      ev |= OG_HTTP_POLL_OUT;
    r = og_http_socket_action(h, pf[i].fd, ev, NULL);
  }
  if(!r && socket_due(h) != DUE_NONE && now_ms() >= socket_due(h))
    r = og_http_socket_action(h, OG_HTTP_SOCKET_TIMEOUT, 0, NULL);
out:
  if(pf != small)
    free(pf);
  if(running)
    *running = h->running;
  return r;
}

/* ---- starting ----------------------------------------------------- */

/* Scheme and "scheme://host:port" of url; OG_E_USAGE when it does not
 * parse. Only this part is ever printed: paths and queries may hold API
 * keys. */
static og_result url_where(char *where, size_t wsz, int *is_https,
                           const char *url, og_err *err)
{
  CURLU *u = curl_url();
  char *scheme = NULL, *host = NULL, *port = NULL;
  og_result r = OG_OK;
  if(!u)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  if(curl_url_set(u, CURLUPART_URL, url, 0) ||
     curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
     curl_url_get(u, CURLUPART_HOST, &host, 0)) {
    r = og_fail(err, OG_E_USAGE, "not a valid URL");
    goto out;
  }
  curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
  snprintf(where, wsz, "%s://%s%s%s", scheme, host, port ? ":" : "",
           port ? port : "");
  if(!strcasecmp(scheme, "https"))
    *is_https = 1;
  else if(!strcasecmp(scheme, "http"))
    *is_https = 0;
  else
    r = og_fail(err, OG_E_USAGE, "%s: only https:// URLs are allowed",
                where);
out:
  curl_free(scheme);
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(u);
  return r;
}

#define SETOPT(opt, val)                                                    \
  do {                                                                      \
    if(curl_easy_setopt(e, opt, val) != CURLE_OK)                           \
      return og_fail(err, OG_E_INTERNAL, "libcurl option " #opt " failed"); \
  } while(0)

static og_result configure(og_http_xfer *x, const og_http_req *req,
                           int is_https, og_err *err)
{
  CURL *e = x->easy;
  const char *method = req->method;
  long cto = req->connect_timeout_ms > 0 ? req->connect_timeout_ms
                                         : DEFAULT_CONNECT_MS;
  curl_easy_reset(e);
  /* reset keeps the share; attach it again so the session cache size
   * setting follows the share, not the reset defaults. */
  SETOPT(CURLOPT_SHARE, NULL);
  SETOPT(CURLOPT_SHARE, x->key->share);
  SETOPT(CURLOPT_PRIVATE, (char *)x);
  SETOPT(CURLOPT_URL, x->url);
  SETOPT(CURLOPT_PROTOCOLS_STR, req->allow_http ? "http,https" : "https");
  SETOPT(CURLOPT_FRESH_CONNECT, req->fresh_connect ? 1L : 0L);
  SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
  SETOPT(CURLOPT_NOSIGNAL, 1L);
  SETOPT(CURLOPT_ERRORBUFFER, x->errbuf);
  SETOPT(CURLOPT_CONNECTTIMEOUT_MS, cto);
  if(req->total_timeout_ms > 0)
    SETOPT(CURLOPT_TIMEOUT_MS, req->total_timeout_ms);
  SETOPT(CURLOPT_WRITEFUNCTION, write_cb);
  SETOPT(CURLOPT_WRITEDATA, x);
  SETOPT(CURLOPT_HEADERFUNCTION, header_cb);
  SETOPT(CURLOPT_HEADERDATA, x);
  SETOPT(CURLOPT_PREREQFUNCTION, prereq_cb);
  SETOPT(CURLOPT_PREREQDATA, x);
  SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
  /* Request bodies are small and given whole (POSTFIELDS): the smallest
   * upload buffer libcurl allows, not 64 KiB per transfer (the largest
   * item of memory with thousands of streams). */
  SETOPT(CURLOPT_UPLOAD_BUFFERSIZE, 16384L);
  /* 8 KiB receive buffer (libcurl's default is 16): SSE events are small,
   * and with thousands of streams this is their largest allocation. */
  SETOPT(CURLOPT_BUFFERSIZE, 8192L);
  if(!req->on_data)
    SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->resp.body.max);
  if(x->hdrs)
    SETOPT(CURLOPT_HTTPHEADER, x->hdrs);
  if(!method)
    method = req->body ? "POST" : "GET";
  if(!strcmp(method, "GET") && !req->body)
    SETOPT(CURLOPT_HTTPGET, 1L);
  else if(!strcmp(method, "HEAD"))
    SETOPT(CURLOPT_NOBODY, 1L);
  else {
    if(strcmp(method, "POST"))
      SETOPT(CURLOPT_CUSTOMREQUEST, method);
    SETOPT(CURLOPT_POST, 1L);
    SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    SETOPT(CURLOPT_POSTFIELDS, x->body ? (char *)x->body : "");
  }
  if(is_https) {
    SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
    if(x->key->pinned) {
      /* The pin is the identity; the gateway's certificate names
       * "localhost" while it is dialled by address. */
      SETOPT(CURLOPT_SSL_VERIFYHOST, 0L);
      /* No CA store: pin_verify replaces chain checks, and libcurl would
       * otherwise parse the whole system bundle for every new connection
       * (its CA cache is off when an SSL_CTX callback is set): ~95% of
       * the CPU of many concurrent handshakes, and ~1 MiB per
       * connection. */
      SETOPT(CURLOPT_CAINFO, NULL);
      SETOPT(CURLOPT_CAPATH, NULL);
      if(curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb) ||
         curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, x->key))
        return og_fail(err, OG_E_TLS, "this libcurl cannot pin certificates "
                       "(needs the OpenSSL backend)");
    }
    else
      SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
  }
  return OG_OK;
}

og_result og_http_start(og_http *h, og_http_xfer **out, const og_http_req *req,
                        og_http_done_cb done, void *user, og_err *err)
{
  og_http_xfer *x;
  og_result r;
  int is_https = 0;
  const unsigned char *pin = req->pin_der_len ? req->pin_der : NULL;
  size_t i;
  if(out)
    *out = NULL;
  if(!h || !req || !req->url)
    return og_fail(err, OG_E_USAGE, "no URL");
  x = calloc(1, sizeof(*x));
  if(!x)
    return og_fail(err, OG_E_NOMEM, "out of memory");
  og_http_resp_init(&x->resp);
  r = url_where(x->where, sizeof(x->where), &is_https, req->url, err);
  if(r)
    goto fail;
  if(!is_https && !req->allow_http) {
    r = og_fail(err, OG_E_USAGE, "%s: plain http:// is not allowed here; "
                "use https://", x->where);
    goto fail;
  }
  if(pin && !is_https) {
    r = og_fail(err, OG_E_USAGE, "%s: a pinned certificate needs https://",
                x->where);
    goto fail;
  }
  if(pin && req->pin_der_len > PIN_MAX) {
    r = og_fail(err, OG_E_USAGE, "pinned certificate too large");
    goto fail;
  }
  x->url = strdup(req->url);
  if(!x->url) {
    r = og_fail(err, OG_E_NOMEM, "out of memory");
    goto fail;
  }
  for(i = 0; req->headers && req->headers[i]; i++) {
    struct curl_slist *n;
    if(strpbrk(req->headers[i], "\r\n")) {
      r = og_fail(err, OG_E_USAGE, "header line contains CR or LF");
      goto fail;
    }
    n = curl_slist_append(x->hdrs, req->headers[i]);
    if(!n) {
      r = og_fail(err, OG_E_NOMEM, "out of memory");
      goto fail;
    }
    x->hdrs = n;
  }
  if(req->body) {
    /* No "Expect: 100-continue" round trip for big bodies. */
    struct curl_slist *n = curl_slist_append(x->hdrs, "Expect:");
    if(!n) {
      r = og_fail(err, OG_E_NOMEM, "out of memory");
      goto fail;
    }
    x->hdrs = n;
    x->body = malloc(req->body_len ? req->body_len : 1);
    if(!x->body) {
      r = og_fail(err, OG_E_NOMEM, "out of memory");
      goto fail;
    }
    if(req->body_len)
      memcpy(x->body, req->body, req->body_len);
    x->body_len = req->body_len;
  }
  if(req->max_body)
    og_buf_init(&x->resp.body, req->max_body);
  x->h = h;
  x->on_data = req->on_data;
  x->data_user = req->user;
  x->done = done;
  x->done_user = user;
  x->idle_ms = req->idle_timeout_ms;
  r = key_get(h, &x->key, pin, req->pin_der_len, err);
  if(r)
    goto fail;
  x->key->refs++;
  if(x->key->nidle)
    x->easy = x->key->idle[--x->key->nidle];
  else
    x->easy = curl_easy_init();
  if(!x->easy) {
    r = og_fail(err, OG_E_NOMEM, "out of memory");
    goto fail_key;
  }
  r = configure(x, req, is_https, err);
  if(r)
    goto fail_key;
  x->last_activity = now_ms();
  if(curl_multi_add_handle(h->multi, x->easy) != CURLM_OK) {
    r = og_fail(err, OG_E_INTERNAL, "cannot add transfer");
    goto fail_key;
  }
  x->next = h->xfers;
  if(h->xfers)
    h->xfers->prev = x;
  h->xfers = x;
  h->running++;
  if(out)
    *out = x;
  return OG_OK;
fail_key:
  xfer_release(h, x);
fail:
  xfer_free(x);
  return r;
}

/* ---- blocking ----------------------------------------------------- */

struct sync_state {
  int done;
  og_result rc;
  og_err err;
  og_http_resp *resp;
};

static void sync_done(void *user, og_http_xfer *x, og_result rc,
                      og_http_resp *resp, const og_err *e)
{
  struct sync_state *s = user;
  (void)x;
  s->done = 1;
  s->rc = rc;
  if(e)
    s->err = *e;
  og_http_resp_free(s->resp);
  og_http_resp_move(s->resp, resp);
}

og_result og_http_perform(og_http *h, og_http_resp *resp,
                          const og_http_req *req, og_err *err)
{
  struct sync_state s;
  og_http_xfer *x = NULL;
  og_result r;
  memset(&s, 0, sizeof(s));
  og_http_resp_init(resp);
  s.resp = resp;
  r = og_http_start(h, &x, req, sync_done, &s, err);
  if(r)
    return r;
  while(!s.done) {
    r = og_http_wait(h, 1000, NULL);
    if(r) {
      if(!s.done)
        og_http_cancel(h, x);
      return og_fail(err, r, "transfer loop failed");
    }
  }
  if(s.rc && err)
    *err = s.err;
  return s.rc;
}
