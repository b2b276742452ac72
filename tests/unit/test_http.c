/* The HTTP transport against real local TLS servers whose certificates
 * are made at test time by openssl: exact-DER pinning, the CA:TRUE trap,
 * system-CA refusal, reuse keyed by pin, error mapping, timeouts,
 * streaming, body caps, and the non-blocking API. */
#include "netutil.h"

#include "opengradient/og_http.h"

static char *dir;
static pid_t srv_a = -1, srv_d = -1, srv_silent = -1, srv_sserver = -1;
static int port_a, port_d, port_silent, port_sserver;
static unsigned char *der_a, *der_b, *der_ca, *der_d;
static size_t len_a, len_b, len_ca, len_d;

static unsigned char *load(const char *name, size_t *len)
{
  char p[1024];
  snprintf(p, sizeof(p), "%s/%s", dir, name);
  return (unsigned char *)tu_read_file(p, len);
}

static int make_certs(void)
{
  const char *ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
  return nu_sh(
    "cd '%s' && exec >/dev/null 2>&1 && "
    /* a: self-signed leaf (CA:FALSE) naming localhost only */
    "openssl req -x509 %s -keyout a.key -out a.pem -days 30 "
    "-subj /CN=localhost -addext basicConstraints=critical,CA:FALSE "
    "-addext subjectAltName=DNS:localhost && "
    /* b: another self-signed certificate */
    "openssl req -x509 %s -keyout b.key -out b.pem -days 30 "
    "-subj /CN=localhost && "
    /* ca: a CA:TRUE certificate (openssl's default), d: leaf it signs */
    "openssl req -x509 %s -keyout ca.key -out ca.pem -days 30 "
    "-subj /CN=test-ca && "
    "openssl req -new %s -keyout d.key -out d.csr -subj /CN=localhost && "
    "printf 'basicConstraints=CA:FALSE\\nsubjectAltName=DNS:localhost\\n' "
    "> d.ext && "
    "openssl x509 -req -in d.csr -CA ca.pem -CAkey ca.key "
    "-CAcreateserial -days 30 -extfile d.ext -out d.pem && "
    "for c in a b ca d; do openssl x509 -in $c.pem -outform DER "
    "-out $c.der || exit 1; done",
    dir, ec, ec, ec, ec);
}

static int setup(void **state)
{
  char cert[1024], key[1024], port[16];
  (void)state;
  dir = nu_tmpdir();
  if(make_certs())
    return -1;
  der_a = load("a.der", &len_a);
  der_b = load("b.der", &len_b);
  der_ca = load("ca.der", &len_ca);
  der_d = load("d.der", &len_d);
  snprintf(cert, sizeof(cert), "%s/a.pem", dir);
  snprintf(key, sizeof(key), "%s/a.key", dir);
  srv_a = nu_server(&port_a, "www", cert, key, NULL);
  snprintf(cert, sizeof(cert), "%s/d.pem", dir);
  snprintf(key, sizeof(key), "%s/d.key", dir);
  srv_d = nu_server(&port_d, "www", cert, key, NULL);
  srv_silent = nu_server(&port_silent, "silent-tcp", NULL, NULL, NULL);
  if(srv_a < 0 || srv_d < 0 || srv_silent < 0)
    return -1;
  /* openssl s_server -www, as in the reference tests */
  port_sserver = nu_free_port();
  snprintf(port, sizeof(port), "%d", port_sserver);
  snprintf(cert, sizeof(cert), "%s/a.pem", dir);
  snprintf(key, sizeof(key), "%s/a.key", dir);
  {
    char *argv[] = {"openssl", "s_server", "-accept", port, "-www",
                    "-cert", cert, "-key", key, "-quiet", NULL};
    srv_sserver = nu_spawn(argv, NULL, port_sserver);
  }
  return srv_sserver < 0 ? -1 : 0;
}

static int teardown(void **state)
{
  (void)state;
  nu_stop(srv_a);
  nu_stop(srv_d);
  nu_stop(srv_silent);
  nu_stop(srv_sserver);
  free(der_a);
  free(der_b);
  free(der_ca);
  free(der_d);
  nu_rmrf(dir);
  return 0;
}

static void req_init(og_http_req *r, char *url, size_t usz, int port,
                     const char *path, const unsigned char *pin,
                     size_t pin_len)
{
  memset(r, 0, sizeof(*r));
  snprintf(url, usz, "https://127.0.0.1:%d%s", port, path);
  r->url = url;
  r->pin_der = pin;
  r->pin_der_len = pin_len;
  r->connect_timeout_ms = 20000;
  r->total_timeout_ms = 30000;
}

static og_result get(og_http *h, og_http_resp *resp, int port,
                     const char *path, const unsigned char *pin,
                     size_t pin_len, og_err *err)
{
  og_http_req r;
  char url[256];
  req_init(&r, url, sizeof(url), port, path, pin, pin_len);
  return og_http_perform(h, resp, &r, err);
}

static void test_pin_exact_accepted(void **state)
{
  og_http *h;
  og_http_resp resp;
  og_err err;
  (void)state;
  assert_int_equal(og_http_new(&h, &err), OG_OK);
  assert_int_equal(get(h, &resp, port_a, "/health", der_a, len_a, &err),
                   OG_OK);
  assert_int_equal(resp.status, 200);
  assert_string_equal(og_buf_str(&resp.body), "ok");
  assert_string_equal(og_http_resp_header(&resp, "x-test", 0), "yes");
  assert_string_equal(og_http_resp_header(&resp, "X-MULTI", 0), "a");
  assert_string_equal(og_http_resp_header(&resp, "x-multi", 1), "b");
  assert_null(og_http_resp_header(&resp, "x-multi", 2));
  assert_string_equal(og_http_resp_header(&resp, "content-type", 0),
                      "text/plain");
  og_http_resp_free(&resp);
  og_http_free(h);
}

static void test_pin_other_refused(void **state)
{
  og_http *h;
  og_http_resp resp;
  og_err err;
  (void)state;
  assert_int_equal(og_http_new(&h, &err), OG_OK);
  assert_int_equal(get(h, &resp, port_a, "/health", der_b, len_b, &err),
                   OG_E_TLS);
  assert_non_null(strstr(err.msg, "not the one registered"));
  og_http_resp_free(&resp);
  og_http_free(h);
}

static void test_pin_ca_trap(void **state)
{
  og_http *h;
  og_http_resp resp;
  og_err err;
  (void)state;
  assert_int_equal(og_http_new(&h, &err), OG_OK);
  /* The server's leaf is signed by the pinned CA:TRUE certificate. */
  assert_int_equal(get(h, &resp, port_d, "/health", der_ca, len_ca, &err),
                   OG_E_TLS);
  og_http_resp_free(&resp);
  /* Control: the leaf itself is accepted. */
  assert_int_equal(get(h, &resp, port_d, "/health", der_d, len_d, &err),
                   OG_OK);
  assert_int_equal(resp.status, 200);
  og_http_resp_free(&resp);
  og_http_free(h);
}

static void test_sserver_www(void **state)
{
  og_http *h;
  og_http_resp resp;
  og_err err;
  (void)state;
  assert_int_equal(og_http_new(&h, &err), OG_OK);
  assert_int_equal(get(h, &resp, port_sserver, "/", der_a, len_a, &err),
                   OG_OK);
  assert_int_equal(resp.status, 200);
  og_http_resp_free(&resp);
  assert_int_equal(get(h, &resp, port_sserver, "/", der_b, len_b, &err),
                   OG_E_TLS);
  og_http_resp_free(&resp);
  og_http_free(h);
}

static void test_system_ca_refuses_self_signed(void **state)
{
  og_http *h;
  og_http_resp resp;
  og_err err;
  (void)state;
  assert_int_equal(og_http_new(&h, &err), OG_OK);
  assert_int_equal(get(h, &resp, port_a, "/health", NULL, 0, &err),
                   OG_E_TLS);
  assert_non_null(strstr(err.msg, "system CAs"));
  og_http_resp_free(&resp);
  og_http_free(h);
}

/* A kept-alive connection made under pin A must not carry a request
 * pinned to B; within pin A it is reused; forgetting A drops it. */
static void test_reuse_keyed_by_pin(void **state)
{
  og_http *h;
  og_http_resp resp;
  og_err err;
  long n1, n2, n3;
  (void)state;
  assert_int_equal(og_http_new(&h, &err), OG_OK);
  assert_int_equal(get(h, &resp, port_a, "/conns", der_a, len_a, &err),
                   OG_OK);
  n1 = atol(og_buf_str(&resp.body));
  og_http_resp_free(&resp);
  assert_int_equal(get(h, &resp, port_a, "/conns", der_a, len_a, &err),
                   OG_OK);
  n2 = atol(og_buf_str(&resp.body));
  og_http_resp_free(&resp);
  assert_int_equal(n1, n2); /* same connection */
  assert_int_equal(get(h, &resp, port_a, "/conns", der_b, len_b, &err),
                   OG_E_TLS);
  og_http_resp_free(&resp);
  assert_int_equal(get(h, &resp, port_a, "/conns", der_a, len_a, &err),
                   OG_OK);
  og_http_resp_free(&resp);
  og_http_forget_pin(h, der_a, len_a);
  assert_int_equal(get(h, &resp, port_a, "/conns", der_a, len_a, &err),
                   OG_OK);
  n3 = atol(og_buf_str(&resp.body));
  og_http_resp_free(&resp);
  assert_true(n3 > n2); /* a new connection after forgetting */
  og_http_free(h);
}

static void test_refused_port(void **state)
{
  og_http *h;
  og_http_resp resp;
  og_err err;
  (void)state;
  assert_int_equal(og_http_new(&h, &err), OG_OK);
  assert_int_equal(get(h, &resp, nu_free_port(), "/", der_a, len_a, &err),
                   OG_E_CONNECT);
  assert_non_null(strstr(err.msg, "refused"));
  og_http_resp_free(&resp);
  og_http_free(h);
}

static void test_connect_timeout(void **state)
{
  og_http *h;
  og_http_resp resp;
  og_http_req r;
  og_err err;
  char url[256];
  (void)state;
  assert_int_equal(og_http_new(&h, &err), OG_OK);
  req_init(&r, url, sizeof(url), port_silent, "/", der_a, len_a);
  r.connect_timeout_ms = 600;
  assert_int_equal(og_http_perform(h, &resp, &r, &err), OG_E_TIMEOUT);
  og_http_resp_free(&resp);
  og_http_free(h);
}

static void test_idle_timeout(void **state)
{
  og_http *h;
  og_http_resp resp;
  og_http_req r;
  og_err err;
  char url[256];
  (void)state;
  assert_int_equal(og_http_new(&h, &err), OG_OK);
  req_init(&r, url, sizeof(url), port_a, "/stall", der_a, len_a);
  r.total_timeout_ms = 0;
  r.idle_timeout_ms = 600;
  assert_int_equal(og_http_perform(h, &resp, &r, &err), OG_E_TIMEOUT);
  assert_non_null(strstr(err.msg, "no data"));
  og_http_resp_free(&resp);
  og_http_free(h);
}

struct collect {
  og_buf text;
  int calls;
  int stop_after;
  long status;
};

static og_result on_data(void *user, const og_http_resp *resp,
                         const unsigned char *p, size_t n, og_err *err)
{
  struct collect *c = user;
  c->status = resp->status;
  c->calls++;
  if(c->stop_after && c->calls >= c->stop_after)
    return og_fail(err, OG_E_CANCELLED, "stopped by the test");
  return og_buf_add(&c->text, p, n);
}

/* Chunks every 150 ms for 1.5 s with a 1 s idle limit: not cut. */
static void test_stream_not_cut(void **state)
{
  og_http *h;
  og_http_resp resp;
  og_http_req r;
  og_err err;
  char url[256];
  struct collect c;
  (void)state;
  memset(&c, 0, sizeof(c));
  og_buf_init(&c.text, 4096);
  assert_int_equal(og_http_new(&h, &err), OG_OK);
  req_init(&r, url, sizeof(url), port_a, "/stream", der_a, len_a);
  r.total_timeout_ms = 0;
  r.idle_timeout_ms = 1000;
  r.on_data = on_data;
  r.user = &c;
  assert_int_equal(og_http_perform(h, &resp, &r, &err), OG_OK);
  assert_int_equal(c.status, 200);
  assert_non_null(strstr(og_buf_str(&c.text), "data: 0\n\n"));
  assert_non_null(strstr(og_buf_str(&c.text), "data: 9\n\n"));
  assert_int_equal(resp.body.len, 0);
  assert_string_equal(og_http_resp_header(&resp, "content-type", 0),
                      "text/event-stream");
  og_http_resp_free(&resp);
  og_buf_free(&c.text);
  og_http_free(h);
}

static void test_stream_abort(void **state)
{
  og_http *h;
  og_http_resp resp;
  og_http_req r;
  og_err err;
  char url[256];
  struct collect c;
  (void)state;
  memset(&c, 0, sizeof(c));
  og_buf_init(&c.text, 4096);
  c.stop_after = 1;
  assert_int_equal(og_http_new(&h, &err), OG_OK);
  req_init(&r, url, sizeof(url), port_a, "/stream", der_a, len_a);
  r.on_data = on_data;
  r.user = &c;
  assert_int_equal(og_http_perform(h, &resp, &r, &err), OG_E_CANCELLED);
  assert_string_equal(err.msg, "stopped by the test");
  assert_int_equal(c.calls, 1);
  og_http_resp_free(&resp);
  og_buf_free(&c.text);
  og_http_free(h);
}

static void test_body_cap(void **state)
{
  og_http *h;
  og_http_resp resp;
  og_http_req r;
  og_err err;
  char url[256];
  (void)state;
  assert_int_equal(og_http_new(&h, &err), OG_OK);
  req_init(&r, url, sizeof(url), port_a, "/big", der_a, len_a);
  r.max_body = 1000;
  assert_int_equal(og_http_perform(h, &resp, &r, &err), OG_E_TOO_LARGE);
  og_http_resp_free(&resp);
  r.max_body = 200000;
  assert_int_equal(og_http_perform(h, &resp, &r, &err), OG_OK);
  assert_int_equal(resp.body.len, 200000);
  og_http_resp_free(&resp);
  og_http_free(h);
}

static void test_url_rules(void **state)
{
  og_http *h;
  og_http_resp resp;
  og_http_req r;
  og_err err;
  const char *bad_hdr[] = {"X-A: 1\r\nX-B: 2", NULL};
  (void)state;
  assert_int_equal(og_http_new(&h, &err), OG_OK);
  memset(&r, 0, sizeof(r));
  r.url = "http://127.0.0.1:1/";
  assert_int_equal(og_http_perform(h, &resp, &r, &err), OG_E_USAGE);
  og_http_resp_free(&resp);
  r.url = "ftp://127.0.0.1:1/";
  r.allow_http = 1;
  assert_int_equal(og_http_perform(h, &resp, &r, &err), OG_E_USAGE);
  og_http_resp_free(&resp);
  r.url = "http://127.0.0.1:1/";
  r.pin_der = der_a;
  r.pin_der_len = len_a;
  assert_int_equal(og_http_perform(h, &resp, &r, &err), OG_E_USAGE);
  og_http_resp_free(&resp);
  r.url = "https://127.0.0.1:1/";
  r.headers = bad_hdr;
  assert_int_equal(og_http_perform(h, &resp, &r, &err), OG_E_USAGE);
  og_http_resp_free(&resp);
  og_http_free(h);
}

struct done_rec {
  int done;
  og_result rc;
  long status;
  size_t body_len;
};

static void on_done(void *user, og_http_xfer *x, og_result rc,
                    og_http_resp *resp, const og_err *err)
{
  struct done_rec *d = user;
  (void)x;
  (void)err;
  d->done++;
  d->rc = rc;
  d->status = resp->status;
  d->body_len = resp->body.len;
}

/* Several transfers at once, driven by the caller's select() loop. */
static void test_nonblocking_select(void **state)
{
  og_http *h;
  og_http_req r;
  og_err err;
  char url[4][256];
  struct done_rec d[4];
  og_http_xfer *cancelled;
  int running = 4, guard;
  (void)state;
  memset(d, 0, sizeof(d));
  assert_int_equal(og_http_new(&h, &err), OG_OK);
  req_init(&r, url[0], sizeof(url[0]), port_a, "/health", der_a, len_a);
  assert_int_equal(og_http_start(h, NULL, &r, on_done, &d[0], &err), OG_OK);
  req_init(&r, url[1], sizeof(url[1]), port_d, "/big", der_d, len_d);
  assert_int_equal(og_http_start(h, NULL, &r, on_done, &d[1], &err), OG_OK);
  req_init(&r, url[2], sizeof(url[2]), port_a, "/health", der_b, len_b);
  assert_int_equal(og_http_start(h, NULL, &r, on_done, &d[2], &err), OG_OK);
  req_init(&r, url[3], sizeof(url[3]), port_a, "/stall", der_a, len_a);
  assert_int_equal(og_http_start(h, &cancelled, &r, on_done, &d[3], &err),
                   OG_OK);
  assert_int_equal(og_http_running(h), 4);
  for(guard = 0; guard < 10000 && running > 1; guard++) {
    fd_set rd, wr, ex;
    int maxfd = -1;
    long t;
    struct timeval tv;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_ZERO(&ex);
    assert_int_equal(og_http_fdset(h, &rd, &wr, &ex, &maxfd), OG_OK);
    t = og_http_timeout(h);
    if(t < 0 || t > 100)
      t = 100;
    tv.tv_sec = t / 1000;
    tv.tv_usec = (t % 1000) * 1000;
    select(maxfd + 1, &rd, &wr, &ex, &tv);
    assert_int_equal(og_http_step(h, &running), OG_OK);
  }
  assert_int_equal(d[0].done, 1);
  assert_int_equal(d[0].rc, OG_OK);
  assert_int_equal(d[0].status, 200);
  assert_int_equal(d[1].done, 1);
  assert_int_equal(d[1].rc, OG_OK);
  assert_int_equal(d[1].body_len, 200000);
  assert_int_equal(d[2].done, 1);
  assert_int_equal(d[2].rc, OG_E_TLS);
  assert_int_equal(d[3].done, 0); /* /stall is still waiting */
  og_http_cancel(h, cancelled);
  assert_int_equal(og_http_running(h), 0);
  assert_int_equal(d[3].done, 0);
  og_http_free(h);
}

/* ---- socket mode, driven by an epoll loop as a caller would ---------- */

#include <sys/epoll.h>
#include <time.h>

struct sloop {
  int ep;
  long timer_ms;       /* -1 = no timer */
  uint64_t timer_set;  /* when it was set, ms */
  int socket_calls, timer_calls, removes;
  int in_action;       /* callbacks must not arrive re-entrantly */
};

static uint64_t mono_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void on_sock(void *user, int fd, int what)
{
  struct sloop *l = user;
  struct epoll_event ev;
  l->socket_calls++;
  if(what & OG_HTTP_POLL_REMOVE) {
    l->removes++;
    epoll_ctl(l->ep, EPOLL_CTL_DEL, fd, NULL);
    return;
  }
  memset(&ev, 0, sizeof(ev));
  ev.data.fd = fd;
  if(what & OG_HTTP_POLL_IN)
    ev.events |= EPOLLIN;
  if(what & OG_HTTP_POLL_OUT)
    ev.events |= EPOLLOUT;
  if(epoll_ctl(l->ep, EPOLL_CTL_MOD, fd, &ev) && errno == ENOENT)
    assert_int_equal(epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev), 0);
}

static void on_timer(void *user, long ms)
{
  struct sloop *l = user;
  l->timer_calls++;
  l->timer_ms = ms;
  l->timer_set = mono_ms();
}

/* One round of the caller's loop: wait for sockets or the timer. */
static void sloop_round(og_http *h, struct sloop *l, int *running)
{
  struct epoll_event evs[16];
  int n, i, wait = 200;
  if(l->timer_ms >= 0) {
    uint64_t due = l->timer_set + (uint64_t)l->timer_ms, now = mono_ms();
    wait = due > now ? (int)(due - now) : 0;
  }
  n = epoll_wait(l->ep, evs, 16, wait);
  for(i = 0; i < n; i++) {
    int e = 0;
    if(evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
      e |= OG_HTTP_POLL_IN;
    if(evs[i].events & (EPOLLOUT | EPOLLERR))
      e |= OG_HTTP_POLL_OUT;
    assert_int_equal(og_http_socket_action(h, evs[i].data.fd, e, running),
                     OG_OK);
  }
  if(l->timer_ms >= 0 &&
     mono_ms() >= l->timer_set + (uint64_t)l->timer_ms) {
    l->timer_ms = -1;
    assert_int_equal(og_http_socket_action(h, OG_HTTP_SOCKET_TIMEOUT, 0,
                                           running), OG_OK);
  }
}

static void test_socket_mode(void **state)
{
  og_http *h;
  og_http_req r;
  og_err err;
  char url[5][256];
  struct done_rec d[5];
  struct sloop l;
  og_http_xfer *stalled;
  int running = 5, guard;
  uint64_t t0 = mono_ms();
  (void)state;
  memset(d, 0, sizeof(d));
  memset(&l, 0, sizeof(l));
  l.timer_ms = -1;
  l.ep = epoll_create1(0);
  assert_true(l.ep >= 0);
  assert_int_equal(og_http_new(&h, &err), OG_OK);
  /* not in socket mode yet */
  assert_int_equal(og_http_socket_action(h, OG_HTTP_SOCKET_TIMEOUT, 0, NULL),
                   OG_E_USAGE);
  assert_int_equal(og_http_set_socket_fns(h, NULL, on_timer, &l, &err),
                   OG_E_USAGE);
  assert_int_equal(og_http_set_socket_fns(h, on_sock, on_timer, &l, &err),
                   OG_OK);
  assert_int_equal(og_http_set_socket_fns(h, on_sock, on_timer, &l, &err),
                   OG_E_USAGE);
  req_init(&r, url[0], sizeof(url[0]), port_a, "/health", der_a, len_a);
  assert_int_equal(og_http_start(h, NULL, &r, on_done, &d[0], &err), OG_OK);
  /* starting a transfer asks for the timer (libcurl wants to run) */
  assert_true(l.timer_calls > 0);
  assert_true(l.timer_ms >= 0);
  req_init(&r, url[1], sizeof(url[1]), port_d, "/big", der_d, len_d);
  assert_int_equal(og_http_start(h, NULL, &r, on_done, &d[1], &err), OG_OK);
  req_init(&r, url[2], sizeof(url[2]), port_a, "/health", der_b, len_b);
  assert_int_equal(og_http_start(h, NULL, &r, on_done, &d[2], &err), OG_OK);
  /* the idle timeout ends this one from the timer, with no socket event */
  req_init(&r, url[3], sizeof(url[3]), port_a, "/stall", der_a, len_a);
  r.total_timeout_ms = 0;
  r.idle_timeout_ms = 600;
  assert_int_equal(og_http_start(h, NULL, &r, on_done, &d[3], &err), OG_OK);
  /* this one stalls without an idle limit and is cancelled */
  req_init(&r, url[4], sizeof(url[4]), port_a, "/stall", der_a, len_a);
  r.total_timeout_ms = 0;
  assert_int_equal(og_http_start(h, &stalled, &r, on_done, &d[4], &err),
                   OG_OK);
  /* switching mode with transfers running is refused */
  {
    og_http *h2;
    struct done_rec d2;
    assert_int_equal(og_http_new(&h2, &err), OG_OK);
    req_init(&r, url[0], sizeof(url[0]), port_a, "/health", der_a, len_a);
    assert_int_equal(og_http_start(h2, NULL, &r, on_done, &d2, &err), OG_OK);
    assert_int_equal(og_http_set_socket_fns(h2, on_sock, on_timer, &l, &err),
                     OG_E_USAGE);
    og_http_free(h2);
  }
  /* bounded by time, not rounds: a missing timer must fail, not hang */
  for(guard = 0; mono_ms() - t0 < 20000 && running > 1; guard++)
    sloop_round(h, &l, &running);
  assert_int_equal(running, 1);
  assert_true(l.socket_calls > 0);
  assert_int_equal(d[0].done, 1);
  assert_int_equal(d[0].rc, OG_OK);
  assert_int_equal(d[0].status, 200);
  assert_int_equal(d[1].done, 1);
  assert_int_equal(d[1].rc, OG_OK);
  assert_int_equal(d[1].body_len, 200000);
  assert_int_equal(d[2].done, 1);
  assert_int_equal(d[2].rc, OG_E_TLS);
  assert_int_equal(d[3].done, 1);
  assert_int_equal(d[3].rc, OG_E_TIMEOUT);
  assert_int_equal(d[4].done, 0);
  /* a blocking request on a transport in socket mode still works */
  {
    og_http_resp resp;
    req_init(&r, url[0], sizeof(url[0]), port_a, "/health", der_a, len_a);
    assert_int_equal(og_http_perform(h, &resp, &r, &err), OG_OK);
    assert_int_equal(resp.status, 200);
    og_http_resp_free(&resp);
  }
  og_http_cancel(h, stalled);
  assert_int_equal(og_http_running(h), 0);
  assert_int_equal(d[4].done, 0);
  og_http_free(h);
  assert_true(l.removes > 0);
  close(l.ep);
}

static void test_redact(void **state)
{
  char out[128];
  (void)state;
  og_http_redact_header(out, sizeof(out), "PAYMENT-SIGNATURE: abcdef");
  assert_string_equal(out, "PAYMENT-SIGNATURE: <redacted, 6 bytes>");
  og_http_redact_header(out, sizeof(out), "x-payment:  xyz");
  assert_string_equal(out, "x-payment: <redacted, 3 bytes>");
  og_http_redact_header(out, sizeof(out), "Content-Type: application/json");
  assert_string_equal(out, "Content-Type: application/json");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_pin_exact_accepted),
    cmocka_unit_test(test_pin_other_refused),
    cmocka_unit_test(test_pin_ca_trap),
    cmocka_unit_test(test_sserver_www),
    cmocka_unit_test(test_system_ca_refuses_self_signed),
    cmocka_unit_test(test_reuse_keyed_by_pin),
    cmocka_unit_test(test_refused_port),
    cmocka_unit_test(test_connect_timeout),
    cmocka_unit_test(test_idle_timeout),
    cmocka_unit_test(test_stream_not_cut),
    cmocka_unit_test(test_stream_abort),
    cmocka_unit_test(test_body_cap),
    cmocka_unit_test(test_url_rules),
    cmocka_unit_test(test_nonblocking_select),
    cmocka_unit_test(test_socket_mode),
    cmocka_unit_test(test_redact),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
