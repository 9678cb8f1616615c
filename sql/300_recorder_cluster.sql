-- SPDX-License-Identifier: GPL-3.0-or-later
-- 300 recorder leases: several Janus instances share one recordings folder (docs/recorder.md, "Shared
-- storage"). One row per recording that some instance is working on: `open` while its owner writes it,
-- `sweep` while a retention sweep deletes it, `op` while an Admin request changes it (delete, hold,
-- release, rewrap). One row per recording, so at most one of them at a time in the whole clinic; a row
-- whose expires_at has passed is void (its owner died) and the next taker overwrites it. No PHI: a
-- random recording id, an instance id and times. Idempotent.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'janus_recorder_state') THEN
        CREATE ROLE janus_recorder_state NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- created by another database's migration at the same moment (roles are cluster-wide)
END
$$;

CREATE TABLE IF NOT EXISTS public.recorder_lease (
    recording   text PRIMARY KEY CHECK (recording ~ '^[0-9a-f]{32}$'),
    owner       text NOT NULL CHECK (owner ~ '^[A-Za-z0-9_.-]{1,64}$'),
    kind        text NOT NULL CHECK (kind IN ('open', 'sweep', 'op')),
    acquired_at timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
-- A restarted instance drops the leases of its previous life by owner.
CREATE INDEX IF NOT EXISTS recorder_lease_owner ON public.recorder_lease (owner);

ALTER TABLE public.recorder_lease OWNER TO janus_hipaa_owner;
-- Exactly what plugins/recorder/cluster/RecordingLeases.cpp runs: take (INSERT ... ON CONFLICT DO
-- UPDATE of an expired row), renew, look up the holder, release (DELETE its own rows).
REVOKE ALL ON public.recorder_lease FROM PUBLIC, janus_recorder_state;
GRANT SELECT, INSERT, DELETE ON public.recorder_lease TO janus_recorder_state;
GRANT UPDATE (owner, kind, acquired_at, expires_at) ON public.recorder_lease TO janus_recorder_state;
