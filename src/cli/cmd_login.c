/* `login`: the chat app hands its session to a loopback listener (the
 * Python SDK's login_chat_account). One blocking accept loop, bounded:
 * one connection at a time, capped headers and body, a per-connection
 * read limit, the whole wait limited by --timeout (default 300 s). The
 * token is stored in the config file (0600), never printed. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "opengradient/og_buf.h"

#define LOGIN_DEFAULT_APP "https://chat.opengradient.ai"
#define LOGIN_MAX_HEADER (16 * 1024)
#define LOGIN_MAX_BODY (64 * 1024)
#define LOGIN_CONN_MS 10000
#define LOGIN_BUNDLE_TYPE "opengradient-cli-auth"

extern char **environ;

static long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* scheme://host[:port] of url into out; 0 ok. */
static int url_origin(const char *url, char *out, size_t n)
{
  const char *p = strstr(url, "://"), *end;
  size_t len;
  if(!p || p == url)
    return -1;
  end = p + 3 + strcspn(p + 3, "/?#");
  len = (size_t)(end - url);
  if(end == p + 3 || len >= n)
    return -1;
  memcpy(out, url, len);
  out[len] = 0;
  return 0;
}

static void send_all(int fd, const char *s, size_t n)
{
  while(n) {
    ssize_t k = send(fd, s, n, MSG_NOSIGNAL);
    if(k <= 0)
      return;
    s += k;
    n -= (size_t)k;
  }
}

static void respond(int fd, int status, const char *reason,
                    const char *origin, const char *body)
{
  char head[1024];
  int n = snprintf(head, sizeof(head),
                   "HTTP/1.1 %d %s\r\n"
                   "Access-Control-Allow-Origin: %s\r\n"
                   "Access-Control-Allow-Methods: POST, OPTIONS\r\n"
                   "Access-Control-Allow-Headers: Content-Type\r\n"
                   "Access-Control-Max-Age: 600\r\n"
                   "Content-Type: application/json\r\n"
                   "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                   status, reason, origin, body ? strlen(body) : 0);
  if(n > 0 && (size_t)n < sizeof(head))
    send_all(fd, head, (size_t)n);
  if(body)
    send_all(fd, body, strlen(body));
}

/* The value of header name in the head (lines after the first), trimmed,
 * into out; 0 when found. */
static int header_value(const char *head, const char *name, char *out,
                        size_t n)
{
  size_t nl = strlen(name);
  const char *p = strstr(head, "\r\n");
  while(p && p[2] && !(p[2] == '\r' && p[3] == '\n')) {
    const char *line = p + 2, *eol = strstr(line, "\r\n");
    if(!eol)
      break;
    if((size_t)(eol - line) > nl && !strncasecmp(line, name, nl) &&
       line[nl] == ':') {
      const char *v = line + nl + 1;
      size_t len;
      while(v < eol && (*v == ' ' || *v == '\t'))
        v++;
      len = (size_t)(eol - v);
      while(len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
        len--;
      if(len >= n)
        return -1;
      memcpy(out, v, len);
      out[len] = 0;
      return 0;
    }
    p = eol;
  }
  return -1;
}

/* Read one request (head + body) within the limits. 0 ok, -1 bad/slow. */
static int read_request(int fd, og_buf *req, size_t *head_len,
                        size_t *body_len, long long deadline)
{
  char tmp[4096];
  size_t need = 0;
  *head_len = 0;
  for(;;) {
    struct pollfd pf = {fd, POLLIN, 0};
    long long left = deadline - now_ms();
    ssize_t k;
    if(left <= 0 || poll(&pf, 1, (int)left) <= 0)
      return -1;
    k = recv(fd, tmp, sizeof(tmp), 0);
    if(k <= 0)
      return -1;
    if(og_buf_add(req, tmp, (size_t)k))
      return -1;
    if(!*head_len) {
      const char *e = strstr(og_buf_str(req), "\r\n\r\n");
      char cl[32];
      if(!e) {
        if(req->len > LOGIN_MAX_HEADER)
          return -1;
        continue;
      }
      *head_len = (size_t)(e - (const char *)req->data) + 4;
      need = 0;
      if(!header_value(og_buf_str(req), "Content-Length", cl, sizeof(cl))) {
        char *end;
        unsigned long v = strtoul(cl, &end, 10);
        if(*end || v > LOGIN_MAX_BODY)
          return -1;
        need = v;
      }
    }
    if(req->len >= *head_len + need) {
      *body_len = need;
      return 0;
    }
  }
}

static void open_browser(cli *c, const char *url, pid_t *child)
{
  posix_spawn_file_actions_t fa;
  char *argv[3];
  argv[0] = (char *)"xdg-open";
  argv[1] = (char *)url;
  argv[2] = NULL;
  *child = -1;
  if(posix_spawn_file_actions_init(&fa))
    return;
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  if(posix_spawnp(child, "xdg-open", &fa, NULL, argv, environ)) {
    *child = -1;
    cli_verbose(c, "no browser could be opened (xdg-open); open the URL "
                "yourself");
  }
  posix_spawn_file_actions_destroy(&fa);
}

/* Store the bundle; print who logged in. 0 ok, else the exit code. */
static int store_bundle(cli *c, json_t *b)
{
  json_t *cfg = json_object_get(b, "config"), *user = json_object_get(b, "user");
  json_t *up = json_object();
  const char *relay = json_string_value(json_object_get(cfg, "chat_api_base_url"));
  const char *rpc = json_string_value(json_object_get(cfg, "tee_registry_rpc_url"));
  const char *reg = json_string_value(json_object_get(cfg, "tee_registry_address"));
  const char *email = json_string_value(json_object_get(user, "email"));
  const char *uid = json_string_value(json_object_get(user, "id"));
  const char *who = email ? email : uid ? uid : "an anonymous account";
  int rc;
  if(!up)
    return cli_error(c, OG_E_NOMEM, "out of memory");
  json_object_set(up, "relay_token", json_object_get(b, "access_token"));
  if(relay && *relay)
    json_object_set_new(up, "relay_url", json_string(relay));
  if(rpc && *rpc)
    json_object_set_new(up, "rpc_url", json_string(rpc));
  if(reg && *reg)
    json_object_set_new(up, "tee_registry", json_string(reg));
  rc = cli_config_store(c, up);
  json_decref(up);
  if(rc)
    return rc;
  if(c->json) {
    json_t *o = json_pack("{s:b,s:s?,s:s?,s:s?,s:s?}", "logged_in", 1,
                          "user", email ? email : uid, "relay_url", relay,
                          "rpc_url", rpc, "tee_registry", reg);
    return cli_print_json(c, o) ? og_exit_code(OG_E_IO) : 0;
  }
  fprintf(c->out, "Logged in as %s.\n", who);
  if(relay && *relay)
    fprintf(c->out, "Confidential chat goes through %s by default "
            "(--relay-url '' turns it off).\n", relay);
  fprintf(c->out, "The relay token is stored in ~/.opengradient_config.json "
          "(mode 0600).\n");
  return 0;
}

/* Handle one connection; 1 when the bundle was taken (stored in *got). */
static int serve_one(cli *c, int fd, const char *origin, json_t **got)
{
  og_buf req;
  size_t hl, bl;
  char method[16], hdr_origin[512];
  json_t *j;
  const char *type, *tok;
  int taken = 0;
  og_buf_init(&req, LOGIN_MAX_HEADER + LOGIN_MAX_BODY);
  if(read_request(fd, &req, &hl, &bl, now_ms() + LOGIN_CONN_MS)) {
    respond(fd, 400, "Bad Request", origin,
            "{\"ok\":false,\"error\":\"bad request\"}");
    og_buf_wipe_free(&req);
    return 0;
  }
  if(sscanf(og_buf_str(&req), "%15s", method) != 1)
    method[0] = 0;
  if(!strcmp(method, "OPTIONS")) {
    respond(fd, 204, "No Content", origin, NULL);
    og_buf_wipe_free(&req);
    return 0;
  }
  if(strcmp(method, "POST")) {
    respond(fd, 405, "Method Not Allowed", origin,
            "{\"ok\":false,\"error\":\"POST only\"}");
    og_buf_wipe_free(&req);
    return 0;
  }
  if(header_value(og_buf_str(&req), "Origin", hdr_origin, sizeof(hdr_origin)) ||
     strcasecmp(hdr_origin, origin)) {
    cli_verbose(c, "login: refused a POST from another origin");
    respond(fd, 403, "Forbidden", origin,
            "{\"ok\":false,\"error\":\"wrong origin\"}");
    og_buf_wipe_free(&req);
    return 0;
  }
  j = json_loadb((const char *)req.data + hl, bl, 0, NULL);
  type = json_string_value(json_object_get(j, "type"));
  tok = json_string_value(json_object_get(j, "access_token"));
  if(json_is_object(j) && type && !strcmp(type, LOGIN_BUNDLE_TYPE) && tok &&
     *tok && strlen(tok) < 4000 && !strpbrk(tok, " \t\r\n")) {
    respond(fd, 200, "OK", origin, "{\"ok\":true}");
    *got = j;
    taken = 1;
  }
  else {
    cli_verbose(c, "login: refused an unexpected payload");
    respond(fd, 400, "Bad Request", origin,
            "{\"ok\":false,\"error\":\"unexpected payload\"}");
    json_decref(j);
  }
  og_buf_wipe_free(&req);
  return taken;
}

int cmd_login(cli *c)
{
  const char *app = cli_opt_str(c, OPT_CHAT_APP_URL, LOGIN_DEFAULT_APP);
  char origin[512], url[1200];
  long port = 0;
  long long deadline;
  struct sockaddr_in sa;
  socklen_t sl = sizeof(sa);
  json_t *bundle = NULL;
  pid_t child = -1;
  int lfd, rc, one = 1;
  size_t alen = strlen(app);
  if(c->npos)
    return cli_error(c, OG_E_USAGE, "'login' takes no arguments (got '%s')",
                     c->pos[0]);
  if((strncasecmp(app, "https://", 8) && strncasecmp(app, "http://", 7)) ||
     url_origin(app, origin, sizeof(origin)) || alen > 1000)
    return cli_error(c, OG_E_USAGE, "--chat-app-url: '%.200s' is not an "
                     "http(s) URL", app);
  while(alen && app[alen - 1] == '/')
    alen--;
  if(cli_has(c, OPT_PORT)) {
    const char *s = cli_opt_str(c, OPT_PORT, "0");
    char *end;
    port = strtol(s, &end, 10);
    if(!*s || *end || port < 0 || port > 65535)
      return cli_error(c, OG_E_USAGE, "--port: '%s' is not a port number", s);
  }
  lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if(lfd < 0)
    return cli_error(c, OG_E_IO, "login: cannot create a socket");
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 8) ||
     getsockname(lfd, (struct sockaddr *)&sa, &sl)) {
    rc = cli_error(c, OG_E_IO, "login: cannot listen on 127.0.0.1:%ld: %s",
                   port, strerror(errno));
    close(lfd);
    return rc;
  }
  snprintf(url, sizeof(url), "%.*s/cli-auth?redirect_uri=http://127.0.0.1:%u/"
           "&app_name=opengradient-c", (int)alen, app, ntohs(sa.sin_port));
  if(c->json)
    fprintf(c->errf, "opengradient: open this URL to log in: %s\n", url);
  else
    fprintf(c->out, "Open this URL to log in:\n  %s\nWaiting for the chat "
            "app...\n", url);
  fflush(c->out);
  fflush(c->errf);
  if(!cli_has(c, OPT_NO_BROWSER))
    open_browser(c, url, &child);
  deadline = now_ms() + (cli_has(c, OPT_TIMEOUT) ? c->timeout_ms : 300000L);
  while(!bundle) {
    struct pollfd pf = {lfd, POLLIN, 0};
    long long left = deadline - now_ms();
    int fd;
    if(left <= 0)
      break;
    if(poll(&pf, 1, left > 1000 ? 1000 : (int)left) <= 0)
      continue;
    fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if(fd < 0)
      continue;
    serve_one(c, fd, origin, &bundle);
    close(fd);
  }
  close(lfd);
  if(child > 0)
    waitpid(child, NULL, WNOHANG);
  if(!bundle)
    return cli_error(c, OG_E_TIMEOUT, "no login arrived within %ld s",
                     (cli_has(c, OPT_TIMEOUT) ? c->timeout_ms : 300000L) /
                     1000);
  rc = store_bundle(c, bundle);
  {
    json_t *t = json_object_get(bundle, "access_token");
    if(json_is_string(t))
      og_wipe((char *)json_string_value(t), json_string_length(t));
  }
  json_decref(bundle);
  return rc;
}
