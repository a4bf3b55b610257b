-- 003_runs.sql - matching runs, their proposals, the delivery outbox,
-- sign-up idempotency keys, admin tokens and the audit log.

CREATE TABLE runs (
    id           bigserial PRIMARY KEY,
    mode         text NOT NULL CHECK (mode IN ('optimal', 'stable')),
    trigger      text NOT NULL CHECK (trigger IN ('cli', 'api', 'schedule', 'arrival', 'notify')),
    requested_by text NOT NULL DEFAULT '',
    dry_run      boolean NOT NULL DEFAULT false,
    status       text NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz,
    parameters   jsonb NOT NULL DEFAULT '{}',
    stats        jsonb NOT NULL DEFAULT '{}',
    outcome      text NOT NULL DEFAULT '',
    CHECK (finished_at IS NULL OR started_at IS NOT NULL),
    CHECK ((status IN ('succeeded', 'failed')) = (finished_at IS NOT NULL))
);
-- At most one run queued or running, across every daemon and CLI on this
-- database: claiming is INSERT ... ON CONFLICT DO NOTHING against this index.
CREATE UNIQUE INDEX runs_one_active ON runs ((true)) WHERE status IN ('queued', 'running');
CREATE INDEX runs_created_idx ON runs (created_at DESC);

CREATE FUNCTION sm_notify_run() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sparkmatch_run', NEW.id::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER runs_notify AFTER INSERT ON runs
    FOR EACH ROW WHEN (NEW.status = 'queued') EXECUTE FUNCTION sm_notify_run();

CREATE TABLE proposals (
    id                  bigserial PRIMARY KEY,
    run_id              bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    mentee_id           bigint NOT NULL REFERENCES mentees (id) ON DELETE CASCADE,
    mentor_id           bigint NOT NULL REFERENCES mentors (id) ON DELETE CASCADE,
    score               integer NOT NULL CHECK (score >= 0),
    -- Why: per-skill contributions, bonus and penalties, as computed by the scorer.
    explanation         jsonb NOT NULL,
    status              text NOT NULL DEFAULT 'pending-review'
                        CHECK (status IN ('pending-review', 'approved', 'sent', 'accepted',
                                          'declined', 'expired', 'rejected')),
    -- Each side answers by an unguessable link; only the SHA-256 of its token is kept.
    mentee_token_sha256 bytea UNIQUE CHECK (length(mentee_token_sha256) = 32),
    mentor_token_sha256 bytea UNIQUE CHECK (length(mentor_token_sha256) = 32),
    mentee_response     text CHECK (mentee_response IN ('accepted', 'declined')),
    mentor_response     text CHECK (mentor_response IN ('accepted', 'declined')),
    decided_by          text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    expires_at          timestamptz,
    UNIQUE (run_id, mentee_id)
);
-- A mentee has at most one live proposal or match at a time.
CREATE UNIQUE INDEX proposals_one_live_per_mentee ON proposals (mentee_id)
    WHERE status IN ('pending-review', 'approved', 'sent', 'accepted');
CREATE INDEX proposals_mentor_live_idx ON proposals (mentor_id)
    WHERE status IN ('pending-review', 'approved', 'sent', 'accepted');
CREATE INDEX proposals_status_idx ON proposals (status);
CREATE INDEX proposals_pair_idx ON proposals (mentee_id, mentor_id);

-- The proposal life cycle:
--   pending-review -> approved | rejected | expired
--   approved       -> sent | rejected | expired
--   sent           -> accepted | declined | expired
-- Everything else is refused, so no code path can skip a step.
CREATE FUNCTION sm_check_proposal_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = OLD.status THEN
        RETURN NEW;
    END IF;
    IF (OLD.status, NEW.status) IN (
        ('pending-review', 'approved'), ('pending-review', 'rejected'), ('pending-review', 'expired'),
        ('approved', 'sent'), ('approved', 'rejected'), ('approved', 'expired'),
        ('sent', 'accepted'), ('sent', 'declined'), ('sent', 'expired')) THEN
        NEW.updated_at := now();
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '55000',
        MESSAGE = format('proposal %s cannot go from %s to %s', OLD.id, OLD.status, NEW.status),
        DETAIL = 'status';
END
$$;
CREATE TRIGGER proposals_transition BEFORE UPDATE OF status ON proposals
    FOR EACH ROW EXECUTE FUNCTION sm_check_proposal_transition();

-- Messages to deliver, written in the same transaction as what they announce.
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    proposal_id     bigint REFERENCES proposals (id) ON DELETE CASCADE,
    channel         text NOT NULL CHECK (channel IN ('webhook', 'email')),
    recipient_role  text NOT NULL CHECK (recipient_role IN ('mentee', 'mentor')),
    recipient       text NOT NULL CHECK (length(recipient) BETWEEN 1 AND 2048),
    subject         text NOT NULL DEFAULT '',
    body            text NOT NULL,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    UNIQUE (proposal_id, channel, recipient_role)
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'pending';

-- Sign-up webhook ids already processed, kept with the answer given, so a
-- retried delivery is answered the same way and creates nothing new.
CREATE TABLE signup_keys (
    webhook_id  text PRIMARY KEY CHECK (length(webhook_id) BETWEEN 1 AND 255),
    body_sha256 bytea NOT NULL CHECK (length(body_sha256) = 32),
    result      jsonb NOT NULL DEFAULT '{}',
    received_at timestamptz NOT NULL DEFAULT now()
);

-- Admin bearer tokens; only their SHA-256 is stored.
CREATE TABLE api_tokens (
    id           bigserial PRIMARY KEY,
    name         text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    token_sha256 bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    action      text NOT NULL,
    target_type text NOT NULL DEFAULT '',
    target_id   bigint,
    details     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
