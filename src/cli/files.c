/* Reading the files the command takes: certificates and keys (PEM or
 * DER) and JSON documents, each with a size cap. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cli_files.h"

int cli_read_file(cli *c, const char *opt, const char *path, og_buf *out,
                  size_t cap)
{
  FILE *f = fopen(path, "rb");
  char tmp[8192];
  size_t n;
  og_buf_init(out, cap);
  if(!f)
    return cli_error(c, OG_E_USAGE, "%s: cannot open '%s': %s", opt, path,
                     strerror(errno));
  while((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
    if(og_buf_add(out, tmp, n)) {
      fclose(f);
      return cli_error(c, OG_E_USAGE, "%s: '%s' is larger than %zu bytes",
                       opt, path, cap);
    }
  }
  if(ferror(f)) {
    fclose(f);
    og_buf_free(out);
    return cli_error(c, OG_E_USAGE, "%s: cannot read '%s'", opt, path);
  }
  fclose(f);
  return 0;
}

#define PEM_DER_MAX (64 * 1024)

/* A PEM or DER certificate (want_cert) or public key, re-encoded as DER
 * into der. A DER input must be exactly one object. 0, or -1. */
static int pem_or_der(og_buf *der, const og_buf *raw, int want_cert)
{
  X509 *x = NULL;
  EVP_PKEY *k = NULL;
  unsigned char *d = NULL;
  int n = -1, rc;
  if(raw->len && memmem(raw->data, raw->len, "-----BEGIN", 10)) {
    BIO *b = BIO_new_mem_buf(raw->data, (int)raw->len);
    if(b && want_cert)
      x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    else if(b)
      k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
    BIO_free(b);
  }
  else {
    const unsigned char *p = raw->data;
    if(want_cert)
      x = d2i_X509(NULL, &p, (long)raw->len);
    else
      k = d2i_PUBKEY(NULL, &p, (long)raw->len);
    if(p != raw->data + raw->len) { /* trailing bytes: not one object */
      X509_free(x);
      EVP_PKEY_free(k);
      x = NULL;
      k = NULL;
    }
  }
  if(x)
    n = i2d_X509(x, &d);
  else if(k)
    n = i2d_PUBKEY(k, &d);
  rc = (n > 0 && og_buf_add(der, d, (size_t)n) == OG_OK) ? 0 : -1;
  OPENSSL_free(d);
  X509_free(x);
  EVP_PKEY_free(k);
  return rc;
}

static int load_der(cli *c, const char *opt, const char *path, og_buf *der,
                    int want_cert)
{
  og_buf raw;
  int rc = cli_read_file(c, opt, path, &raw, PEM_DER_MAX);
  if(rc)
    return rc;
  og_buf_init(der, PEM_DER_MAX);
  rc = pem_or_der(der, &raw, want_cert);
  og_buf_free(&raw);
  if(!rc)
    return 0;
  og_buf_free(der);
  return cli_error(c, OG_E_USAGE, "%s: '%s' is not %s (PEM or DER)", opt,
                   path, want_cert ? "an X.509 certificate"
                                   : "a public key (SubjectPublicKeyInfo)");
}

int cli_load_cert(cli *c, const char *opt, const char *path, og_buf *der)
{
  return load_der(c, opt, path, der, 1);
}

int cli_load_spki(cli *c, const char *opt, const char *path, og_buf *der)
{
  return load_der(c, opt, path, der, 0);
}
