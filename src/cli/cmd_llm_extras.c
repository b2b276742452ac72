/* Newer-gateway extras of `chat` and `completion` (see cli_llm.h). Images
 * follow the Python CLI's _save_generated_images: a data: URI gives the
 * MIME type (png, jpg, webp, gif; anything else is saved as .png), any
 * other string is raw base64 PNG, base64 is decoded as Python's
 * base64.b64decode does (characters outside the alphabet skipped), the
 * name is og_image_<unixtime> plus _<n> (from 1) when there is more than
 * one image, and the count covers every image, decodable or not. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_llm.h"
#include "opengradient/og_hex.h"

static void put_str(cli *c, FILE *f, const char *s)
{
  cli_put_field(c, f, s);
}

int cli_image_dir_check(cli *c)
{
  struct stat st;
  const char *d = cli_opt_str(c, OPT_IMAGE_OUTPUT_DIR, NULL);
  if(!d)
    return 0;
  if(!*d)
    return cli_error(c, OG_E_USAGE, "--image-output-dir: empty path");
  if(strlen(d) >= PATH_MAX - 64)
    return cli_error(c, OG_E_USAGE, "--image-output-dir: path too long");
  if(stat(d, &st) == 0 && !S_ISDIR(st.st_mode))
    return cli_error(c, OG_E_USAGE, "--image-output-dir: '%s' exists and "
                     "is not a directory", d);
  return 0;
}

void cli_web_search_status(cli *c, const char *status, const char *query)
{
  if(c->json)
    return; /* the NDJSON line carries it */
  if(!isatty(fileno(c->errf)) && !c->verbose)
    return;
  fputs("opengradient: web search [", c->errf);
  put_str(c, c->errf, status ? status : "searching");
  fputc(']', c->errf);
  if(query) {
    fputc(' ', c->errf);
    put_str(c, c->errf, query);
  }
  fputc('\n', c->errf);
  fflush(c->errf);
}

/* Python's base64.b64decode(s) (validate=False): characters outside the
 * alphabet are skipped, a pad sequence ends the data, a partial quantum
 * without its padding is an error. Rebuilt as strict base64 for the one
 * decoder. out gets the bytes (caller frees); 0 or -1. */
static int b64_python(unsigned char **out, size_t *outlen, const char *s,
                      size_t n)
{
  char *clean = malloc(n + 4);
  size_t i, k = 0, quad = 0, pads = 0, cap;
  int ended = 0;
  og_result r;
  *out = NULL;
  *outlen = 0;
  if(!clean)
    return -1;
  for(i = 0; i < n && !ended; i++) {
    char ch = s[i];
    if(ch == '=') {
      if(quad >= 2 && quad + ++pads >= 4)
        ended = 1;
      continue;
    }
    if(!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
         (ch >= '0' && ch <= '9') || ch == '+' || ch == '/'))
      continue;
    clean[k++] = ch;
    quad = (quad + 1) % 4;
    pads = 0;
  }
  if(quad == 1 || (quad && !ended)) {
    free(clean);
    return -1;
  }
  while(k % 4)
    clean[k++] = '=';
  cap = k / 4 * 3 + 1;
  *out = malloc(cap);
  if(!*out) {
    free(clean);
    return -1;
  }
  r = og_base64_decode(*out, cap, outlen, clean, k);
  free(clean);
  if(r) {
    free(*out);
    *out = NULL;
    return -1;
  }
  return 0;
}

static const char *mime_ext(const char *m, size_t n)
{
  static const struct {
    const char *mime, *ext;
  } map[] = {{"image/png", "png"}, {"image/jpeg", "jpg"},
             {"image/jpg", "jpg"}, {"image/webp", "webp"},
             {"image/gif", "gif"}};
  size_t i;
  /* str.strip() */
  while(n && (*m == ' ' || *m == '\t' || *m == '\n' || *m == '\r' ||
              *m == '\f' || *m == '\v')) {
    m++;
    n--;
  }
  while(n && (m[n - 1] == ' ' || m[n - 1] == '\t' || m[n - 1] == '\n' ||
              m[n - 1] == '\r' || m[n - 1] == '\f' || m[n - 1] == '\v'))
    n--;
  for(i = 0; i < sizeof(map) / sizeof(map[0]); i++)
    if(strlen(map[i].mime) == n && !memcmp(map[i].mime, m, n))
      return map[i].ext;
  return "png";
}

/* Split one image into its base64 payload and extension, as the Python
 * CLI's _DATA_URI_RE does. */
static void image_parts(const char *s, size_t n, const char **payload,
                        size_t *plen, const char **ext)
{
  size_t i = 5, ms;
  *payload = s;
  *plen = n;
  *ext = "png";
  if(n < 5 || memcmp(s, "data:", 5))
    return;
  ms = i;
  while(i < n && s[i] != ';' && s[i] != ',')
    i++;
  if(i + 7 <= n && !memcmp(s + i, ";base64", 7))
    i += 7;
  if(i >= n || s[i] != ',')
    return; /* not a data: URI for the regex: raw base64 */
  {
    const char *m = s + ms;
    size_t mn = 0;
    while(ms + mn < n && m[mn] != ';' && m[mn] != ',')
      mn++;
    *ext = mn ? mime_ext(m, mn) : "png";
  }
  *payload = s + i + 1;
  *plen = n - i - 1;
}

/* The folder as Python's Path shows it: empty and "." parts dropped. */
static void norm_dir(char *out, size_t cap, const char *d)
{
  size_t o = 0;
  const char *p = d;
  out[0] = 0;
  if(*p == '/' && cap > 1)
    out[o++] = '/';
  while(*p) {
    const char *e;
    size_t n;
    while(*p == '/')
      p++;
    e = p;
    while(*e && *e != '/')
      e++;
    n = (size_t)(e - p);
    if(n && !(n == 1 && *p == '.')) {
      if(o && out[o - 1] != '/' && o + 1 < cap)
        out[o++] = '/';
      if(o + n < cap) {
        memcpy(out + o, p, n);
        o += n;
      }
    }
    p = e;
  }
  out[o] = 0;
}

/* mkdir -p (mode 0755 before umask) */
static int make_dirs(const char *d)
{
  char tmp[PATH_MAX];
  size_t i, n = strlen(d);
  if(!n || n >= sizeof(tmp))
    return n ? -1 : 0;
  memcpy(tmp, d, n + 1);
  for(i = 1; i <= n; i++) {
    if(tmp[i] == '/' || tmp[i] == 0) {
      char save = tmp[i];
      tmp[i] = 0;
      if(mkdir(tmp, 0755) && errno != EEXIST)
        return -1;
      tmp[i] = save;
    }
  }
  return 0;
}

static int write_file(const char *path, const unsigned char *b, size_t n)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                0644);
  size_t off = 0;
  if(fd < 0)
    return -1;
  while(off < n) {
    ssize_t w = write(fd, b + off, n - off);
    if(w < 0) {
      if(errno == EINTR)
        continue;
      close(fd);
      return -1;
    }
    off += (size_t)w;
  }
  return close(fd);
}

int cli_save_images(cli *c, const json_t *images, json_t **saved)
{
  char dir[PATH_MAX], path[PATH_MAX + 64];
  const char *opt = cli_has(c, OPT_IMAGE_OUTPUT_DIR) ?
                    cli_opt_str(c, OPT_IMAGE_OUTPUT_DIR, NULL) : NULL;
  size_t i, total = json_array_size(images);
  long long stamp;
  const json_t *img;

  *saved = NULL;
  if(!total)
    return 0;
  if(opt) {
    norm_dir(dir, sizeof(dir), opt);
    if(!dir[0] && *opt == '.')
      dir[0] = 0; /* Path(".") / name is just name */
  }
  else if(!getcwd(dir, sizeof(dir)))
    return cli_error(c, OG_E_IO, "cannot read the current folder: %s",
                     strerror(errno));
  if(dir[0] && make_dirs(dir))
    return cli_error(c, OG_E_IO, "--image-output-dir: cannot create '%s': "
                     "%s", dir, strerror(errno));
  *saved = json_array();
  if(!*saved)
    return cli_error(c, OG_E_NOMEM, "out of memory");
  stamp = (long long)time(NULL);
  if(!c->json)
    fprintf(c->out, "%sGenerated %zu image(s):%s\n",
            cli_color(c, 1, CLR_YELLOW_BOLD), total,
            cli_color(c, 1, CLR_RESET));
  json_array_foreach(images, i, img) {
    const char *payload, *ext;
    size_t plen, blen;
    unsigned char *bytes = NULL;
    char suffix[32] = "";
    int bad = !json_is_string(img);
    if(!bad) {
      image_parts(json_string_value(img), json_string_length(img), &payload,
                  &plen, &ext);
      bad = b64_python(&bytes, &blen, payload, plen) != 0;
    }
    if(bad) {
      if(c->json)
        cli_warn(c, "could not decode generated image #%zu", i + 1);
      else
        fprintf(c->out, "%s  Could not decode generated image #%zu%s\n",
                cli_color(c, 1, CLR_RED_BOLD), i + 1,
                cli_color(c, 1, CLR_RESET));
      continue;
    }
    if(total > 1)
      snprintf(suffix, sizeof(suffix), "_%zu", i + 1);
    snprintf(path, sizeof(path), "%s%sog_image_%lld%s.%s", dir,
             dir[0] && dir[strlen(dir) - 1] != '/' ? "/" : "", stamp,
             suffix, ext);
    if(write_file(path, bytes, blen)) {
      int e = errno;
      free(bytes);
      return cli_error(c, OG_E_IO, "cannot write image '%s': %s", path,
                       strerror(e));
    }
    free(bytes);
    json_array_append_new(*saved, json_string(path));
  }
  if(!c->json) {
    json_array_foreach(*saved, i, img)
      fprintf(c->out, "  Saved: %s%s%s\n", cli_color(c, 1, CLR_GREEN),
              json_string_value(img), cli_color(c, 1, CLR_RESET));
    fprintf(c->out, "  (generated images are not covered by the enclave's "
            "signature)\n\n");
  }
  return 0;
}

void cli_print_citations(cli *c, const json_t *citations)
{
  size_t i, k = 0;
  const json_t *ci;
  if(!json_array_size(citations))
    return;
  fprintf(c->out, "%sSources:%s\n", cli_color(c, 1, CLR_YELLOW_BOLD),
          cli_color(c, 1, CLR_RESET));
  json_array_foreach(citations, i, ci) {
    const json_t *t = json_object_get(ci, "title");
    const json_t *u = json_object_get(ci, "url");
    if(!json_is_string(u) && !json_is_string(t))
      continue;
    fprintf(c->out, "  [%zu] ", ++k);
    if(json_is_string(t)) {
      cli_put_text(c, c->out, json_string_value(t), json_string_length(t));
      if(json_is_string(u))
        fputs(" - ", c->out);
    }
    if(json_is_string(u))
      cli_put_text(c, c->out, json_string_value(u), json_string_length(u));
    fputc('\n', c->out);
  }
  fputc('\n', c->out);
}

void cli_print_cost(cli *c, const og_llm_cost *cost)
{
  char opg[100];
  if(!cost->present || og_llm_cost_opg_text(opg, sizeof(opg),
                                            cost->cost_opg, NULL))
    return;
  /* both strings were checked to be plain decimals */
  fprintf(c->out, "Cost: %s OPG ($%s)\n", opg, cost->cost_usd);
}

void cli_llm_extras_json(json_t *o, const og_llm_result *a,
                         const json_t *saved)
{
  json_object_del(o, "images");
  if(a->citations)
    json_object_set(o, "citations", (json_t *)a->citations);
  if(a->cost_json)
    json_object_set(o, "opengradient", a->cost_json);
  if(saved)
    json_object_set(o, "images_saved", (json_t *)saved);
}
