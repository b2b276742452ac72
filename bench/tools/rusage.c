/* rusage: run a command and print its wall time, CPU time and peak RSS.
 *
 *   rusage OUTFILE COMMAND [ARG...]
 *
 * Writes one JSON line to OUTFILE:
 *   {"rc": N, "wall": S, "user": S, "sys": S, "maxrss_kib": K}
 * and exits with the command's status.  It exists because a child's peak
 * RSS (ru_maxrss) includes the memory of whatever forked it, up to exec:
 * measured from a Python runner, every program would carry the runner's
 * tens of MiB.  Forked from this small program, the floor is about 1 MiB.
 * Built by bench/runner.py with the system C compiler; not part of the
 * library. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t child;

/* pass SIGINT/SIGTERM on, so that stopping the runner stops the program */
static void forward(int sig)
{
  if(child > 0)
    kill(child, sig);
}

static double secs(struct timeval tv)
{
  return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
  struct timespec t0, t1;
  struct rusage ru;
  FILE *out;
  pid_t pid;
  int status, rc;

  if(argc < 3) {
    fprintf(stderr, "usage: rusage OUTFILE COMMAND [ARG...]\n");
    return 2;
  }
  clock_gettime(CLOCK_MONOTONIC, &t0);
  signal(SIGINT, forward);
  signal(SIGTERM, forward);
  pid = fork();
  if(pid < 0) {
    perror("rusage: fork");
    return 2;
  }
  if(pid == 0) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    execvp(argv[2], argv + 2);
    fprintf(stderr, "rusage: %s: %s\n", argv[2], strerror(errno));
    _exit(127);
  }
  child = pid;
  while(wait4(pid, &status, 0, &ru) < 0) {
    if(errno != EINTR) {
      perror("rusage: wait4");
      return 2;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if(WIFEXITED(status))
    rc = WEXITSTATUS(status);
  else
    rc = 128 + WTERMSIG(status);
  out = fopen(argv[1], "w");
  if(!out) {
    perror("rusage: output file");
    return 2;
  }
  fprintf(out, "{\"rc\": %d, \"wall\": %.6f, \"user\": %.6f, "
          "\"sys\": %.6f, \"maxrss_kib\": %ld}\n", rc,
          (double)(t1.tv_sec - t0.tv_sec) +
          (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
          secs(ru.ru_utime), secs(ru.ru_stime), ru.ru_maxrss);
  fclose(out);
  return rc;
}
