-- 002_people.sql - mentees, mentors, what they want and offer, and exclusions.

-- Time zone names accepted for people: the IANA names this server knows.
-- A table (not a lookup in pg_timezone_names, which reads the tz database on
-- every call) so a foreign key can check sign-ups cheaply.
CREATE TABLE time_zones (
    name text PRIMARY KEY
);
INSERT INTO time_zones (name)
SELECT name FROM pg_timezone_names
WHERE name NOT IN ('posixrules', 'Factory', 'localtime')
ON CONFLICT DO NOTHING;

-- ISO 639 language codes: one to twenty, lower case, no duplicates.
CREATE FUNCTION sm_valid_languages(langs text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT cardinality(langs) BETWEEN 1 AND 20
       AND array_position(langs, NULL) IS NULL
       AND NOT EXISTS (SELECT 1 FROM unnest(langs) AS l WHERE l !~ '^[a-z]{2,3}$')
       AND (SELECT count(DISTINCT l) FROM unnest(langs) AS l) = cardinality(langs)
$$;

CREATE TABLE mentees (
    id            bigserial PRIMARY KEY,
    external_id   text NOT NULL UNIQUE
                  CHECK (length(external_id) BETWEEN 1 AND 200 AND external_id !~ '[[:cntrl:]]'),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200 AND name !~ '[[:cntrl:]]'),
    email         text NOT NULL
                  CHECK (length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    timezone      text NOT NULL REFERENCES time_zones (name),
    languages     text[] NOT NULL CHECK (sm_valid_languages(languages)),
    organisation  text NOT NULL DEFAULT ''
                  CHECK (length(organisation) <= 200 AND organisation !~ '[[:cntrl:]]'),
    status        text NOT NULL DEFAULT 'waiting'
                  CHECK (status IN ('waiting', 'proposed', 'matched', 'paused')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    -- When the mentee last started waiting; the oldest waiters are shown first.
    waiting_since timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX mentees_email_key ON mentees (lower(email));
CREATE INDEX mentees_status_idx ON mentees (status);

CREATE TABLE mentee_goals (
    mentee_id bigint NOT NULL REFERENCES mentees (id) ON DELETE CASCADE,
    skill     text NOT NULL REFERENCES skills (code) ON UPDATE CASCADE,
    priority  smallint NOT NULL CHECK (priority BETWEEN 1 AND 5),
    PRIMARY KEY (mentee_id, skill)
);

-- Kinds of help (skills of family "support") a mentee asks for; scored as
-- goals with the configured score.support_priority.
CREATE TABLE mentee_support (
    mentee_id bigint NOT NULL REFERENCES mentees (id) ON DELETE CASCADE,
    skill     text NOT NULL REFERENCES skills (code) ON UPDATE CASCADE,
    PRIMARY KEY (mentee_id, skill)
);

CREATE TABLE mentors (
    id            bigserial PRIMARY KEY,
    external_id   text NOT NULL UNIQUE
                  CHECK (length(external_id) BETWEEN 1 AND 200 AND external_id !~ '[[:cntrl:]]'),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200 AND name !~ '[[:cntrl:]]'),
    email         text NOT NULL
                  CHECK (length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    timezone      text NOT NULL REFERENCES time_zones (name),
    languages     text[] NOT NULL CHECK (sm_valid_languages(languages)),
    organisation  text NOT NULL DEFAULT ''
                  CHECK (length(organisation) <= 200 AND organisation !~ '[[:cntrl:]]'),
    capacity      integer NOT NULL DEFAULT 1 CHECK (capacity BETWEEN 0 AND 100),
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX mentors_email_key ON mentors (lower(email));

CREATE TABLE mentor_strengths (
    mentor_id bigint NOT NULL REFERENCES mentors (id) ON DELETE CASCADE,
    skill     text NOT NULL REFERENCES skills (code) ON UPDATE CASCADE,
    level     smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
    PRIMARY KEY (mentor_id, skill)
);

-- Kinds of help a mentor offers; scored as strengths at score.support_level.
CREATE TABLE mentor_support (
    mentor_id bigint NOT NULL REFERENCES mentors (id) ON DELETE CASCADE,
    skill     text NOT NULL REFERENCES skills (code) ON UPDATE CASCADE,
    PRIMARY KEY (mentor_id, skill)
);

-- Support lists may only name skills of family "support".
CREATE FUNCTION sm_check_support_skill() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM skills WHERE code = NEW.skill AND family = 'support') THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = format('"%s" is not a kind of support', NEW.skill),
            DETAIL = 'support';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER mentee_support_family BEFORE INSERT OR UPDATE ON mentee_support
    FOR EACH ROW EXECUTE FUNCTION sm_check_support_skill();
CREATE TRIGGER mentor_support_family BEFORE INSERT OR UPDATE ON mentor_support
    FOR EACH ROW EXECUTE FUNCTION sm_check_support_skill();

-- Pairs never to propose, whatever their score.
CREATE TABLE exclusions (
    id         bigserial PRIMARY KEY,
    mentee_id  bigint NOT NULL REFERENCES mentees (id) ON DELETE CASCADE,
    mentor_id  bigint NOT NULL REFERENCES mentors (id) ON DELETE CASCADE,
    reason     text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    created_by text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (mentee_id, mentor_id)
);
CREATE INDEX exclusions_mentor_idx ON exclusions (mentor_id);

-- Rows written straight into the database by another program wake the
-- daemon. Statement level, so a bulk load sends one notification.
CREATE FUNCTION sm_notify_signup() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sparkmatch_signup', TG_TABLE_NAME);
    RETURN NULL;
END
$$;
CREATE TRIGGER mentees_notify AFTER INSERT OR UPDATE ON mentees
    FOR EACH STATEMENT EXECUTE FUNCTION sm_notify_signup();
CREATE TRIGGER mentors_notify AFTER INSERT OR UPDATE ON mentors
    FOR EACH STATEMENT EXECUTE FUNCTION sm_notify_signup();
