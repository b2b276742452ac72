/* opengradient: entry point. Parses the one option table, sets the output
 * policy (colour, JSON) and dispatches to a command. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cli.h"

static int dispatch(cli *c)
{
  switch(c->cmd) {
  case CMD_COMPLETION:
  case CMD_CHAT:
    return cmd_llm(c);
  case CMD_TEE_LIST:
  case CMD_TEE_SHOW:
  case CMD_TEE_CHECK:
    return cmd_tee(c);
  case CMD_CONFIG_INIT:
  case CMD_CONFIG_SHOW:
  case CMD_CONFIG_CLEAR:
    return cmd_config(c);
  case CMD_VERIFY:
    return cmd_verify(c);
  case CMD_APPROVE:
    return cmd_approve(c);
  case CMD_MODELS:
    return cmd_models(c);
  case CMD_SERVE:
    return cmd_serve(c);
  case CMD_LOGIN:
    return cmd_login(c);
  case CMD_TEE_ATTEST:
    return cmd_attest(c);
  default:
    return cli_error(c, OG_E_USAGE, "no command given (see --help)");
  }
}

/* --timeout: positive seconds, fractions allowed. */
static int parse_timeout(cli *c)
{
  const char *s = cli_opt_str(c, OPT_TIMEOUT, "60");
  char *end;
  double v = strtod(s, &end);
  if(end == s || *end || !(v > 0) || v > 86400)
    return cli_error(c, OG_E_USAGE, "--timeout: '%s' is not a number of "
                     "seconds between 0 and 86400", s);
  c->timeout_ms = (long)(v * 1000.0 + 0.5);
  if(c->timeout_ms < 1)
    c->timeout_ms = 1;
  if(cli_has(c, OPT_MAX_TIME)) {
    s = cli_opt_str(c, OPT_MAX_TIME, NULL);
    v = strtod(s, &end);
    if(end == s || *end || !(v > 0) || v > 86400)
      return cli_error(c, OG_E_USAGE, "--max-time: '%s' is not a number of "
                       "seconds between 0 and 86400", s);
    c->max_time_ms = (long)(v * 1000.0 + 0.5);
    if(c->max_time_ms < 1)
      c->max_time_ms = 1;
  }
  return 0;
}

int main(int argc, char **argv)
{
  cli c;
  og_err err;
  int rc;

  memset(&c, 0, sizeof(c));
  c.out = stdout;
  /* Not a terminal: big blocks; streamed output is flushed once per
   * batch of network reads, not per line. */
  if(!isatty(STDOUT_FILENO))
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  c.errf = stderr;
  c.tty_out = isatty(STDOUT_FILENO);
  og_err_clear(&err);
  /* --json must shape even a parse error, so look for it first */
  for(rc = 1; rc < argc; rc++)
    if(!strcmp(argv[rc], "--json"))
      c.json = 1;

  if(cli_parse(&c, argc, argv, &err))
    return cli_fail(&c, OG_E_USAGE, &err);
  c.json = cli_has(&c, OPT_JSON);
  c.verbose = cli_has(&c, OPT_VERBOSE);
  c.raw = cli_has(&c, OPT_RAW);
  if(!cli_has(&c, OPT_NO_COLOR)) {
    c.color_out = isatty(STDOUT_FILENO) && !c.json;
    c.color_err = isatty(STDERR_FILENO);
  }
  if(cli_has(&c, OPT_VERSION)) {
    printf("opengradient %s\n", OG_VERSION);
    return 0;
  }
  if(cli_has(&c, OPT_HELP)) {
    cli_print_help(&c, stdout);
    return 0;
  }
  if(parse_timeout(&c))
    return og_exit_code(OG_E_USAGE);

  if(c.cmd == CMD_COMPLETION || c.cmd == CMD_CHAT || c.cmd == CMD_TEE_LIST ||
     c.cmd == CMD_TEE_SHOW || c.cmd == CMD_TEE_CHECK || c.cmd == CMD_SERVE) {
    rc = cli_apply_login_defaults(&c);
    if(rc)
      return rc;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  rc = dispatch(&c);
  curl_global_cleanup();
  fflush(stdout);
  return rc;
}
