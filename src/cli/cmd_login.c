#include "cli.h"
int cmd_login(cli *c)
{
  return cli_error(c, OG_E_USAGE, "login: not yet");
}
