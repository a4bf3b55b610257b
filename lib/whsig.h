/*
 * whsig.h - Standard Webhooks signatures (standardwebhooks.com), as sent by
 * the sign-up form and by `sparkmatch signup-post`.
 *
 * The signed content is "<webhook-id>.<webhook-timestamp>.<raw body>"; the
 * signature is HMAC-SHA256 of it, keyed with the base64-decoded part of a
 * "whsec_<base64>" secret, and travels in the webhook-signature header as a
 * space-separated list of "v1,<base64>" entries (a sender rotating keys
 * signs with both). A secret file may likewise hold several secrets,
 * separated by spaces, so the receiver can accept old and new during a
 * rotation.
 *
 * Verification works on the raw bytes, before anything parses the body, and
 * compares in constant time.
 */
#ifndef SPARKMATCH_WHSIG_H
#define SPARKMATCH_WHSIG_H

#include <stddef.h>
#include <stdint.h>

#include "attrs.h"
#include "err.h"

#define WHSIG_MAX_KEYS 4
#define WHSIG_ID_MAX 255

struct whsig_key;

/*
 * Parse one or more space-separated secrets ("whsec_<base64>"; the prefix
 * is optional, as in the reference libraries). Returns NULL with err filled
 * (never quoting the secret) on failure. Free with whsig_key_free().
 */
struct whsig_key *whsig_key_new(const char *secrets, struct err *err) MUSTCHECK;
void whsig_key_free(struct whsig_key *k);

/*
 * Sign with the first secret: *out receives "v1,<base64>" (caller frees).
 * Returns 0, or -1 with err filled if the crypto library fails.
 */
int whsig_sign(const struct whsig_key *k, const char *id, int64_t timestamp,
    const void *body, size_t len, char **out, struct err *err) MUSTCHECK;

/*
 * Check the three headers (any may be NULL when missing) against the raw
 * body: id must be 1..WHSIG_ID_MAX printable ASCII characters, timestamp
 * decimal seconds within tolerance_s of now, and one "v1," entry of the
 * signature list must match one secret. Returns 0, or -1 with err filled
 * (kind ERR_KIND_INVALID, field = the header at fault).
 */
int whsig_verify(const struct whsig_key *k, const char *id, const char *timestamp,
    const char *signature, const void *body, size_t len, int64_t now,
    int64_t tolerance_s, struct err *err) MUSTCHECK;

/*
 * Standard base64 with padding. whsig_b64encode returns a new string
 * (caller frees); whsig_b64decode writes at most outlen bytes and returns
 * the decoded length, or -1 on malformed input or overflow.
 */
char *whsig_b64encode(const void *data, size_t len);
long whsig_b64decode(const char *s, size_t slen, unsigned char *out, size_t outlen);

#endif
