-- SPDX-License-Identifier: GPL-3.0-or-later
-- 200 room token state shared by every Janus instance of a clinic (docs/room.md, "Several instances"):
-- spent join token ids, revocations and subject lockouts. The room plugin logs in as a member of
-- janus_room_state, which may only call the functions below and read revocations: no table is
-- written directly, nothing is dropped, nothing but stale rows is deleted (by the functions).
-- Nothing here is PHI: subjects are keyed pseudonyms, the revoking actor a pseudonym, the reason a code.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'janus_room_state') THEN
        CREATE ROLE janus_room_state NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- another database's migration created it at the same moment (roles are cluster-wide)
END
$$;

-- A join token's (iss, jti), spent by its first join, kept until exp + skew (then no join accepts it
-- anyway) and pruned by the instances that insert.
CREATE TABLE IF NOT EXISTS public.room_spent_jti (
    iss         text        NOT NULL CHECK (length(iss) BETWEEN 1 AND 8192),
    jti         text        NOT NULL CHECK (length(jti) BETWEEN 1 AND 8192),
    forget_at   bigint      NOT NULL,  -- seconds since the epoch
    instance_id text        NOT NULL,
    PRIMARY KEY (iss, jti)
);
CREATE INDEX IF NOT EXISTS room_spent_jti_forget_at ON public.room_spent_jti (forget_at);

-- kind subject: target = the subject's keyed pseudonym (any issuer); jti: the token id; room: the room id.
CREATE TABLE IF NOT EXISTS public.room_revocation (
    id          bigserial   PRIMARY KEY,
    kind        text        NOT NULL CHECK (kind IN ('subject', 'jti', 'room')),
    target      text        NOT NULL CHECK (length(target) BETWEEN 1 AND 8192),
    until_s     bigint      NOT NULL,
    by_pseudonym text       NOT NULL CHECK (length(by_pseudonym) BETWEEN 1 AND 128),
    reason      text        NOT NULL CHECK (reason IN ('admin_request', 'credential_compromised', 'left_practice',
                                                       'patient_request', 'security_incident', 'other')),
    instance_id text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS room_revocation_target ON public.room_revocation (kind, target, until_s);

-- Every instance LISTENs: a revocation ends live sessions everywhere within a second.
CREATE OR REPLACE FUNCTION public.room_revocation_notify() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pg_notify('janus_room_revocation', NEW.id::text);
    RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER room_revocation_notify AFTER INSERT ON public.room_revocation
    FOR EACH ROW EXECUTE FUNCTION public.room_revocation_notify();

-- Wrong dates of birth of one subject (pseudonym) in one room within a fixed window from its first.
CREATE TABLE IF NOT EXISTS public.room_subject_lockout (
    room         text   NOT NULL CHECK (length(room) BETWEEN 1 AND 64),
    pseudonym    text   NOT NULL CHECK (length(pseudonym) BETWEEN 1 AND 128),
    window_start bigint NOT NULL,
    failures     int    NOT NULL,
    locked_until bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (room, pseudonym)
);

-- The join's one round trip: revoked (subject, jti or room), locked subject, else spends (iss, jti):
-- 'fresh' the first time, 'replayed' after. Runs as the owner (janus_room_state has no table rights);
-- pg_catalog first and pg_temp last in its search path, every name schema-qualified.
CREATE OR REPLACE FUNCTION public.room_join_check(p_iss text, p_jti text, p_forget_at bigint, p_subject text,
                                                  p_room text, p_pseudonym text, p_now bigint, p_instance text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM public.room_revocation
               WHERE until_s >= p_now AND ((kind = 'subject' AND target = p_subject)
                                           OR (kind = 'jti' AND target = p_jti)
                                           OR (kind = 'room' AND target = p_room))) THEN
        RETURN 'revoked';
    END IF;
    IF EXISTS (SELECT 1 FROM public.room_subject_lockout
               WHERE room = p_room AND pseudonym = p_pseudonym AND locked_until > p_now) THEN
        RETURN 'locked';
    END IF;
    -- A bounded prune now and then (about one join in 64), so no instance ever waits for a big one.
    IF random() < 0.016 THEN
        DELETE FROM public.room_spent_jti
        WHERE ctid IN (SELECT ctid FROM public.room_spent_jti WHERE forget_at < p_now LIMIT 500);
        DELETE FROM public.room_subject_lockout
        WHERE ctid IN (SELECT ctid FROM public.room_subject_lockout
                       WHERE locked_until <= p_now AND window_start < p_now - 86400 LIMIT 500);
    END IF;
    INSERT INTO public.room_spent_jti (iss, jti, forget_at, instance_id)
    VALUES (p_iss, p_jti, p_forget_at, p_instance)
    ON CONFLICT (iss, jti) DO UPDATE SET forget_at = EXCLUDED.forget_at, instance_id = EXCLUDED.instance_id
        WHERE public.room_spent_jti.forget_at < p_now;  -- a stale row not pruned yet is no replay
    IF FOUND THEN
        RETURN 'fresh';
    END IF;
    RETURN 'replayed';
END
$$;

-- The same questions as room_join_check without spending anything: an instance that does not host the
-- room checks a join before it names the instance that does (469), so neither a stranger learns where
-- a room lives nor does a spent token get a redirect instead of 'replayed'. Reads only.
CREATE OR REPLACE FUNCTION public.room_join_peek(p_iss text, p_jti text, p_subject text, p_room text,
                                                 p_pseudonym text, p_now bigint)
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM public.room_revocation
                     WHERE until_s >= p_now AND ((kind = 'subject' AND target = p_subject)
                                                 OR (kind = 'jti' AND target = p_jti)
                                                 OR (kind = 'room' AND target = p_room))) THEN 'revoked'
        WHEN EXISTS (SELECT 1 FROM public.room_subject_lockout
                     WHERE room = p_room AND pseudonym = p_pseudonym AND locked_until > p_now) THEN 'locked'
        WHEN EXISTS (SELECT 1 FROM public.room_spent_jti
                     WHERE iss = p_iss AND jti = p_jti AND forget_at >= p_now) THEN 'replayed'
        ELSE 'fresh'
    END;
$$;

-- A wrong date of birth: gives back the jti room_join_check spent (a mistyped date does not burn the
-- link), counts the failure; true when this failure starts a lockout.
CREATE OR REPLACE FUNCTION public.room_dob_failure(p_iss text, p_jti text, p_room text, p_pseudonym text,
                                                   p_max int, p_window bigint, p_lock bigint, p_now bigint)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n int;
BEGIN
    DELETE FROM public.room_spent_jti WHERE iss = p_iss AND jti = p_jti;
    IF p_max <= 0 THEN
        RETURN false;
    END IF;
    INSERT INTO public.room_subject_lockout AS l (room, pseudonym, window_start, failures)
    VALUES (p_room, p_pseudonym, p_now, 1)
    ON CONFLICT (room, pseudonym) DO UPDATE
        SET window_start = CASE WHEN l.window_start <= p_now - p_window THEN p_now ELSE l.window_start END,
            failures = CASE WHEN l.window_start <= p_now - p_window THEN 1 ELSE l.failures + 1 END
        WHERE l.locked_until <= p_now
    RETURNING failures INTO n;
    IF n IS NULL OR n < p_max THEN
        RETURN false;
    END IF;
    UPDATE public.room_subject_lockout SET locked_until = p_now + p_lock, failures = 0
    WHERE room = p_room AND pseudonym = p_pseudonym;
    RETURN true;
END
$$;

-- Admin `revoke`: the row (and so the NOTIFY); its id.
CREATE OR REPLACE FUNCTION public.room_revoke(p_kind text, p_target text, p_until bigint, p_by text, p_reason text,
                                              p_instance text)
RETURNS bigint
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO public.room_revocation (kind, target, until_s, by_pseudonym, reason, instance_id)
    VALUES (p_kind, p_target, p_until, p_by, p_reason, p_instance)
    RETURNING id;
$$;

-- Exactly what the room needs: the four functions, and reading revocations (after a missed NOTIFY).
REVOKE ALL ON public.room_spent_jti, public.room_revocation, public.room_subject_lockout FROM PUBLIC, janus_room_state;
GRANT SELECT ON public.room_revocation TO janus_room_state;
REVOKE ALL ON FUNCTION public.room_join_check(text, text, bigint, text, text, text, bigint, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION public.room_dob_failure(text, text, text, text, int, bigint, bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION public.room_join_peek(text, text, text, text, text, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION public.room_revoke(text, text, bigint, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION public.room_revocation_notify() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.room_join_check(text, text, bigint, text, text, text, bigint, text) TO janus_room_state;
GRANT EXECUTE ON FUNCTION public.room_dob_failure(text, text, text, text, int, bigint, bigint, bigint)
    TO janus_room_state;
GRANT EXECUTE ON FUNCTION public.room_revoke(text, text, bigint, text, text, text) TO janus_room_state;
GRANT EXECUTE ON FUNCTION public.room_join_peek(text, text, text, text, text, bigint) TO janus_room_state;
