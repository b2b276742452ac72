/* Many concurrent streams in one thread: S streamed chats of N chunks each,
 * all in flight at once on the library's multi transport (one pinned
 * connection pool), as bench/README.md specifies. Prints
 * {"streams","events","failed","seconds"}.
 *
 * --socket: drive the transport through the socket-callback interface from
 * an epoll loop (og_http_set_socket_fns), as a server holding thousands of
 * streams would; otherwise og_client_wait. RLIMIT_NOFILE is raised to the
 * hard limit. */
#include <errno.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench_common.h"

typedef struct eloop {
  int ep;
  double due; /* seconds, < 0 = no timer */
} eloop;

static void on_socket(void *user, int fd, int what)
{
  eloop *l = user;
  struct epoll_event ev;
  if(what & OG_HTTP_POLL_REMOVE) {
    epoll_ctl(l->ep, EPOLL_CTL_DEL, fd, NULL);
    return;
  }
  memset(&ev, 0, sizeof(ev));
  ev.data.fd = fd;
  ev.events = ((what & OG_HTTP_POLL_IN) ? EPOLLIN : 0) |
              ((what & OG_HTTP_POLL_OUT) ? EPOLLOUT : 0);
  if(epoll_ctl(l->ep, EPOLL_CTL_MOD, fd, &ev) && errno == ENOENT)
    epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev);
}

static void on_timer(void *user, long ms)
{
  eloop *l = user;
  l->due = ms < 0 ? -1 : bench_now() + (double)ms / 1000.0;
}

/* Run the epoll loop until *done reaches n; 0 on success. */
static int run_epoll(og_http *h, eloop *l, const size_t *done, size_t n)
{
  while(*done < n) {
    struct epoll_event evs[512];
    int k, j, wait = -1;
    if(l->due >= 0) {
      double left = l->due - bench_now();
      wait = left > 0 ? (int)(left * 1000.0) + 1 : 0;
    }
    k = epoll_wait(l->ep, evs, 512, wait);
    if(k < 0 && errno != EINTR)
      return -1;
    for(j = 0; j < k; j++) {
      int e = 0;
      if(evs[j].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        e |= OG_HTTP_POLL_IN;
      if(evs[j].events & (EPOLLOUT | EPOLLERR))
        e |= OG_HTTP_POLL_OUT;
      if(og_http_socket_action(h, evs[j].data.fd, e, NULL))
        return -1;
    }
    if(l->due >= 0 && bench_now() >= l->due) {
      l->due = -1;
      if(og_http_socket_action(h, OG_HTTP_SOCKET_TIMEOUT, 0, NULL))
        return -1;
    }
  }
  return 0;
}

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
  int sock = 0;
  eloop l = {-1, -1};
  struct rlimit rl;
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
            "[--streams S] [--n N] [--socket]\n");
    return 1;
  }
  for(i = 1; i < argc; i++)
    if(!strcmp(argv[i], "--socket"))
      sock = 1;
  if(!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  c = bench_client("bench_concurrent", url, cert);
  if(!c)
    return 1;
  if(sock) {
    l.ep = epoll_create1(EPOLL_CLOEXEC);
    if(l.ep < 0 || og_http_set_socket_fns(og_client_http(c), on_socket,
                                          on_timer, &l, &err)) {
      fprintf(stderr, "bench_concurrent: no socket mode\n");
      return 1;
    }
  }
  bench_request(&rq, model, &msgs, n, on_chunk, &t);
  t0 = bench_now();
  for(i = 0; i < streams; i++) {
    if(og_call_start(c, NULL, &rq, 0, on_done, &t, &err)) {
      fprintf(stderr, "bench_concurrent: %s\n", err.msg);
      t.failed++;
    }
  }
  if(sock ? run_epoll(og_client_http(c), &l, &t.done, (size_t)streams) != 0
          : og_client_wait(c, 0) != OG_OK)
    fprintf(stderr, "bench_concurrent: transport failed\n");
  t1 = bench_now();
  printf("{\"streams\": %ld, \"events\": %zu, \"failed\": %zu, "
         "\"seconds\": %.6f}\n", streams, t.events, t.failed, t1 - t0);
  og_client_free(c);
  if(l.ep >= 0)
    close(l.ep);
  json_decref(msgs);
  return t.failed ? 1 : 0;
}
