/* Helpers for the network unit tests: temporary directories, shell
 * commands, and local servers started as child processes and stopped by
 * PID. Header-only so that each test program stays one file. */
#ifndef OG_NETUTIL_H
#define OG_NETUTIL_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opengradient/og_common.h"
#include "testutil.h"

/* The repository root, derived from the vectors directory. */
static inline const char *nu_root(void)
{
  return OG_VECTORS_DIR "/../..";
}

static inline const char *nu_python(void)
{
  const char *p = getenv("PYTHON");
  return p && *p ? p : "python3";
}

/* Run a shell command built from fmt; returns its exit status. */
static inline int nu_sh(const char *fmt, ...) OG_PRINTF(1, 2);
static inline int nu_sh(const char *fmt, ...)
{
  char cmd[4096];
  va_list ap;
  int st;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof(cmd), fmt, ap);
  va_end(ap);
  st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static inline char *nu_tmpdir(void)
{
  char tmpl[] = "/tmp/og-net-test-XXXXXX";
  char *d = mkdtemp(tmpl);
  assert_non_null(d);
  return strdup(d);
}

static inline void nu_rmrf(char *dir)
{
  if(dir) {
    nu_sh("rm -rf '%s'", dir);
    free(dir);
  }
}

/* A TCP port on 127.0.0.1 that nothing listens on (just now). */
static inline int nu_free_port(void)
{
  struct sockaddr_in a;
  socklen_t al = sizeof(a);
  int s = socket(AF_INET, SOCK_STREAM, 0), port;
  assert_true(s >= 0);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
  assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
  port = ntohs(a.sin_port);
  close(s);
  return port;
}

static inline int nu_port_open(int port)
{
  struct sockaddr_in a;
  int s = socket(AF_INET, SOCK_STREAM, 0), ok;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons((uint16_t)port);
  ok = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
  close(s);
  return ok;
}

/* Start argv (stdout to a pipe, stderr to /dev/null). If port is not
 * NULL, wait for a "PORT <n>" line and store n; else if wait_port > 0,
 * wait until that port accepts. Returns the PID or -1. */
static inline pid_t nu_spawn(char *const argv[], int *port, int wait_port)
{
  int fd[2];
  pid_t pid;
  if(pipe(fd))
    return -1;
  pid = fork();
  if(pid < 0)
    return -1;
  if(!pid) {
    int nul = open("/dev/null", O_RDWR);
    dup2(fd[1], 1);
    if(nul >= 0) {
      dup2(nul, 2);
      dup2(nul, 0);
    }
    close(fd[0]);
    setpgid(0, 0);
    execvp(argv[0], argv);
    _exit(127);
  }
  close(fd[1]);
  if(port) {
    char line[128];
    size_t n = 0;
    *port = 0;
    while(n < sizeof(line) - 1) {
      struct pollfd p = {fd[0], POLLIN, 0};
      ssize_t got;
      if(poll(&p, 1, 30000) <= 0)
        break;
      got = read(fd[0], line + n, 1);
      if(got <= 0)
        break;
      if(line[n] == '\n')
        break;
      n++;
    }
    line[n] = '\0';
    if(sscanf(line, "PORT %d", port) != 1 || *port <= 0) {
      kill(pid, SIGKILL);
      waitpid(pid, NULL, 0);
      close(fd[0]);
      return -1;
    }
  }
  else if(wait_port > 0) {
    int i;
    for(i = 0; i < 300 && !nu_port_open(wait_port); i++)
      usleep(100000);
  }
  close(fd[0]);
  return pid;
}

static inline void nu_stop(pid_t pid)
{
  if(pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
  }
}

/* A test server from og_test_server.py. */
static inline pid_t nu_server(int *port, const char *mode, const char *cert,
                              const char *key, const char *result_file)
{
  char script[1024];
  char *argv[12];
  int i = 0;
  snprintf(script, sizeof(script), "%s/tests/unit/og_test_server.py",
           nu_root());
  argv[i++] = (char *)nu_python();
  argv[i++] = script;
  argv[i++] = (char *)mode;
  if(cert) {
    argv[i++] = (char *)"--cert";
    argv[i++] = (char *)cert;
    argv[i++] = (char *)"--key";
    argv[i++] = (char *)key;
  }
  if(result_file) {
    argv[i++] = (char *)"--result-file";
    argv[i++] = (char *)result_file;
  }
  argv[i] = NULL;
  return nu_spawn(argv, port, 0);
}

#endif
