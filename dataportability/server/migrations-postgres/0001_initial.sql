-- The export service's schema on PostgreSQL: the same tables, columns and meaning as the
-- SQLite migrations in ../migrations (keep the two in step). Times are RFC 3339 text for what the API shows, and unix
-- milliseconds (BIGINT) for what the scheduler compares.

CREATE TABLE connections (
    id TEXT PRIMARY KEY NOT NULL,
    user_ref TEXT NOT NULL,
    groups TEXT NOT NULL,              -- JSON array of the requested groups
    return_url TEXT,
    status TEXT NOT NULL,              -- pending_consent, active, needs_consent, ended
    access_type TEXT,
    grant_end TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE oauth_states (
    state_hash TEXT PRIMARY KEY NOT NULL, -- SHA-256 of the state: the state itself is not stored
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    code_verifier TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE grants (
    connection_id TEXT PRIMARY KEY NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    key_id TEXT NOT NULL,
    nonce BYTEA NOT NULL,
    ciphertext BYTEA NOT NULL
);

-- One work item per (connection, group).
CREATE TABLE items (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    group_name TEXT NOT NULL,
    granted BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,              -- waiting, due, initiating, polling, downloading, done, refused, needs_consent, ended
    round BIGINT NOT NULL DEFAULT 0,  -- exports completed: the window the item works on
    range_start TEXT,                  -- the startTime asked for the current window (NULL: all)
    job_id TEXT,
    job_state TEXT,
    access_type TEXT,
    polls BIGINT NOT NULL DEFAULT 0,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    last_export_time TEXT,
    last_export_at TEXT,
    next_allowed_at TEXT,
    due_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    PRIMARY KEY (connection_id, group_name)
);
CREATE INDEX items_due ON items (due_at) WHERE status IN ('due', 'initiating', 'polling', 'downloading');
CREATE INDEX items_lease_owner ON items (lease_owner) WHERE lease_owner IS NOT NULL;

-- Every Google job an item had, so a refusal naming a job is known to be ours.
CREATE TABLE jobs (
    job_id TEXT PRIMARY KEY NOT NULL,
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    group_name TEXT NOT NULL,
    round BIGINT NOT NULL
);

CREATE INDEX jobs_item ON jobs (connection_id, group_name);

CREATE TABLE archives (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    group_name TEXT NOT NULL,
    round BIGINT NOT NULL,
    object_key TEXT NOT NULL,
    job_id TEXT NOT NULL,
    size BIGINT NOT NULL,
    crc32c TEXT NOT NULL,
    start_time TEXT,
    export_time TEXT,
    stored_at TEXT NOT NULL,
    PRIMARY KEY (connection_id, group_name, round, object_key)
);

CREATE TABLE events (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    group_name TEXT,
    data TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE TABLE webhook_cursor (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    delivered BIGINT NOT NULL
);
