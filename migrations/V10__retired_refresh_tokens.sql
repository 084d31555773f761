-- Refresh tokens a session has already swapped for new ones, stored only as their SHA-256. One
-- that comes back after a short grace (a second browser tab refreshing at the same moment) was
-- copied: the session it belonged to ends.
CREATE TABLE retired_refresh_tokens (
    refresh_hash  BLOB PRIMARY KEY,
    session_id    INTEGER NOT NULL REFERENCES sessions(id),
    retired_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX retired_refresh_tokens_at ON retired_refresh_tokens(retired_at);
