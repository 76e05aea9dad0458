-- The export service's schema. Times are RFC 3339 text for what the API shows, and unix
-- milliseconds (INTEGER) for what the scheduler compares.

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
    expires_at INTEGER NOT NULL
);

CREATE TABLE grants (
    connection_id TEXT PRIMARY KEY NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    key_id TEXT NOT NULL,
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL
);

-- One work item per (connection, group).
CREATE TABLE items (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    group_name TEXT NOT NULL,
    granted INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,              -- waiting, due, initiating, polling, downloading, done, refused, needs_consent, ended
    round INTEGER NOT NULL DEFAULT 0,  -- exports completed: the window the item works on
    range_start TEXT,                  -- the startTime asked for the current window (NULL: all)
    job_id TEXT,
    job_state TEXT,
    access_type TEXT,
    polls INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_export_time TEXT,
    last_export_at TEXT,
    next_allowed_at TEXT,
    due_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    PRIMARY KEY (connection_id, group_name)
);
CREATE INDEX items_due ON items (due_at) WHERE status IN ('due', 'initiating', 'polling', 'downloading');

-- Every Google job an item had, so a refusal naming a job is known to be ours.
CREATE TABLE jobs (
    job_id TEXT PRIMARY KEY NOT NULL,
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    group_name TEXT NOT NULL,
    round INTEGER NOT NULL
);
CREATE INDEX jobs_item ON jobs (connection_id, group_name);

CREATE TABLE archives (
    connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    group_name TEXT NOT NULL,
    round INTEGER NOT NULL,
    object_key TEXT NOT NULL,
    job_id TEXT NOT NULL,
    size INTEGER NOT NULL,
    crc32c TEXT NOT NULL,
    start_time TEXT,
    export_time TEXT,
    stored_at TEXT NOT NULL,
    PRIMARY KEY (connection_id, group_name, round, object_key)
);

CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    group_name TEXT,
    data TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE TABLE webhook_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    delivered INTEGER NOT NULL
);
