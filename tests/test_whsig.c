/* test_whsig.c - Standard Webhooks signing and verification (no database). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "whsig.h"

/* The example published with the Standard Webhooks specification. */
#define VEC_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define VEC_ID "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define VEC_TS "1614265330"
#define VEC_BODY "{\"test\": 2432232314}"
#define VEC_SIG "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
#define VEC_NOW 1614265330

static struct whsig_key *
key(const char *secret)
{
	struct err err;
	struct whsig_key *k = whsig_key_new(secret, &err);

	cr_assert_not_null(k, "%s", err.msg);
	return k;
}

static int
verify(struct whsig_key *k, const char *id, const char *ts, const char *sig,
    const char *body, int64_t now, struct err *err)
{
	return whsig_verify(k, id, ts, sig, body, strlen(body), now, 300, err);
}

Test(whsig, published_vector_signs_and_verifies)
{
	struct whsig_key *k = key(VEC_SECRET);
	struct err err;
	char *sig = NULL;

	cr_assert_eq(whsig_sign(k, VEC_ID, VEC_NOW, VEC_BODY, strlen(VEC_BODY), &sig, &err), 0);
	cr_assert_str_eq(sig, VEC_SIG);
	cr_assert_eq(verify(k, VEC_ID, VEC_TS, VEC_SIG, VEC_BODY, VEC_NOW, &err), 0, "%s", err.msg);
	free(sig);
	whsig_key_free(k);
}

Test(whsig, secret_without_prefix_is_accepted)
{
	struct whsig_key *k = key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
	struct err err;

	cr_assert_eq(verify(k, VEC_ID, VEC_TS, VEC_SIG, VEC_BODY, VEC_NOW, &err), 0);
	whsig_key_free(k);
}

Test(whsig, flipped_body_byte_is_refused)
{
	struct whsig_key *k = key(VEC_SECRET);
	char body[] = VEC_BODY;
	struct err err;

	for (size_t i = 0; i < strlen(body); i++) {
		body[i] ^= 0x01;
		cr_assert_eq(verify(k, VEC_ID, VEC_TS, VEC_SIG, body, VEC_NOW, &err), -1,
		    "flipped byte %zu accepted", i);
		cr_assert_str_eq(err.field, "webhook-signature");
		body[i] ^= 0x01;
	}
	whsig_key_free(k);
}

Test(whsig, flipped_signature_byte_is_refused)
{
	struct whsig_key *k = key(VEC_SECRET);
	char sig[] = VEC_SIG;
	struct err err;

	sig[5] = sig[5] == 'A' ? 'B' : 'A';
	cr_assert_eq(verify(k, VEC_ID, VEC_TS, sig, VEC_BODY, VEC_NOW, &err), -1);
	whsig_key_free(k);
}

Test(whsig, id_and_timestamp_are_signed)
{
	struct whsig_key *k = key(VEC_SECRET);
	struct err err;

	cr_assert_eq(verify(k, "msg_other", VEC_TS, VEC_SIG, VEC_BODY, VEC_NOW, &err), -1);
	cr_assert_eq(verify(k, VEC_ID, "1614265331", VEC_SIG, VEC_BODY, VEC_NOW, &err), -1);
	whsig_key_free(k);
}

Test(whsig, wrong_secret_is_refused)
{
	struct whsig_key *k = key("whsec_c2VjcmV0LW9mLXNvbWVib2R5LWVsc2U=");
	struct err err;

	cr_assert_eq(verify(k, VEC_ID, VEC_TS, VEC_SIG, VEC_BODY, VEC_NOW, &err), -1);
	cr_assert_str_eq(err.field, "webhook-signature");
	whsig_key_free(k);
}

Test(whsig, stale_and_future_timestamps_are_refused)
{
	struct whsig_key *k = key(VEC_SECRET);
	struct err err;

	cr_assert_eq(verify(k, VEC_ID, VEC_TS, VEC_SIG, VEC_BODY, VEC_NOW + 300, &err), 0);
	cr_assert_eq(verify(k, VEC_ID, VEC_TS, VEC_SIG, VEC_BODY, VEC_NOW + 301, &err), -1);
	cr_assert_str_eq(err.field, "webhook-timestamp");
	cr_assert_eq(verify(k, VEC_ID, VEC_TS, VEC_SIG, VEC_BODY, VEC_NOW - 301, &err), -1);
	cr_assert_str_eq(err.field, "webhook-timestamp");
	whsig_key_free(k);
}

Test(whsig, malformed_timestamps_are_refused)
{
	static const char *const bad[] = { "", "-1614265330", "+1614265330", " 1614265330",
		"1614265330 ", "1614265330.5", "0x60380b72", "99999999999999999999" };
	struct whsig_key *k = key(VEC_SECRET);
	struct err err;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_assert_eq(verify(k, VEC_ID, bad[i], VEC_SIG, VEC_BODY, VEC_NOW, &err), -1,
		    "'%s' accepted", bad[i]);
		cr_assert_str_eq(err.field, "webhook-timestamp");
	}
	whsig_key_free(k);
}

Test(whsig, several_signatures_one_valid)
{
	struct whsig_key *k = key(VEC_SECRET);
	struct err err;
	const char *sigs[] = {
		"v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= " VEC_SIG,
		VEC_SIG " v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"v1a,bm90LWEtc2lnbmF0dXJl " VEC_SIG,
		"garbage " VEC_SIG " v2,xyz",
	};

	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		cr_assert_eq(verify(k, VEC_ID, VEC_TS, sigs[i], VEC_BODY, VEC_NOW, &err), 0,
		    "'%s': %s", sigs[i], err.msg);
	cr_assert_eq(verify(k, VEC_ID, VEC_TS,
	    "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v1,not-base64", VEC_BODY, VEC_NOW,
	    &err), -1);
	/* The right bytes under another version tag do not count. */
	cr_assert_eq(verify(k, VEC_ID, VEC_TS, "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
	    VEC_BODY, VEC_NOW, &err), -1);
	whsig_key_free(k);
}

Test(whsig, rotated_receiver_secrets)
{
	struct whsig_key *k = key("whsec_c2VjcmV0LW9mLXNvbWVib2R5LWVsc2U= " VEC_SECRET);
	struct err err;

	cr_assert_eq(verify(k, VEC_ID, VEC_TS, VEC_SIG, VEC_BODY, VEC_NOW, &err), 0, "%s", err.msg);
	whsig_key_free(k);
}

Test(whsig, missing_headers_are_named)
{
	struct whsig_key *k = key(VEC_SECRET);
	struct err err;

	cr_assert_eq(verify(k, NULL, VEC_TS, VEC_SIG, VEC_BODY, VEC_NOW, &err), -1);
	cr_assert_str_eq(err.field, "webhook-id");
	cr_assert_eq(verify(k, VEC_ID, NULL, VEC_SIG, VEC_BODY, VEC_NOW, &err), -1);
	cr_assert_str_eq(err.field, "webhook-timestamp");
	cr_assert_eq(whsig_verify(k, VEC_ID, VEC_TS, NULL, VEC_BODY, 5, VEC_NOW, 300, &err), -1);
	cr_assert_str_eq(err.field, "webhook-signature");
	cr_assert_eq(verify(k, "", VEC_TS, VEC_SIG, VEC_BODY, VEC_NOW, &err), -1);
	cr_assert_str_eq(err.field, "webhook-id");
	cr_assert_eq(verify(k, "has space", VEC_TS, VEC_SIG, VEC_BODY, VEC_NOW, &err), -1);
	cr_assert_str_eq(err.field, "webhook-id");
	whsig_key_free(k);
}

Test(whsig, bad_secrets_are_refused_without_echo)
{
	static const char *const bad[] = { "", "   ", "whsec_", "whsec_not base64!",
		"whsec_abc", "whsec_YWJj=A==" };
	struct err err;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_assert_null(whsig_key_new(bad[i], &err), "'%s' accepted", bad[i]);
		if (strlen(bad[i]) > 6)
			cr_assert_null(strstr(err.msg, bad[i] + 6), "message quotes the secret");
	}
}

Test(whsig, base64_round_trip_and_strictness)
{
	unsigned char buf[64] = { 0 }, back[64];
	char *s;

	for (size_t len = 0; len < 20; len++) {
		for (size_t i = 0; i < len; i++)
			buf[i] = (unsigned char)(i * 37 + len);
		s = whsig_b64encode(buf, len);
		if (len == 0) {
			cr_assert_str_eq(s, "");
		} else {
			cr_assert_eq(whsig_b64decode(s, strlen(s), back, sizeof back), (long)len);
			cr_assert_eq(memcmp(buf, back, len), 0);
		}
		free(s);
	}
	cr_assert_eq(whsig_b64decode("YQ==", 4, back, sizeof back), 1);
	cr_assert_eq(whsig_b64decode("YR==", 4, back, sizeof back), -1);	/* non-canonical */
	cr_assert_eq(whsig_b64decode("YQ=a", 4, back, sizeof back), -1);
	cr_assert_eq(whsig_b64decode("Y===", 4, back, sizeof back), -1);
	cr_assert_eq(whsig_b64decode("YQ==YQ==", 8, back, sizeof back), -1);
	cr_assert_eq(whsig_b64decode("YWJj", 4, back, 2), -1);			/* overflow */
}
