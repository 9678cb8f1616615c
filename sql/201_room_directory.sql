-- SPDX-License-Identifier: GPL-3.0-or-later
-- 201 the room directory: which Janus instance of the clinic hosts which room, so that any instance
-- can send a client to the right one, and which instances are alive (heartbeats). No PHI: room ids are
-- operator-chosen or random, class names are configuration; never a description, name or token.
-- Tables belong to janus_hipaa_owner (sql/owner.sql); the room plugin logs in as a member of
-- janus_room_state (scripts/db-login.sh) and gets exactly the statements of
-- plugins/room/directory/RoomDirectory.cpp. Idempotent.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'janus_room_state') THEN
        CREATE ROLE janus_room_state NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- created by another database's migration at the same moment (roles are cluster-wide)
END
$$;

-- One row per Janus instance that ever ran the room with cluster.conninfo; last_heartbeat is the
-- database's clock (no instance's clock is trusted to agree with another's).
CREATE TABLE IF NOT EXISTS public.room_instance (
    instance_id    text PRIMARY KEY CHECK (instance_id ~ '^[A-Za-z0-9_.-]{1,64}$'),
    public_url     text NOT NULL CHECK (length(public_url) BETWEEN 1 AND 1024),
    started        timestamptz NOT NULL DEFAULT now(),
    last_heartbeat timestamptz NOT NULL DEFAULT now()
);

-- One row per room hosted (a room id hosted again later, after it ended, is a new row). At most one
-- live (ended IS NULL) row per room id: the partial unique index is what refuses a second host.
CREATE TABLE IF NOT EXISTS public.room_directory (
    id          bigserial PRIMARY KEY,
    room_id     text NOT NULL CHECK (room_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    instance_id text NOT NULL CHECK (instance_id ~ '^[A-Za-z0-9_.-]{1,64}$'),
    public_url  text NOT NULL CHECK (length(public_url) BETWEEN 1 AND 1024),
    class       text NOT NULL CHECK (length(class) BETWEEN 1 AND 64),
    created     timestamptz NOT NULL DEFAULT now(),
    ended       timestamptz,
    end_reason  text CHECK (end_reason IN ('normal', 'destroyed', 'abnormal')),
    CHECK ((ended IS NULL) = (end_reason IS NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS room_directory_live ON public.room_directory (room_id) WHERE ended IS NULL;
CREATE INDEX IF NOT EXISTS room_directory_instance_live ON public.room_directory (instance_id) WHERE ended IS NULL;
CREATE INDEX IF NOT EXISTS room_directory_created ON public.room_directory (created DESC);

ALTER TABLE public.room_instance OWNER TO janus_hipaa_owner;
ALTER TABLE public.room_directory OWNER TO janus_hipaa_owner;

REVOKE ALL ON public.room_instance, public.room_directory FROM PUBLIC, janus_room_state;
REVOKE ALL ON SEQUENCE public.room_directory_id_seq FROM PUBLIC, janus_room_state;
-- Instances: registered at start, heartbeat every second; never deleted by the plugin.
GRANT SELECT, INSERT ON public.room_instance TO janus_room_state;
GRANT UPDATE (public_url, started, last_heartbeat) ON public.room_instance TO janus_room_state;
-- Rooms: registered, read, ended (never rewritten otherwise, never deleted by the plugin).
GRANT SELECT, INSERT ON public.room_directory TO janus_room_state;
GRANT UPDATE (ended, end_reason) ON public.room_directory TO janus_room_state;
GRANT USAGE ON SEQUENCE public.room_directory_id_seq TO janus_room_state;
