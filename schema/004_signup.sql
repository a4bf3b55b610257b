-- 004_signup.sql - applying a sign-up in one statement.
--
-- signup_apply() is what the sign-up hook (POST /v1/signups) and the CSV
-- import call with an already validated, normalised body. Everything happens
-- in the caller's one transaction: the idempotency key, the profile upsert
-- by external_id, and its goals/strengths and support lists. Data errors are
-- raised with SQLSTATE 22023 (or 23505 for a taken e-mail address) and the
-- offending field's path in DETAIL, so callers can answer 422/409 naming it.

CREATE FUNCTION signup_apply(p_webhook_id text, p_body_sha256 bytea, p jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_role    text := p->>'role';
    v_list    text;
    v_id      bigint;
    v_created boolean;
    v_result  jsonb;
    v_prev    signup_keys%ROWTYPE;
    v_bad     record;
BEGIN
    IF p_webhook_id IS NOT NULL THEN
        INSERT INTO signup_keys (webhook_id, body_sha256)
        VALUES (p_webhook_id, p_body_sha256)
        ON CONFLICT (webhook_id) DO NOTHING;
        IF NOT FOUND THEN
            SELECT * INTO v_prev FROM signup_keys WHERE webhook_id = p_webhook_id;
            IF v_prev.body_sha256 <> p_body_sha256 THEN
                RAISE EXCEPTION USING ERRCODE = '23505',
                    MESSAGE = 'this webhook-id was already used for a different sign-up',
                    DETAIL = 'webhook-id';
            END IF;
            RETURN v_prev.result || jsonb_build_object('replayed', true);
        END IF;
    END IF;

    IF v_role NOT IN ('mentee', 'mentor') THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = 'role must be "mentee" or "mentor"', DETAIL = 'role';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM time_zones WHERE name = p->>'timezone') THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = format('unknown time zone "%s"', p->>'timezone'), DETAIL = 'timezone';
    END IF;

    v_list := CASE v_role WHEN 'mentee' THEN 'goals' ELSE 'strengths' END;
    SELECT e->>'skill' AS skill, ord - 1 AS i INTO v_bad
    FROM jsonb_array_elements(coalesce(p->v_list, '[]')) WITH ORDINALITY AS t(e, ord)
    WHERE NOT EXISTS (SELECT 1 FROM skills WHERE code = e->>'skill')
    ORDER BY ord LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = format('unknown skill code "%s"', v_bad.skill),
            DETAIL = format('%s[%s].skill', v_list, v_bad.i);
    END IF;
    SELECT s AS skill, ord - 1 AS i INTO v_bad
    FROM jsonb_array_elements_text(coalesce(p->'support', '[]')) WITH ORDINALITY AS t(s, ord)
    WHERE NOT EXISTS (SELECT 1 FROM skills WHERE code = s AND family = 'support')
    ORDER BY ord LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = format('"%s" is not a kind of support (career-advice, networking, resume-tips, insight-support, ...)', v_bad.skill),
            DETAIL = format('support[%s]', v_bad.i);
    END IF;

    IF v_role = 'mentee' THEN
        IF EXISTS (SELECT 1 FROM mentees WHERE lower(email) = lower(p->>'email')
                   AND external_id <> p->>'external_id') THEN
            RAISE EXCEPTION USING ERRCODE = '23505',
                MESSAGE = 'this e-mail address belongs to another mentee', DETAIL = 'email';
        END IF;
        INSERT INTO mentees AS m (external_id, name, email, timezone, languages, organisation)
        VALUES (p->>'external_id', p->>'name', p->>'email', p->>'timezone',
                ARRAY(SELECT jsonb_array_elements_text(p->'languages')),
                coalesce(p->>'organisation', ''))
        ON CONFLICT (external_id) DO UPDATE
            SET name = EXCLUDED.name, email = EXCLUDED.email, timezone = EXCLUDED.timezone,
                languages = EXCLUDED.languages, organisation = EXCLUDED.organisation,
                updated_at = now()
        RETURNING m.id, (m.xmax = 0) INTO v_id, v_created;
        DELETE FROM mentee_goals WHERE mentee_id = v_id;
        INSERT INTO mentee_goals (mentee_id, skill, priority)
        SELECT v_id, e->>'skill', (e->>'priority')::smallint
        FROM jsonb_array_elements(coalesce(p->'goals', '[]')) AS e;
        DELETE FROM mentee_support WHERE mentee_id = v_id;
        INSERT INTO mentee_support (mentee_id, skill)
        SELECT v_id, s FROM jsonb_array_elements_text(coalesce(p->'support', '[]')) AS s;
    ELSE
        IF EXISTS (SELECT 1 FROM mentors WHERE lower(email) = lower(p->>'email')
                   AND external_id <> p->>'external_id') THEN
            RAISE EXCEPTION USING ERRCODE = '23505',
                MESSAGE = 'this e-mail address belongs to another mentor', DETAIL = 'email';
        END IF;
        INSERT INTO mentors AS m (external_id, name, email, timezone, languages, organisation, capacity)
        VALUES (p->>'external_id', p->>'name', p->>'email', p->>'timezone',
                ARRAY(SELECT jsonb_array_elements_text(p->'languages')),
                coalesce(p->>'organisation', ''), (p->>'capacity')::integer)
        ON CONFLICT (external_id) DO UPDATE
            SET name = EXCLUDED.name, email = EXCLUDED.email, timezone = EXCLUDED.timezone,
                languages = EXCLUDED.languages, organisation = EXCLUDED.organisation,
                capacity = EXCLUDED.capacity, updated_at = now()
        RETURNING m.id, (m.xmax = 0) INTO v_id, v_created;
        DELETE FROM mentor_strengths WHERE mentor_id = v_id;
        INSERT INTO mentor_strengths (mentor_id, skill, level)
        SELECT v_id, e->>'skill', (e->>'level')::smallint
        FROM jsonb_array_elements(coalesce(p->'strengths', '[]')) AS e;
        DELETE FROM mentor_support WHERE mentor_id = v_id;
        INSERT INTO mentor_support (mentor_id, skill)
        SELECT v_id, s FROM jsonb_array_elements_text(coalesce(p->'support', '[]')) AS s;
    END IF;

    v_result := jsonb_build_object('role', v_role, 'id', v_id,
                                   'external_id', p->>'external_id', 'created', v_created);
    IF p_webhook_id IS NOT NULL THEN
        UPDATE signup_keys SET result = v_result WHERE webhook_id = p_webhook_id;
    END IF;
    RETURN v_result || jsonb_build_object('replayed', false);
END
$$;
