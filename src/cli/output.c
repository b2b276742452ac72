/* Output helpers: colour policy, the one-line error report (plus the JSON
 * error object with --json), verbose diagnostics and the TEE block. */
#include <stdarg.h>
#include <string.h>

#include "cli.h"
#include "core/og_text.h"

/* stderr is always made safe: messages may quote server text */
void cli_put_err(const cli *c, const char *msg)
{
  char safe[4 * (OG_ERR_SIZE + 256)];
  og_text_clean(safe, sizeof(safe), msg, strlen(msg), 0);
  fputs(safe, c->errf);
}

void cli_put_text_part(cli *c, const char *s, size_t n, int answer)
{
  char out[4096];
  if(!c->tty_out || (answer && c->raw)) {
    fwrite(s, 1, n, c->out);
    return;
  }
  while(c->ncarry && n) { /* complete a held sequence first */
    int bad;
    size_t k;
    c->carry[c->ncarry++] = *s++;
    n--;
    k = og_text_char(c->carry, c->ncarry, &bad);
    if(k || c->ncarry == sizeof(c->carry)) {
      cli_put_text_end(c, answer);
      break;
    }
  }
  while(n) {
    size_t used = og_text_clean(out, sizeof(out), s, n, 0);
    /* an incomplete sequence at the end may be completed by the next
     * piece: hold it rather than escape it */
    size_t tail = 0;
    int bad;
    if(used == n) {
      size_t b = n;
      while(b > 0 && n - b < 3 && ((unsigned char)s[b - 1] & 0xc0) == 0x80)
        b--;
      if(b > 0 && ((unsigned char)s[b - 1] & 0xc0) == 0xc0 &&
         og_text_char(s + b - 1, n - b + 1, &bad) == 0)
        tail = n - b + 1;
    }
    if(tail) {
      used = og_text_clean(out, sizeof(out), s, n - tail, 0);
      if(used == n - tail) {
        fputs(out, c->out);
        for(size_t i = 0; i < tail; i++)
          c->carry[i] = s[n - tail + i];
        c->ncarry = tail;
        return;
      }
    }
    fputs(out, c->out);
    if(!used) /* cannot happen with a 4 KiB buffer; never loop forever */
      return;
    s += used;
    n -= used;
  }
}

void cli_put_text_end(cli *c, int answer)
{
  char out[32];
  if(!c->ncarry)
    return;
  if(!c->tty_out || (answer && c->raw))
    fwrite(c->carry, 1, c->ncarry, c->out);
  else {
    og_text_clean(out, sizeof(out), c->carry, c->ncarry, 0);
    fputs(out, c->out);
  }
  c->ncarry = 0;
}

void cli_put_text(cli *c, const char *s, size_t n, int answer)
{
  cli_put_text_part(c, s, n, answer);
  cli_put_text_end(c, answer);
}

const char *cli_safe(const cli *c, char *buf, size_t cap, const char *s)
{
  if(!s)
    return "";
  if(!c->tty_out)
    return s;
  og_text_clean(buf, cap, s, strlen(s), 0);
  return buf;
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
  cli_put_err(c, msg);
  fputc('\n', c->errf);
  if(c->json) {
    json_t *o = json_pack("{s:{s:i,s:s}}", "error", "exit_code", code,
                          "message", msg);
    if(o) {
      char *s = json_dumps(o, JSON_COMPACT);
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
  va_list ap;
  char msg[OG_ERR_SIZE + 256];
  if(!c->verbose)
    return;
  fputs("opengradient: ", c->errf);
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  cli_put_err(c, msg);
  fputc('\n', c->errf);
}

void cli_warn(const cli *c, const char *fmt, ...)
{
  va_list ap;
  char msg[OG_ERR_SIZE + 256];
  fprintf(c->errf, "%sopengradient: warning:%s ",
          cli_color(c, 0, CLR_YELLOW), cli_color(c, 0, CLR_RESET));
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  cli_put_err(c, msg);
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
  s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
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
  char b1[1024], b2[512], b3[512];
  endpoint = endpoint ? cli_safe(c, b1, sizeof(b1), endpoint) : NULL;
  tee_id = tee_id ? cli_safe(c, b2, sizeof(b2), tee_id) : NULL;
  payment_address = payment_address ?
    cli_safe(c, b3, sizeof(b3), payment_address) : NULL;
  if(!(endpoint && *endpoint) && !(tee_id && *tee_id) &&
     !(payment_address && *payment_address))
    return;
  fprintf(c->out, "%sTEE Node:%s\n", mb, z);
  if(endpoint && *endpoint)
    fprintf(c->out, "  Endpoint:        %s%s%s\n", m, endpoint, z);
  if(tee_id && *tee_id)
    fprintf(c->out, "  TEE ID:          %s%s%s\n", m, tee_id, z);
  if(payment_address && *payment_address)
    fprintf(c->out, "  Payment address: %s%s%s\n", m, payment_address, z);
}
