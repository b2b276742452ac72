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

int cli_load_cert(cli *c, const char *opt, const char *path, og_buf *der)
{
  og_buf raw;
  X509 *x = NULL;
  int rc = cli_read_file(c, opt, path, &raw, 64 * 1024);
  if(rc)
    return rc;
  if(raw.len && memmem(raw.data, raw.len, "-----BEGIN", 10)) {
    BIO *b = BIO_new_mem_buf(raw.data, (int)raw.len);
    x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
  }
  else {
    const unsigned char *p = raw.data;
    x = d2i_X509(NULL, &p, (long)raw.len);
    if(x && p != raw.data + raw.len) {
      X509_free(x);
      x = NULL;
    }
  }
  og_buf_free(&raw);
  og_buf_init(der, 64 * 1024);
  if(x) {
    unsigned char *d = NULL;
    int n = i2d_X509(x, &d);
    if(n > 0 && og_buf_add(der, d, (size_t)n) == OG_OK)
      rc = 0;
    else
      rc = -1;
    OPENSSL_free(d);
    X509_free(x);
    if(!rc)
      return 0;
  }
  og_buf_free(der);
  return cli_error(c, OG_E_USAGE, "%s: '%s' is not an X.509 certificate "
                   "(PEM or DER)", opt, path);
}

int cli_load_spki(cli *c, const char *opt, const char *path, og_buf *der)
{
  og_buf raw;
  EVP_PKEY *k = NULL;
  int rc = cli_read_file(c, opt, path, &raw, 64 * 1024);
  if(rc)
    return rc;
  if(raw.len && memmem(raw.data, raw.len, "-----BEGIN", 10)) {
    BIO *b = BIO_new_mem_buf(raw.data, (int)raw.len);
    k = b ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
  }
  else {
    const unsigned char *p = raw.data;
    k = d2i_PUBKEY(NULL, &p, (long)raw.len);
    if(k && p != raw.data + raw.len) {
      EVP_PKEY_free(k);
      k = NULL;
    }
  }
  og_buf_free(&raw);
  og_buf_init(der, 64 * 1024);
  if(k) {
    unsigned char *d = NULL;
    int n = i2d_PUBKEY(k, &d);
    rc = (n > 0 && og_buf_add(der, d, (size_t)n) == OG_OK) ? 0 : -1;
    OPENSSL_free(d);
    EVP_PKEY_free(k);
    if(!rc)
      return 0;
  }
  og_buf_free(der);
  return cli_error(c, OG_E_USAGE, "%s: '%s' is not a public key "
                   "(PEM or DER SubjectPublicKeyInfo)", opt, path);
}
