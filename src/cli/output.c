/* Output helpers: colour policy, the one-line error report (plus the JSON
 * error object with --json), verbose diagnostics and the TEE block. */
#include <stdarg.h>
#include <string.h>

#include "cli.h"
#include "opengradient/og_text.h"

/* Whether text written to f must be made visible: stderr always, stdout
 * when it is a terminal. */
static int must_escape(const cli *c, FILE *f)
{
  return f == c->errf || (f == c->out && c->tty_out);
}

static void put_visible(FILE *f, const char *s, size_t n, unsigned flags)
{
  char tmp[1024];
  while(n) {
    size_t used = og_text_visible(tmp, sizeof(tmp), s, n, flags);
    fputs(tmp, f);
    s += used;
    n -= used;
  }
}

size_t cli_json_flags(const cli *c)
{
  return c->tty_out ? JSON_ENSURE_ASCII : 0;
}

void cli_put_text(cli *c, FILE *f, const char *s, size_t n)
{
  if(!s)
    return;
  if(must_escape(c, f))
    put_visible(f, s, n, OG_TEXT_KEEP_NEWLINES);
  else
    fwrite(s, 1, n, f);
}

void cli_put_field(cli *c, FILE *f, const char *s)
{
  if(!s)
    return;
  if(must_escape(c, f))
    put_visible(f, s, strlen(s), 0);
  else
    fputs(s, f);
}

void cli_put_answer(cli *c, const char *s, size_t n)
{
  if(c->raw && s)
    fwrite(s, 1, n, c->out);
  else
    cli_put_text(c, c->out, s, n);
}

const char *cli_color(const cli *c, int on_stdout, const char *code)
{
  static char buf[4][16];
  static int slot;
  char *b;
  if(!(on_stdout ? c->color_out : c->color_err))
    return "";
  b = buf[slot++ % 4];
  snprintf(b, sizeof(buf[0]), "\033[%sm", code);
  return b;
}

static int report(cli *c, og_result r, const char *msg)
{
  int code = og_exit_code(r);
  if(code == 0)
    code = 1; /* never exit 0 on failure */
  fprintf(c->errf, "%sopengradient: error:%s ",
          cli_color(c, 0, CLR_RED_BOLD), cli_color(c, 0, CLR_RESET));
  put_visible(c->errf, msg, strlen(msg), 0); /* stderr is always safe */
  fputc('\n', c->errf);
  if(c->json) {
    json_t *o = json_pack("{s:{s:i,s:s}}", "error", "exit_code", code,
                          "message", msg);
    if(o) {
      char *s = json_dumps(o, JSON_COMPACT | cli_json_flags(c));
      if(s) {
        fprintf(c->out, "%s\n", s);
        free(s);
      }
      json_decref(o);
    }
  }
  fflush(c->out);
  return code;
}

int cli_error(cli *c, og_result r, const char *fmt, ...)
{
  char msg[OG_ERR_SIZE + 128];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return report(c, r, msg);
}

int cli_fail(cli *c, og_result r, const og_err *err)
{
  if(err && err->msg[0])
    return report(c, r, err->msg);
  return report(c, r, og_strerror(r));
}

void cli_verbose(const cli *c, const char *fmt, ...)
{
  char msg[OG_ERR_SIZE + 256];
  va_list ap;
  if(!c->verbose)
    return;
  fputs("opengradient: ", c->errf);
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  put_visible(c->errf, msg, strlen(msg), 0);
  fputc('\n', c->errf);
}

void cli_warn(const cli *c, const char *fmt, ...)
{
  char msg[OG_ERR_SIZE + 256];
  va_list ap;
  fprintf(c->errf, "%sopengradient: warning:%s ",
          cli_color(c, 0, CLR_YELLOW), cli_color(c, 0, CLR_RESET));
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  put_visible(c->errf, msg, strlen(msg), 0);
  fputc('\n', c->errf);
}

void cli_rule(cli *c)
{
  int i;
  for(i = 0; i < 38; i++)
    fputs("\xe2\x94\x80", c->out); /* U+2500 */
  fputc('\n', c->out);
}

int cli_print_json(cli *c, json_t *j)
{
  char *s;
  if(!j)
    return cli_error(c, OG_E_NOMEM, "out of memory building JSON output");
  s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
                 JSON_REAL_PRECISION(17) | cli_json_flags(c));
  json_decref(j);
  if(!s)
    return cli_error(c, OG_E_NOMEM, "out of memory building JSON output");
  fprintf(c->out, "%s\n", s);
  free(s);
  fflush(c->out);
  return 0;
}

void cli_print_tee_block(cli *c, const char *endpoint, const char *tee_id,
                         const char *payment_address)
{
  const char *m = cli_color(c, 1, CLR_MAGENTA);
  const char *mb = cli_color(c, 1, CLR_MAGENTA_BOLD);
  const char *z = cli_color(c, 1, CLR_RESET);
  if(!(endpoint && *endpoint) && !(tee_id && *tee_id) &&
     !(payment_address && *payment_address))
    return;
  fprintf(c->out, "%sTEE Node:%s\n", mb, z);
  if(endpoint && *endpoint) {
    fprintf(c->out, "  Endpoint:        %s", m);
    cli_put_field(c, c->out, endpoint);
    fprintf(c->out, "%s\n", z);
  }
  if(tee_id && *tee_id)
    fprintf(c->out, "  TEE ID:          %s%s%s\n", m, tee_id, z);
  if(payment_address && *payment_address)
    fprintf(c->out, "  Payment address: %s%s%s\n", m, payment_address, z);
}
