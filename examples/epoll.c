/* Thousands of streamed requests at once from an epoll loop, beyond
 * select()'s FD_SETSIZE. The client's transport is put in socket mode:
 * it tells the loop which socket to watch for what (on_socket) and when
 * to call back on a timer (on_timer); the loop reports what it saw with
 * og_http_socket_action. Completion callbacks run from there.
 *
 *   example_epoll RPC_URL REGISTRY N [MODEL]
 *
 * Prints one summary line; exit 0 when every request succeeded. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "opengradient/og_client.h"

typedef struct loop {
  int ep;
  og_http *http;
  long long timer_due; /* ms on CLOCK_MONOTONIC, -1 = no timer */
  int n, done, failed, verified;
  int maxfd; /* highest socket seen: above FD_SETSIZE, select() could not */
  size_t chunks;
} loop;

static long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* og_http_socket_fn: watch fd for what, or stop watching it. */
static void on_socket(void *user, int fd, int what)
{
  loop *l = user;
  struct epoll_event ev;
  if(fd > l->maxfd)
    l->maxfd = fd;
  if(what & OG_HTTP_POLL_REMOVE) {
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
    epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev);
}

/* og_http_timer_fn: one timer, replaced by each call; -1 cancels it. */
static void on_timer(void *user, long timeout_ms)
{
  loop *l = user;
  l->timer_due = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

static int on_chunk(void *user, const og_llm_chunk *chunk)
{
  loop *l = user;
  (void)chunk;
  l->chunks++;
  return 0; /* nonzero would cancel this stream */
}

static void on_done(void *user, og_result rc, og_inference *out,
                    const og_err *err)
{
  loop *l = user;
  l->done++;
  if(rc) {
    if(!l->failed++)
      fprintf(stderr, "request failed: %s\n", err->msg);
  }
  else if(out->verified)
    l->verified++;
  og_inference_free(out); /* the answer is ours to free */
}

/* Allow as many descriptors as the hard limit permits. */
static void raise_nofile(void)
{
  struct rlimit rl;
  if(!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

int main(int argc, char **argv)
{
  og_client_config cfg = {0};
  og_client *client;
  og_request req;
  og_err err;
  loop l;
  json_t *messages;
  int i;

  if(argc != 4 && argc != 5) {
    fprintf(stderr, "usage: %s RPC_URL REGISTRY N [MODEL]\n", argv[0]);
    return 1;
  }
  raise_nofile();
  memset(&l, 0, sizeof(l));
  l.timer_due = -1;
  l.n = atoi(argv[3]);
  l.ep = epoll_create1(EPOLL_CLOEXEC);
  if(l.ep < 0) {
    perror("epoll_create1");
    return 1;
  }
  cfg.rpc_url = argv[1];
  cfg.registry = argv[2];
  if(og_client_new(&client, &cfg, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  l.http = og_client_http(client);
  if(og_http_set_socket_fns(l.http, on_socket, on_timer, &l, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  messages = json_pack("[{s:s,s:s}]", "role", "user", "content", "Hello");
  og_request_init(&req);
  req.params.model = argc == 5 ? argv[4] : "openai/gpt-5";
  req.params.messages = messages;
  req.params.stream = 1;
  req.on_chunk = on_chunk;
  req.user = &l;
  req.no_chunk_json = 1; /* on_chunk does not read chunk->json */
  for(i = 0; i < l.n; i++)
    if(og_call_start(client, NULL, &req, 0, on_done, &l, &err)) {
      fprintf(stderr, "cannot start: %s\n", err.msg);
      l.done++;
      l.failed++;
    }

  /* the loop: sockets and one timer */
  while(l.done < l.n) {
    struct epoll_event evs[256];
    int k, j, wait = -1;
    if(l.timer_due >= 0) {
      long long left = l.timer_due - now_ms();
      wait = left > 0 ? (int)left : 0;
    }
    k = epoll_wait(l.ep, evs, 256, wait);
    if(k < 0 && errno != EINTR) {
      perror("epoll_wait");
      break;
    }
    for(j = 0; j < k; j++) {
      int e = 0;
      if(evs[j].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        e |= OG_HTTP_POLL_IN;
      if(evs[j].events & (EPOLLOUT | EPOLLERR))
        e |= OG_HTTP_POLL_OUT;
      if(og_http_socket_action(l.http, evs[j].data.fd, e, NULL))
        goto out;
    }
    if(l.timer_due >= 0 && now_ms() >= l.timer_due) {
      l.timer_due = -1;
      if(og_http_socket_action(l.http, OG_HTTP_SOCKET_TIMEOUT, 0, NULL))
        goto out;
    }
  }
out:
  printf("%d requests, %d failed, %d verified, %zu chunks, highest fd %d\n",
         l.n, l.failed, l.verified, l.chunks, l.maxfd);
  json_decref(messages);
  og_client_free(client);
  close(l.ep);
  return l.failed || l.done < l.n ? 1 : 0;
}
