/* `config init | show | clear` and the wallet key lookup.
 * The file is ~/.opengradient_config.json, as the Python CLI writes it,
 * created with mode 0600 from the start and replaced atomically. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "opengradient/og_buf.h"

#define CONFIG_NAME ".opengradient_config.json"
#define CONFIG_MAX (64 * 1024)
#define KEYFILE_MAX 4096

static const char *const config_keys[] = {"private_key", "alpha_private_key",
                                          "email", "password"};
static const int config_secret[] = {1, 1, 0, 1};

static int config_path(char *out, size_t n)
{
  const char *home = getenv("HOME");
  if(!home || !*home)
    return -1;
  snprintf(out, n, "%s/%s", home, CONFIG_NAME);
  return 0;
}

/* Read a small file into buf (capped), with its mode (of the file that was
 * read, not of the path) in *mode. 0 ok, -1 missing, -2 error. */
static int read_small_file(const char *path, og_buf *buf, size_t cap,
                           mode_t *mode)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  char tmp[4096];
  ssize_t n;
  struct stat st;
  og_buf_init(buf, cap);
  if(fd < 0)
    return errno == ENOENT ? -1 : -2;
  if(fstat(fd, &st)) {
    close(fd);
    return -2;
  }
  *mode = st.st_mode;
  while((n = read(fd, tmp, sizeof(tmp))) > 0) {
    if(og_buf_add(buf, tmp, (size_t)n)) {
      og_wipe(tmp, sizeof(tmp));
      close(fd);
      return -2;
    }
  }
  og_wipe(tmp, sizeof(tmp));
  close(fd);
  return n < 0 ? -2 : 0;
}

/* A file that holds a secret is refused when group or others may read or
 * write it (as ssh refuses such a key). */
#define SECRET_OPEN_MODE ((mode_t)(S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH))

/* "chmod 600 PATH", PATH quoted for a shell when it needs it. */
static void chmod_hint(char *out, size_t n, const char *path)
{
  size_t i, o;
  int plain = *path != 0;
  for(i = 0; path[i]; i++) {
    unsigned char ch = (unsigned char)path[i];
    if(!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
         (ch >= '0' && ch <= '9') || strchr("/._-+,:@%", ch)))
      plain = 0;
  }
  if(plain) {
    snprintf(out, n, "chmod 600 %s", path);
    return;
  }
  o = (size_t)snprintf(out, n, "chmod 600 '");
  for(i = 0; path[i] && o + 6 < n; i++) {
    if(path[i] == '\'') {
      memcpy(out + o, "'\\''", 4);
      o += 4;
    }
    else
      out[o++] = path[i];
  }
  out[o++] = '\'';
  out[o] = 0;
}

int cli_secret_mode_check(cli *c, const char *what, const char *path,
                          unsigned mode)
{
  char fix[4200];
  if(!(mode & SECRET_OPEN_MODE))
    return 0;
  chmod_hint(fix, sizeof(fix), path);
  cli_error(c, OG_E_USAGE, "%s %s holds a secret and is readable or "
            "writable by group or others (mode %04o); refusing to use it. "
            "Fix: %s", what, path, mode & 07777u, fix);
  return -1;
}

/* jansson keeps its own copies of strings: wipe them before freeing. */
static void wipe_json_strings(json_t *j)
{
  const char *k;
  json_t *v;
  json_object_foreach(j, k, v) {
    if(json_is_string(v))
      og_wipe((char *)json_string_value(v), json_string_length(v));
  }
}

/* Every secret the config file may hold. */
static const char *const secret_keys[] = {"private_key", "alpha_private_key",
                                          "password", "relay_token"};

static int config_has_secret(const json_t *j)
{
  size_t i;
  for(i = 0; i < sizeof(secret_keys) / sizeof(secret_keys[0]); i++) {
    const char *v = json_string_value(json_object_get(j, secret_keys[i]));
    if(v && *v)
      return 1;
  }
  return 0;
}

static void config_free(json_t *j)
{
  if(j) {
    wipe_json_strings(j);
    json_decref(j);
  }
}

/* Load the config object; NULL with *missing=1 when there is none. */
static json_t *config_load(cli *c, const char *path, int *missing, int *bad,
                           mode_t *mode)
{
  og_buf b;
  json_t *j;
  json_error_t e;
  int st = read_small_file(path, &b, CONFIG_MAX, mode);
  *missing = 0;
  *bad = 0;
  if(st == -1) {
    *missing = 1;
    return NULL;
  }
  if(st) {
    og_buf_wipe_free(&b);
    *bad = 1;
    cli_error(c, OG_E_IO, "cannot read config file %s", path);
    return NULL;
  }
  j = json_loadb((const char *)b.data, b.len, 0, &e);
  og_buf_wipe_free(&b);
  if(!j || !json_is_object(j)) {
    json_decref(j);
    *bad = 1;
    cli_error(c, OG_E_USAGE, "config file %s is not a JSON object; run "
              "'opengradient config clear --yes' and 'config init'", path);
    return NULL;
  }
  return j;
}

/* Write atomically: temp file created 0600, then rename. */
static int config_save(cli *c, const char *path, json_t *j)
{
  char tmp[4200];
  char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  int fd;
  size_t len, off = 0;
  if(!s)
    return cli_error(c, OG_E_NOMEM, "out of memory writing config");
  len = strlen(s);
  snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if(fd < 0) {
    og_wipe(s, len);
    free(s);
    return cli_error(c, OG_E_IO, "cannot create %s: %s", tmp,
                     strerror(errno));
  }
  while(off < len) {
    ssize_t n = write(fd, s + off, len - off);
    if(n <= 0)
      break;
    off += (size_t)n;
  }
  og_wipe(s, len);
  free(s);
  if(off < len || write(fd, "\n", 1) != 1 || fsync(fd) || close(fd)) {
    unlink(tmp);
    return cli_error(c, OG_E_IO, "cannot write %s", tmp);
  }
  if(rename(tmp, path)) {
    unlink(tmp);
    return cli_error(c, OG_E_IO, "cannot replace %s: %s", path,
                     strerror(errno));
  }
  return 0;
}

/* Read one answer line; hidden echo on a terminal for secrets. Returns
 * 0 ok, -1 at end of input. */
static int ask(const char *prompt, int secret, char *out, size_t n)
{
  int tty = isatty(STDIN_FILENO);
  struct termios old, quiet;
  int hidden = 0;
  size_t len;
  if(tty) {
    fputs(prompt, stderr);
    fflush(stderr);
    if(secret && tcgetattr(STDIN_FILENO, &old) == 0) {
      quiet = old;
      quiet.c_lflag &= (tcflag_t)~ECHO;
      hidden = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
  }
  if(!fgets(out, (int)n, stdin)) {
    if(hidden)
      tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    out[0] = 0;
    return -1;
  }
  if(hidden) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stderr);
  }
  len = strlen(out);
  while(len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
    out[--len] = 0;
  return 0;
}

static int valid_key_hex(const char *s)
{
  size_t i, n;
  if(s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    s += 2;
  n = strlen(s);
  if(n != 64)
    return 0;
  for(i = 0; i < n; i++)
    if(!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
         (s[i] >= 'A' && s[i] <= 'F')))
      return 0;
  return 1;
}

/* The outcome of init or clear: a sentence, or with --json one object
 * {"path", "<what>": done}. */
static int config_report(cli *c, const char *path, const char *what, int done,
                         const char *sentence)
{
  if(c->json) {
    json_t *o = json_pack("{s:s, s:b}", "path", path, what, done);
    if(!o)
      return cli_error(c, OG_E_NOMEM, "out of memory");
    return cli_print_json(c, o);
  }
  fprintf(c->out, sentence, path);
  return 0;
}

static int config_init(cli *c, const char *path)
{
  static const char *const prompts[] = {
    "Private key (hex, signs x402 payments): ",
    "Alpha private key (optional, empty to skip): ",
    "Email (optional, empty to skip): ",
    "Password (optional, empty to skip): "};
  char ans[1024];
  json_t *j = json_object();
  int i, rc;
  struct stat st;
  if(!j)
    return cli_error(c, OG_E_NOMEM, "out of memory");
  if(stat(path, &st) == 0)
    fprintf(c->errf, "A config already exists; it will be replaced.\n");
  fprintf(c->errf, "Config will be stored in: %s\n", path);
  for(i = 0; i < 4; i++) {
    if(ask(prompts[i], config_secret[i], ans, sizeof(ans)) < 0 && i == 0) {
      config_free(j);
      return cli_error(c, OG_E_USAGE, "config init: no answer for the "
                       "private key on standard input");
    }
    if((i == 0 || i == 1) && ans[0] && !valid_key_hex(ans)) {
      og_wipe(ans, sizeof(ans));
      config_free(j);
      return cli_error(c, OG_E_USAGE, "config init: the %s must be 64 hex "
                       "digits (with or without 0x)",
                       i == 0 ? "private key" : "alpha private key");
    }
    json_object_set_new(j, config_keys[i],
                        ans[0] ? json_string(ans) : json_null());
    og_wipe(ans, sizeof(ans));
  }
  rc = config_save(c, path, j);
  config_free(j);
  if(rc)
    return rc;
  return config_report(c, path, "saved", 1,
                       "Configuration saved to %s (mode 0600).\n");
}

static int config_show(cli *c, const char *path)
{
  int missing, bad, i;
  mode_t mode = 0;
  json_t *j = config_load(c, path, &missing, &bad, &mode);
  if(bad)
    return og_exit_code(OG_E_USAGE);
  if(j && (mode & SECRET_OPEN_MODE) && config_has_secret(j)) {
    char fix[4200];
    chmod_hint(fix, sizeof(fix), path);
    cli_warn(c, "config file %s holds a secret and is readable or writable "
             "by group or others; it will be refused until you run: %s",
             path, fix);
  }
  if(c->json) {
    json_t *o = json_object();
    json_object_set_new(o, "path", json_string(path));
    for(i = 0; i < 4; i++) {
      json_t *v = j ? json_object_get(j, config_keys[i]) : NULL;
      const char *s = json_string_value(v);
      if(!s || !*s)
        json_object_set_new(o, config_keys[i], json_null());
      else if(config_secret[i]) {
        size_t n = strlen(s);
        char *m = malloc(n + 1);
        if(m) {
          memset(m, '*', n);
          m[n] = 0;
          json_object_set_new(o, config_keys[i], json_string(m));
          free(m);
        }
      }
      else
        json_object_set_new(o, config_keys[i], json_string(s));
    }
    config_free(j);
    return cli_print_json(c, o);
  }
  fprintf(c->out, "Config file location: %s\n", path);
  if(missing) {
    fprintf(c->out, "Config is empty. Run 'opengradient config init' to "
            "initialize it.\n");
    return 0;
  }
  fprintf(c->out, "Current config:\n");
  for(i = 0; i < 4; i++) {
    const char *s = json_string_value(json_object_get(j, config_keys[i]));
    fprintf(c->out, "%s: ", config_keys[i]);
    if(!s || !*s)
      fputs("Not set", c->out);
    else if(config_secret[i]) {
      size_t n = strlen(s);
      while(n--)
        fputc('*', c->out);
    }
    else
      fputs(s, c->out);
    fputc('\n', c->out);
  }
  config_free(j);
  return 0;
}

static int config_clear(cli *c, const char *path)
{
  struct stat st;
  if(stat(path, &st) != 0)
    return config_report(c, path, "cleared", 0, "No configs to clear (%s).\n");
  if(!cli_has(c, OPT_YES)) {
    char ans[16];
    if(!isatty(STDIN_FILENO))
      return cli_error(c, OG_E_USAGE, "config clear: confirm with --yes "
                       "(standard input is not a terminal)");
    if(ask("Are you sure you want to clear all configs? [y/N]: ", 0, ans,
           sizeof(ans)) < 0 || (ans[0] != 'y' && ans[0] != 'Y'))
      return config_report(c, path, "cleared", 0,
                           "Config clear cancelled (%s kept).\n");
  }
  if(unlink(path))
    return cli_error(c, OG_E_IO, "cannot remove %s: %s", path,
                     strerror(errno));
  return config_report(c, path, "cleared", 1, "Configs cleared (%s).\n");
}

int cmd_config(cli *c)
{
  char path[4096];
  if(c->npos)
    return cli_error(c, OG_E_USAGE, "'%s' takes no arguments", c->cmd_name);
  if(config_path(path, sizeof(path)))
    return cli_error(c, OG_E_USAGE, "HOME is not set; cannot locate %s",
                     CONFIG_NAME);
  switch(c->cmd) {
  case CMD_CONFIG_INIT:
    return config_init(c, path);
  case CMD_CONFIG_SHOW:
    return config_show(c, path);
  default:
    return config_clear(c, path);
  }
}

static int copy_key(cli *c, const char *src, const char *what, char *out,
                    size_t outlen)
{
  const char *s = src;
  size_t n;
  while(*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
    s++;
  n = strlen(s);
  while(n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
              s[n - 1] == '\r'))
    n--;
  if(n >= outlen || n < 64) {
    cli_error(c, OG_E_USAGE, "%s does not hold a private key (64 hex digits, "
              "with or without 0x)", what);
    return -1;
  }
  memcpy(out, s, n);
  out[n] = 0;
  if(!valid_key_hex(out)) {
    og_wipe(out, outlen);
    cli_error(c, OG_E_USAGE, "%s does not hold a private key (64 hex digits, "
              "with or without 0x)", what);
    return -1;
  }
  return 1;
}

/* No core dump or ptrace of a process that holds a secret: set before a
 * secret is read, kept until exit. */
static void no_dump(void)
{
  (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int cli_load_private_key(cli *c, char *out, size_t outlen)
{
  char path[4096];
  int missing, bad, rc;
  json_t *j;
  const char *env;
  mode_t mode = 0;
  struct stat st;
  if(cli_has(c, OPT_PRIVATE_KEY_FILE)) {
    og_buf b;
    const char *f = cli_opt_str(c, OPT_PRIVATE_KEY_FILE, NULL);
    int rd;
    no_dump();
    rd = read_small_file(f, &b, KEYFILE_MAX, &mode);
    if(rd) {
      og_buf_wipe_free(&b);
      cli_error(c, OG_E_USAGE, "--private-key-file: cannot read %s", f);
      return -1;
    }
    if(cli_secret_mode_check(c, "--private-key-file:", f, mode)) {
      og_buf_wipe_free(&b);
      return -1;
    }
    rc = copy_key(c, og_buf_str(&b), "--private-key-file", out, outlen);
    og_buf_wipe_free(&b);
    return rc;
  }
  env = getenv("OG_PRIVATE_KEY");
  if(env && *env) {
    no_dump();
    return copy_key(c, env, "OG_PRIVATE_KEY", out, outlen);
  }
  if(config_path(path, sizeof(path)))
    return 0;
  if(stat(path, &st) == 0) /* it may hold secrets */
    no_dump();
  j = config_load(c, path, &missing, &bad, &mode);
  if(bad)
    return -1;
  if(!j)
    return 0;
  env = json_string_value(json_object_get(j, "private_key"));
  /* every secret in it counts (secret_keys) */
  if(config_has_secret(j) &&
     cli_secret_mode_check(c, "config file", path, mode)) {
    config_free(j);
    return -1;
  }
  rc = (env && *env) ? copy_key(c, env, "the config file's private_key", out,
                                outlen) : 0;
  config_free(j);
  return rc;
}

/* ------------------------- login and the relay ------------------------- */

/* Trimmed copy of a token; 1 ok, -1 error reported. */
static int copy_token(cli *c, const char *src, const char *what, char *out,
                      size_t n)
{
  size_t len, i;
  while(*src == ' ' || *src == '\t' || *src == '\n' || *src == '\r')
    src++;
  len = strcspn(src, "\r\n");
  while(len && (src[len - 1] == ' ' || src[len - 1] == '\t'))
    len--;
  if(!len || len >= n) {
    cli_error(c, OG_E_USAGE, "%s does not hold a relay token", what);
    return -1;
  }
  for(i = 0; i < len; i++)
    if((unsigned char)src[i] <= 0x20 || src[i] == 0x7f) {
      cli_error(c, OG_E_USAGE, "%s: the relay token holds a space or a "
                "control character", what);
      return -1;
    }
  memcpy(out, src, len);
  out[len] = 0;
  return 1;
}

int cli_load_relay(cli *c, char *url, size_t urln, char *token,
                   size_t tokenn)
{
  char path[4096];
  int missing = 1, bad = 0, have_path;
  json_t *j = NULL;
  const char *v;
  mode_t mode = 0;
  url[0] = 0;
  token[0] = 0;
  have_path = !config_path(path, sizeof(path));
  if(have_path && (!cli_has(c, OPT_RELAY_URL) ||
                   (!cli_has(c, OPT_RELAY_TOKEN_FILE) &&
                    !(getenv("OG_RELAY_TOKEN") && *getenv("OG_RELAY_TOKEN"))))) {
    struct stat st;
    if(stat(path, &st) == 0) /* it may hold secrets */
      no_dump();
    j = config_load(c, path, &missing, &bad, &mode);
    if(bad)
      return og_exit_code(OG_E_USAGE);
  }
  if(cli_has(c, OPT_RELAY_URL))
    v = cli_opt_str(c, OPT_RELAY_URL, "");
  else
    v = j ? json_string_value(json_object_get(j, "relay_url")) : NULL;
  if(!v || !*v) {
    config_free(j);
    return 0; /* confidential mode off */
  }
  if(strlen(v) >= urln) {
    config_free(j);
    return cli_error(c, OG_E_USAGE, "--relay-url: the URL is too long");
  }
  snprintf(url, urln, "%s", v);
  if(cli_has(c, OPT_RELAY_TOKEN_FILE)) {
    og_buf b;
    const char *f = cli_opt_str(c, OPT_RELAY_TOKEN_FILE, NULL);
    int st, rc;
    config_free(j);
    no_dump();
    st = read_small_file(f, &b, KEYFILE_MAX, &mode);
    if(st) {
      og_buf_wipe_free(&b);
      return cli_error(c, OG_E_USAGE, "--relay-token-file: cannot read %s",
                       f);
    }
    if(cli_secret_mode_check(c, "--relay-token-file:", f, mode)) {
      og_buf_wipe_free(&b);
      return og_exit_code(OG_E_USAGE);
    }
    rc = copy_token(c, og_buf_str(&b), "--relay-token-file", token, tokenn);
    og_buf_wipe_free(&b);
    return rc < 0 ? og_exit_code(OG_E_USAGE) : 0;
  }
  v = getenv("OG_RELAY_TOKEN");
  if(v && *v) {
    config_free(j);
    no_dump();
    return copy_token(c, v, "OG_RELAY_TOKEN", token, tokenn) < 0 ?
           og_exit_code(OG_E_USAGE) : 0;
  }
  v = j ? json_string_value(json_object_get(j, "relay_token")) : NULL;
  if(v && *v) {
    int rc;
    if(cli_secret_mode_check(c, "config file", path, mode)) {
      config_free(j);
      return og_exit_code(OG_E_USAGE);
    }
    rc = copy_token(c, v, "the config file's relay_token", token, tokenn);
    config_free(j);
    return rc < 0 ? og_exit_code(OG_E_USAGE) : 0;
  }
  config_free(j);
  return 0;
}

int cli_config_store(cli *c, json_t *updates)
{
  char path[4096];
  int missing, bad, rc;
  json_t *j;
  const char *k;
  json_t *v;
  mode_t mode;
  if(config_path(path, sizeof(path)))
    return cli_error(c, OG_E_IO, "HOME is not set: nowhere to store the "
                     "configuration");
  j = config_load(c, path, &missing, &bad, &mode);
  if(bad)
    return og_exit_code(OG_E_USAGE);
  if(!j)
    j = json_object();
  if(!j)
    return cli_error(c, OG_E_NOMEM, "out of memory");
  json_object_foreach(updates, k, v)
    json_object_set(j, k, v);
  rc = config_save(c, path, j);
  config_free(j);
  return rc;
}

int cli_apply_login_defaults(cli *c)
{
  static char rpc[2048], reg[128];
  char path[4096];
  int missing, bad;
  json_t *j;
  const char *v;
  mode_t mode;
  if(cli_has(c, OPT_RPC_URL) && cli_has(c, OPT_REGISTRY))
    return 0;
  if(cli_has(c, OPT_LLM_SERVER_URL) || config_path(path, sizeof(path)))
    return 0;
  j = config_load(c, path, &missing, &bad, &mode);
  if(bad)
    return og_exit_code(OG_E_USAGE);
  if(!j)
    return 0;
  v = json_string_value(json_object_get(j, "rpc_url"));
  if(!cli_has(c, OPT_RPC_URL) && v && *v && strlen(v) < sizeof(rpc)) {
    snprintf(rpc, sizeof(rpc), "%s", v);
    c->opt[OPT_RPC_URL].set = 1;
    c->opt[OPT_RPC_URL].value = rpc;
    cli_warn(c, "using the registry RPC stored by login: %s", rpc);
  }
  v = json_string_value(json_object_get(j, "tee_registry"));
  if(!cli_has(c, OPT_REGISTRY) && v && *v && strlen(v) < sizeof(reg)) {
    snprintf(reg, sizeof(reg), "%s", v);
    c->opt[OPT_REGISTRY].set = 1;
    c->opt[OPT_REGISTRY].value = reg;
    cli_warn(c, "using the registry stored by login: %s", reg);
  }
  config_free(j);
  return 0;
}
