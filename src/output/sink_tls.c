/*
 * sink_tls.c - TLS under the syslog stream sink (syslog+tls://, RFC 5425)
 * with OpenSSL: the server's certificate must chain to the given CA (or
 * the system's CAs) and name the host of the URI (DNS name, or IP address
 * for an address literal); a client certificate and key are offered when
 * given.  Everything is non-blocking: the stream sink in sink.c drives the
 * handshake, the writes and the check for a server that has gone, exactly
 * as it drives a plain TCP socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "sink_int.h"

struct sink_tls {
	SSL_CTX *ctx;
	SSL *ssl;
	char host[256];
	int is_ip;
	char last_error[256];
};

/* The first queued OpenSSL error (or fallback) into t->last_error. */
static void tls_note_error(struct sink_tls *t, const char *fallback)
{
	unsigned long e = ERR_get_error();

	if (e)
		ERR_error_string_n(e, t->last_error, sizeof(t->last_error));
	else
		snprintf(t->last_error, sizeof(t->last_error), "%s", fallback);
	ERR_clear_error();
}

struct sink_tls *sink_tls_new(const char *host, const char *ca, const char *cert,
			      const char *key, char *err, size_t errlen)
{
	struct sink_tls *t = calloc(1, sizeof(*t));
	unsigned char addr[16];

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((cert == NULL) != (key == NULL)) {
		snprintf(err, errlen, "a client certificate needs its key (cert= and key=)");
		goto fail;
	}
	snprintf(t->host, sizeof(t->host), "%s", host);
	t->is_ip = inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
	t->ctx = SSL_CTX_new(TLS_client_method());
	if (!t->ctx) {
		snprintf(err, errlen, "cannot create a TLS context");
		goto fail;
	}
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_mode(t->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (ca ? SSL_CTX_load_verify_locations(t->ctx, ca, NULL) != 1 :
		 SSL_CTX_set_default_verify_paths(t->ctx) != 1) {
		snprintf(err, errlen, "cannot load the CA certificates%s%s", ca ? " from " : "", ca ? ca : "");
		goto fail;
	}
	if (cert && SSL_CTX_use_certificate_chain_file(t->ctx, cert) != 1) {
		snprintf(err, errlen, "cannot load the client certificate %s", cert);
		goto fail;
	}
	if (key && (SSL_CTX_use_PrivateKey_file(t->ctx, key, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(t->ctx) != 1)) {
		snprintf(err, errlen, "cannot load the client key %s (or it does not match the certificate)", key);
		goto fail;
	}
	ERR_clear_error();
	return t;
fail:
	ERR_clear_error();
	sink_tls_free(t);
	return NULL;
}

void sink_tls_free(struct sink_tls *t)
{
	if (!t)
		return;
	sink_tls_stop(t);
	SSL_CTX_free(t->ctx);
	free(t);
}

int sink_tls_start(struct sink_tls *t, int fd)
{
	sink_tls_stop(t);
	t->ssl = SSL_new(t->ctx);
	if (!t->ssl || SSL_set_fd(t->ssl, fd) != 1)
		goto fail;
	if (t->is_ip) {
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), t->host) != 1)
			goto fail;
	} else if (SSL_set1_host(t->ssl, t->host) != 1 ||
		   SSL_set_tlsext_host_name(t->ssl, t->host) != 1) {
		goto fail;
	}
	SSL_set_connect_state(t->ssl);
	return 0;
fail:
	tls_note_error(t, "cannot start a TLS session");
	sink_tls_stop(t);
	return -1;
}

int sink_tls_handshake(struct sink_tls *t)
{
	int r, e;

	if (!t->ssl)
		return -1;
	r = SSL_do_handshake(t->ssl);
	if (r == 1)
		return 1;
	e = SSL_get_error(t->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	if (SSL_get_verify_result(t->ssl) != X509_V_OK)
		snprintf(t->last_error, sizeof(t->last_error), "server certificate refused: %s",
			 X509_verify_cert_error_string(SSL_get_verify_result(t->ssl)));
	else
		tls_note_error(t, "handshake failed");
	return -1;
}

long sink_tls_send(struct sink_tls *t, const char *buf, size_t len)
{
	int r, e;

	if (!t->ssl)
		return -1;
	if (len > 1u << 30)
		len = 1u << 30;
	r = SSL_write(t->ssl, buf, (int)len);
	if (r > 0)
		return r;
	e = SSL_get_error(t->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	tls_note_error(t, "write failed");
	return -1;
}

int sink_tls_peer_gone(struct sink_tls *t)
{
	char junk[512];
	int r, e;

	if (!t->ssl)
		return 1;
	for (;;) {
		r = SSL_read(t->ssl, junk, sizeof(junk));
		if (r > 0)
			continue;               /* receivers do not talk; ignore */
		e = SSL_get_error(t->ssl, r);
		ERR_clear_error();
		return !(e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE);
	}
}

void sink_tls_stop(struct sink_tls *t)
{
	if (t && t->ssl) {
		SSL_free(t->ssl);       /* the socket is closed by its owner */
		t->ssl = NULL;
	}
	ERR_clear_error();
}

const char *sink_tls_error(const struct sink_tls *t)
{
	return t->last_error[0] ? t->last_error : "no error";
}
