/* Thousands of streamed requests at once on libuv, in the way of hiredis'
 * adapters: each socket the transport names gets a uv_poll_t, its one
 * timer is a uv_timer_t, and both report back with
 * og_http_socket_action. Completion callbacks run from there.
 *
 *   example_libuv RPC_URL REGISTRY N [MODEL]
 *
 * Prints one summary line; exit 0 when every request succeeded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <uv.h>

#include "opengradient/og_client.h"

typedef struct app {
  uv_loop_t *uv;
  uv_timer_t timer;
  og_http *http;
  uv_poll_t **polls; /* by fd */
  int npolls;
  int n, done, failed, verified, broken;
  int maxfd; /* highest socket seen */
  size_t chunks;
} app;

static void on_poll(uv_poll_t *p, int status, int events)
{
  app *a = p->loop->data;
  int e = 0;
  if(status < 0 || (events & UV_READABLE))
    e |= OG_HTTP_POLL_IN;
  if(status < 0 || (events & UV_WRITABLE))
    e |= OG_HTTP_POLL_OUT;
  if(og_http_socket_action(a->http, (int)(intptr_t)p->data, e, NULL)) {
    a->broken = 1;
    uv_stop(a->uv);
  }
}

static void on_fire(uv_timer_t *t)
{
  app *a = t->data;
  if(og_http_socket_action(a->http, OG_HTTP_SOCKET_TIMEOUT, 0, NULL)) {
    a->broken = 1;
    uv_stop(a->uv);
  }
}

static void free_handle(uv_handle_t *h)
{
  free(h);
}

/* og_http_socket_fn: start, change or stop the fd's uv_poll_t. */
static void on_socket(void *user, int fd, int what)
{
  app *a = user;
  uv_poll_t *p;
  int ev = 0;
  if(fd > a->maxfd)
    a->maxfd = fd;
  if(fd >= a->npolls) {
    int n = a->npolls ? a->npolls : 256;
    uv_poll_t **np;
    while(n <= fd)
      n *= 2;
    np = realloc(a->polls, (size_t)n * sizeof(*np));
    if(!np)
      abort();
    memset(np + a->npolls, 0, (size_t)(n - a->npolls) * sizeof(*np));
    a->polls = np;
    a->npolls = n;
  }
  p = a->polls[fd];
  if(what & OG_HTTP_POLL_REMOVE) {
    if(p) {
      uv_poll_stop(p);
      uv_close((uv_handle_t *)p, free_handle);
      a->polls[fd] = NULL;
    }
    return;
  }
  if(!p) {
    p = malloc(sizeof(*p));
    if(!p || uv_poll_init_socket(a->uv, p, fd))
      abort();
    p->data = (void *)(intptr_t)fd;
    a->polls[fd] = p;
  }
  if(what & OG_HTTP_POLL_IN)
    ev |= UV_READABLE;
  if(what & OG_HTTP_POLL_OUT)
    ev |= UV_WRITABLE;
  uv_poll_start(p, ev, on_poll);
}

/* og_http_timer_fn: (re)start the one timer, or stop it. */
static void on_timer(void *user, long timeout_ms)
{
  app *a = user;
  if(timeout_ms < 0)
    uv_timer_stop(&a->timer);
  else
    uv_timer_start(&a->timer, on_fire, (uint64_t)timeout_ms, 0);
}

static int on_chunk(void *user, const og_llm_chunk *chunk)
{
  app *a = user;
  (void)chunk;
  a->chunks++;
  return 0;
}

static void on_done(void *user, og_result rc, og_inference *out,
                    const og_err *err)
{
  app *a = user;
  a->done++;
  if(rc) {
    if(!a->failed++)
      fprintf(stderr, "request failed: %s\n", err->msg);
  }
  else if(out->verified)
    a->verified++;
  og_inference_free(out);
  if(a->done == a->n)
    uv_stop(a->uv);
}

int main(int argc, char **argv)
{
  og_client_config cfg = {0};
  og_client *client;
  og_request req;
  og_err err;
  app a;
  json_t *messages;
  struct rlimit rl;
  int i;

  if(argc != 4 && argc != 5) {
    fprintf(stderr, "usage: %s RPC_URL REGISTRY N [MODEL]\n", argv[0]);
    return 1;
  }
  if(!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max; /* as many descriptors as allowed */
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  memset(&a, 0, sizeof(a));
  a.n = atoi(argv[3]);
  a.uv = uv_default_loop();
  a.uv->data = &a;
  uv_timer_init(a.uv, &a.timer);
  a.timer.data = &a;
  cfg.rpc_url = argv[1];
  cfg.registry = argv[2];
  if(og_client_new(&client, &cfg, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  a.http = og_client_http(client);
  if(og_http_set_socket_fns(a.http, on_socket, on_timer, &a, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  messages = json_pack("[{s:s,s:s}]", "role", "user", "content", "Hello");
  og_request_init(&req);
  req.params.model = argc == 5 ? argv[4] : "openai/gpt-5";
  req.params.messages = messages;
  req.params.stream = 1;
  req.on_chunk = on_chunk;
  req.user = &a;
  req.no_chunk_json = 1;
  for(i = 0; i < a.n; i++)
    if(og_call_start(client, NULL, &req, 0, on_done, &a, &err)) {
      fprintf(stderr, "cannot start: %s\n", err.msg);
      a.done++;
      a.failed++;
    }
  if(a.done < a.n)
    uv_run(a.uv, UV_RUN_DEFAULT);
  printf("%d requests, %d failed, %d verified, %zu chunks, highest fd %d\n",
         a.n, a.failed, a.verified, a.chunks, a.maxfd);
  json_decref(messages);
  og_client_free(client); /* removes the remaining sockets' polls */
  uv_close((uv_handle_t *)&a.timer, NULL);
  uv_run(a.uv, UV_RUN_DEFAULT); /* let the close callbacks run */
  free(a.polls);
  uv_loop_close(a.uv);
  return a.failed || a.done < a.n || a.broken ? 1 : 0;
}
