/* login: the chat app's CLI sign-in. A loopback listener takes one JSON
 * POST of the sign-in bundle from the browser page (after its CORS
 * preflight) and stores the relay token and settings in the config file.
 * One thread, libmicrohttpd driven by a select loop with a deadline. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include "cli.h"
#include "opengradient/og_buf.h"
#include "opengradient/og_json.h"

#define LOGIN_DEFAULT_APP "https://chat.opengradient.ai"
#define LOGIN_MAX_BODY (64 * 1024)
#define LOGIN_BUNDLE_TYPE "opengradient-cli-auth"

typedef struct login_state {
  char origin[512];   /* the chat app's scheme://host[:port] */
  json_t *bundle;     /* the accepted bundle, or NULL */
  cli *c;
} login_state;

typedef struct conn {
  og_buf body;
  int too_big;
} conn;

/* scheme://host[:port] of url (no path). 0 ok. */
static int url_origin(char *out, size_t n, const char *url)
{
  const char *p = strstr(url, "://"), *end;
  if(!p || p == url)
    return -1;
  end = strchr(p + 3, '/');
  if(!end)
    end = url + strlen(url);
  if(end == p + 3 || (size_t)(end - url) >= n)
    return -1;
  memcpy(out, url, (size_t)(end - url));
  out[end - url] = 0;
  return 0;
}

static enum MHD_Result reply(struct MHD_Connection *con, unsigned status,
                             const char *body, const login_state *st)
{
  struct MHD_Response *r = MHD_create_response_from_buffer(
    strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
  enum MHD_Result ok;
  if(!r)
    return MHD_NO;
  MHD_add_response_header(r, "Access-Control-Allow-Origin", st->origin);
  MHD_add_response_header(r, "Access-Control-Allow-Methods", "POST, OPTIONS");
  MHD_add_response_header(r, "Access-Control-Allow-Headers", "Content-Type");
  MHD_add_response_header(r, "Access-Control-Max-Age", "600");
  MHD_add_response_header(r, "Vary", "Origin");
  if(*body)
    MHD_add_response_header(r, "Content-Type", "application/json");
  ok = MHD_queue_response(con, status, r);
  MHD_destroy_response(r);
  return ok;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *con,
                              const char *url, const char *method,
                              const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
  login_state *st = cls;
  conn *cn = *con_cls;
  const char *origin;
  json_t *j, *type, *tok;
  (void)url;
  (void)version;
  if(!strcmp(method, "OPTIONS"))
    return reply(con, 204, "", st);
  if(strcmp(method, "POST"))
    return reply(con, 405, "{\"error\":\"method not allowed\"}", st);
  if(!cn) {
    cn = calloc(1, sizeof(*cn));
    if(!cn)
      return MHD_NO;
    og_buf_init(&cn->body, LOGIN_MAX_BODY);
    *con_cls = cn;
    return MHD_YES;
  }
  if(*upload_size) {
    if(og_buf_add(&cn->body, upload, *upload_size))
      cn->too_big = 1;
    *upload_size = 0;
    return MHD_YES;
  }
  origin = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Origin");
  if(!origin || strcmp(origin, st->origin)) {
    cli_warn(st->c, "login: refused a POST from origin %s (expected %s); "
             "still waiting", origin ? origin : "(none)", st->origin);
    return reply(con, 403, "{\"error\":\"origin not allowed\"}", st);
  }
  if(cn->too_big || st->bundle)
    return reply(con, cn->too_big ? 413 : 409,
                 "{\"error\":\"not accepted\"}", st);
  j = og_json_loadb(og_buf_str(&cn->body), cn->body.len, 0, NULL);
  type = json_object_get(j, "type");
  tok = json_object_get(j, "access_token");
  if(!json_is_object(j) || !json_is_string(type)
     || strcmp(json_string_value(type), LOGIN_BUNDLE_TYPE)
     || !json_is_string(tok) || !json_string_length(tok)) {
    json_decref(j);
    cli_warn(st->c, "login: refused a POST that is not a sign-in bundle; "
             "still waiting");
    return reply(con, 400, "{\"error\":\"not an opengradient-cli-auth "
                 "bundle\"}", st);
  }
  st->bundle = j;
  return reply(con, 200, "{\"ok\":true}", st);
}

static void done_conn(void *cls, struct MHD_Connection *con, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
  conn *cn = *con_cls;
  (void)cls;
  (void)con;
  (void)toe;
  if(cn) {
    og_buf_wipe_free(&cn->body);
    free(cn);
    *con_cls = NULL;
  }
}

static void open_browser(cli *c, const char *url)
{
  pid_t pid;
  if(access("/usr/bin/xdg-open", X_OK) && access("/bin/xdg-open", X_OK)) {
    cli_verbose(c, "no xdg-open: open the URL yourself");
    return;
  }
  pid = fork();
  if(pid == 0) {
    int fd;
    for(fd = 0; fd < 3; fd++)
      close(fd);
    execlp("xdg-open", "xdg-open", url, (char *)NULL);
    _exit(127);
  }
}

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *cfg_str(const json_t *o, const char *k)
{
  const json_t *v = json_object_get(o, k);
  return json_is_string(v) && json_string_length(v) ? json_string_value(v)
                                                     : NULL;
}

int cmd_login(cli *c)
{
  login_state st;
  struct MHD_Daemon *d;
  struct sockaddr_in sa;
  const union MHD_DaemonInfo *info;
  const char *app = cli_opt_str(c, OPT_CHAT_APP_URL, LOGIN_DEFAULT_APP);
  const char *port_s = cli_opt_str(c, OPT_PORT, "0");
  char url[1024], *end;
  long port, timeout_s;
  double deadline;
  json_t *cfg, *upd, *user;
  const char *v;
  int rc;

  memset(&st, 0, sizeof(st));
  st.c = c;
  if(url_origin(st.origin, sizeof(st.origin), app)
     || (strncmp(app, "https://", 8) && strncmp(app, "http://", 7)))
    return cli_error(c, OG_E_USAGE, "--chat-app-url: '%s' is not an http(s) "
                     "URL", app);
  errno = 0;
  port = strtol(port_s, &end, 10);
  if(errno || *end || !*port_s || port < 0 || port > 65535)
    return cli_error(c, OG_E_USAGE, "--port: '%s' is not a port number",
                     port_s);
  timeout_s = cli_has(c, OPT_TIMEOUT) ? c->timeout_ms / 1000 : 300;
  if(timeout_s <= 0)
    timeout_s = 1;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  d = MHD_start_daemon(MHD_NO_FLAG, (uint16_t)port, NULL, NULL, handle, &st,
                       MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                       MHD_OPTION_NOTIFY_COMPLETED, done_conn, NULL,
                       MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
                       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                       MHD_OPTION_END);
  if(!d)
    return cli_error(c, OG_E_IO, "cannot listen on 127.0.0.1:%ld", port);
  info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  if(!info) {
    MHD_stop_daemon(d);
    return cli_error(c, OG_E_IO, "cannot read the listening port");
  }
  port = info->port;
  snprintf(url, sizeof(url), "%s/cli-auth?redirect_uri=http://127.0.0.1:%ld/"
           "&app_name=opengradient-c", st.origin, port);
  fprintf(c->out, "Open this URL to sign in:\n%s\n", url);
  fflush(c->out);
  if(!cli_has(c, OPT_NO_BROWSER))
    open_browser(c, url);
  deadline = now_s() + (double)timeout_s;
  while(!st.bundle) {
    fd_set rs, ws, es;
    MHD_socket maxfd = 0;
    struct timeval tv;
    double left = deadline - now_s();
    MHD_UNSIGNED_LONG_LONG mt;
    if(left <= 0)
      break;
    FD_ZERO(&rs);
    FD_ZERO(&ws);
    FD_ZERO(&es);
    if(MHD_get_fdset(d, &rs, &ws, &es, &maxfd) != MHD_YES)
      break;
    if(MHD_get_timeout(d, &mt) == MHD_YES && (double)mt / 1000.0 < left)
      left = (double)mt / 1000.0;
    tv.tv_sec = (long)left;
    tv.tv_usec = (long)((left - (double)tv.tv_sec) * 1e6);
    if(select(maxfd + 1, &rs, &ws, &es, &tv) < 0 && errno != EINTR)
      break;
    MHD_run_from_select(d, &rs, &ws, &es);
  }
  /* let the 200 go out before the listener closes */
  if(st.bundle)
    MHD_run(d);
  MHD_stop_daemon(d);
  while(waitpid(-1, NULL, WNOHANG) > 0)
    ;
  if(!st.bundle)
    return cli_error(c, OG_E_TIMEOUT, "no sign-in within %ld s", timeout_s);

  cfg = json_object_get(st.bundle, "config");
  upd = json_object();
  json_object_set(upd, "relay_token",
                  json_object_get(st.bundle, "access_token"));
  if(json_is_object(cfg)) {
    if((v = cfg_str(cfg, "chat_api_base_url")))
      json_object_set_new(upd, "relay_url", json_string(v));
    if((v = cfg_str(cfg, "tee_registry_rpc_url")))
      json_object_set_new(upd, "rpc_url", json_string(v));
    if((v = cfg_str(cfg, "tee_registry_address")))
      json_object_set_new(upd, "tee_registry", json_string(v));
  }
  rc = cli_config_update(c, upd);
  user = json_object_get(st.bundle, "user");
  if(!rc) {
    v = json_is_object(user) ? cfg_str(user, "email") : NULL;
    if(c->json) {
      json_t *o = json_object();
      json_object_set_new(o, "logged_in", json_true());
      json_object_set_new(o, "email", v ? json_string(v) : json_null());
      json_object_set(o, "relay_url", json_object_get(upd, "relay_url")
                      ? json_object_get(upd, "relay_url") : json_null());
      rc = cli_print_json(c, o);
    } else {
      fprintf(c->out, "Logged in as %s\n", v ? v : "(an account without an "
              "email)");
    }
  }
  og_wipe((char *)json_string_value(json_object_get(upd, "relay_token")),
          json_string_length(json_object_get(upd, "relay_token")));
  json_decref(upd);
  json_decref(st.bundle);
  return rc;
}
