/* whsig.c - Standard Webhooks HMAC-SHA256 signatures. */
#include "whsig.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define WHSIG_MAC_LEN 32
#define WHSIG_KEY_MAX 256	/* bytes of key material per secret */

struct whsig_key {
	int nkeys;
	size_t len[WHSIG_MAX_KEYS];
	unsigned char key[WHSIG_MAX_KEYS][WHSIG_KEY_MAX];
};

static const char whsig_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
whsig_b64encode(const void *data, size_t len)
{
	const unsigned char *p = data;
	char *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		*o++ = whsig_alphabet[(v >> 18) & 63];
		*o++ = whsig_alphabet[(v >> 12) & 63];
		*o++ = i + 1 < len ? whsig_alphabet[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? whsig_alphabet[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* The value of one base64 character, or -1. */
static int
whsig_b64value(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(whsig_alphabet, c);
	return p ? (int)(p - whsig_alphabet) : -1;
}

long
whsig_b64decode(const char *s, size_t slen, unsigned char *out, size_t outlen)
{
	size_t n = 0;

	if (slen == 0 || slen % 4 != 0)
		return -1;
	for (size_t i = 0; i < slen; i += 4) {
		int v[4], pad = 0;
		uint32_t w;

		for (int k = 0; k < 4; k++) {
			if (s[i + k] == '=' && i + 4 == slen && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad > 0)
				return -1;	/* data after padding */
			v[k] = whsig_b64value(s[i + k]);
			if (v[k] < 0)
				return -1;
		}
		w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
		/* Padding must be canonical: the bits it hides must be zero. */
		if ((pad == 1 && (w & 0xff) != 0) || (pad == 2 && (w & 0xffff) != 0))
			return -1;
		if (n + 3 - (size_t)pad > outlen)
			return -1;
		out[n++] = (unsigned char)(w >> 16);
		if (pad < 2)
			out[n++] = (unsigned char)(w >> 8);
		if (pad < 1)
			out[n++] = (unsigned char)w;
	}
	return (long)n;
}

struct whsig_key *
whsig_key_new(const char *secrets, struct err *err)
{
	struct whsig_key *k = xcalloc(1, sizeof *k);
	const char *p = secrets;

	while (*p != '\0') {
		size_t n;
		long len;

		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		n = strcspn(p, " \t");
		if (k->nkeys == WHSIG_MAX_KEYS) {
			err_set(err, ERR_KIND_INVALID, "more than %d webhook secrets", WHSIG_MAX_KEYS);
			goto failed;
		}
		if (n > 6 && strncmp(p, "whsec_", 6) == 0) {
			p += 6;
			n -= 6;
		}
		len = whsig_b64decode(p, n, k->key[k->nkeys], WHSIG_KEY_MAX);
		if (len <= 0) {
			err_set(err, ERR_KIND_INVALID,
			    "webhook secret %d is not \"whsec_\" followed by base64 (at most %d bytes)",
			    k->nkeys + 1, WHSIG_KEY_MAX);
			goto failed;
		}
		k->len[k->nkeys++] = (size_t)len;
		p += n;
	}
	if (k->nkeys == 0) {
		err_set(err, ERR_KIND_INVALID, "no webhook secret given");
		goto failed;
	}
	return k;
failed:
	whsig_key_free(k);
	return NULL;
}

void
whsig_key_free(struct whsig_key *k)
{
	if (k == NULL)
		return;
	OPENSSL_cleanse(k, sizeof *k);
	free(k);
}

/* HMAC-SHA256 of "id.timestamp.body" with one key into mac[32]. */
static int
whsig_mac(const unsigned char *key, size_t keylen, const char *id, const char *ts,
    const void *body, size_t len, unsigned char *mac, struct err *err)
{
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC *mac_alg = NULL;
	EVP_MAC_CTX *ctx = NULL;
	size_t outlen = 0;
	int rc = -1;

	mac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac_alg == NULL)
		goto failed;
	ctx = EVP_MAC_CTX_new(mac_alg);
	if (ctx == NULL || !EVP_MAC_init(ctx, key, keylen, params) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)id, strlen(id)) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)".", 1) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)ts, strlen(ts)) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)".", 1) ||
	    !EVP_MAC_update(ctx, body, len) ||
	    !EVP_MAC_final(ctx, mac, &outlen, WHSIG_MAC_LEN) || outlen != WHSIG_MAC_LEN)
		goto failed;
	rc = 0;
failed:
	if (rc < 0)
		err_set(err, ERR_KIND_INTERNAL, "HMAC-SHA256 failed in the crypto library");
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac_alg);
	return rc;
}

int
whsig_sign(const struct whsig_key *k, const char *id, int64_t timestamp, const void *body,
    size_t len, char **out, struct err *err)
{
	unsigned char mac[WHSIG_MAC_LEN];
	char ts[24], *b64;

	*out = NULL;
	snprintf(ts, sizeof ts, "%lld", (long long)timestamp);
	if (whsig_mac(k->key[0], k->len[0], id, ts, body, len, mac, err) < 0)
		return -1;
	b64 = whsig_b64encode(mac, sizeof mac);
	*out = xasprintf("v1,%s", b64);
	free(b64);
	return 0;
}

/* 1..WHSIG_ID_MAX printable ASCII characters, no spaces. */
static int
whsig_id_ok(const char *id)
{
	size_t n = 0;

	for (; id[n] != '\0'; n++) {
		if (id[n] <= ' ' || id[n] > '~')
			return 0;
	}
	return n >= 1 && n <= WHSIG_ID_MAX;
}

int
whsig_verify(const struct whsig_key *k, const char *id, const char *timestamp,
    const char *signature, const void *body, size_t len, int64_t now, int64_t tolerance_s,
    struct err *err)
{
	unsigned char mac[WHSIG_MAX_KEYS][WHSIG_MAC_LEN];
	unsigned char given[WHSIG_MAC_LEN + 3];
	long long ts = 0;
	const char *p;
	int matched = 0, rc = -1;

	if (id == NULL)
		return err_field(err, "webhook-id", "header missing");
	if (timestamp == NULL)
		return err_field(err, "webhook-timestamp", "header missing");
	if (signature == NULL)
		return err_field(err, "webhook-signature", "header missing");
	if (!whsig_id_ok(id))
		return err_field(err, "webhook-id", "must be 1 to %d printable characters", WHSIG_ID_MAX);
	/* Decimal seconds only: no sign, no spaces, no more than 12 digits. */
	if (timestamp[0] == '\0' || strspn(timestamp, "0123456789") != strlen(timestamp) ||
	    strlen(timestamp) > 12)
		return err_field(err, "webhook-timestamp", "must be seconds since the epoch");
	ts = strtoll(timestamp, NULL, 10);
	if (ts < now - tolerance_s || ts > now + tolerance_s)
		return err_field(err, "webhook-timestamp",
		    "outside the allowed window of %lld seconds", (long long)tolerance_s);
	for (int i = 0; i < k->nkeys; i++) {
		if (whsig_mac(k->key[i], k->len[i], id, timestamp, body, len, mac[i], err) < 0)
			goto done;
	}
	/* Check every entry so the time taken does not say which one matched. */
	for (p = signature; *p != '\0';) {
		size_t n;
		long glen;

		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n > 3 && strncmp(p, "v1,", 3) == 0) {
			glen = whsig_b64decode(p + 3, n - 3, given, sizeof given);
			if (glen == WHSIG_MAC_LEN) {
				for (int i = 0; i < k->nkeys; i++)
					matched |= CRYPTO_memcmp(given, mac[i], WHSIG_MAC_LEN) == 0;
			}
		}
		p += n;
	}
	if (!matched) {
		err_field(err, "webhook-signature", "no valid signature");
		goto done;
	}
	rc = 0;
done:
	OPENSSL_cleanse(mac, sizeof mac);
	return rc;
}
