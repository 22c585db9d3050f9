import GRDB

/// The store's schema history. A migration is never edited once it has shipped; add a new one instead.
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1 captures") { db in
            try db.execute(
                sql: """
                    CREATE TABLE capture (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        received_at INTEGER NOT NULL,          -- microseconds since the Unix epoch, UTC
                        remote_address TEXT NOT NULL,
                        method TEXT NOT NULL,
                        target TEXT NOT NULL,                  -- request-target exactly as sent
                        path TEXT NOT NULL,
                        http_version TEXT NOT NULL,
                        headers TEXT NOT NULL,                 -- JSON [[name, value], ...] in received order
                        raw_head BLOB NOT NULL,                -- request line and header block as received
                        body BLOB,                             -- decoded body, when kept in the row
                        body_file TEXT,                        -- else a file in the bodies directory
                        body_size INTEGER NOT NULL,
                        body_sha256 TEXT NOT NULL,
                        raw_body BLOB,                         -- original framing, when it differs (chunked)
                        raw_body_file TEXT,
                        raw_body_size INTEGER,
                        malformed INTEGER NOT NULL DEFAULT 0,
                        problem TEXT,
                        announced_body_size INTEGER,
                        response_status INTEGER NOT NULL,
                        signature_scheme TEXT,
                        signature_status TEXT,
                        signature TEXT                         -- JSON verdict
                    );
                    CREATE INDEX capture_received_at ON capture(received_at);
                    CREATE TABLE delivery (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        capture_id INTEGER NOT NULL REFERENCES capture(id) ON DELETE CASCADE,
                        to_url TEXT NOT NULL,
                        at INTEGER NOT NULL,
                        status INTEGER,
                        duration_ms REAL NOT NULL,
                        error TEXT,
                        resigned INTEGER NOT NULL DEFAULT 0,
                        detail TEXT                            -- JSON: request as sent, response, timings
                    );
                    CREATE INDEX delivery_capture ON delivery(capture_id);
                    """)
        }
        migrator.registerMigration("v2 forward queue") { db in
            try db.execute(
                sql: """
                    CREATE TABLE forward_queue (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        capture_id INTEGER NOT NULL REFERENCES capture(id) ON DELETE CASCADE,
                        to_url TEXT NOT NULL,
                        state TEXT NOT NULL DEFAULT 'pending', -- pending, delivered, rejected, abandoned
                        attempts INTEGER NOT NULL DEFAULT 0,
                        enqueued_at INTEGER NOT NULL,          -- microseconds since the Unix epoch, UTC
                        next_attempt_at INTEGER NOT NULL,
                        last_error TEXT,
                        UNIQUE (capture_id, to_url)
                    );
                    CREATE INDEX forward_queue_due ON forward_queue(to_url, state, next_attempt_at);
                    """)
        }
        migrator.registerMigration("v3 relay") { db in
            try db.execute(
                sql: """
                    CREATE TABLE relay_position (
                        remote TEXT PRIMARY KEY,               -- the inspector URL `pull --from` follows
                        last_remote_id INTEGER NOT NULL,       -- the last remote capture id imported (or skipped)
                        updated_at INTEGER NOT NULL
                    );
                    CREATE TABLE relay_import (
                        remote TEXT NOT NULL,
                        remote_id INTEGER NOT NULL,
                        capture_id INTEGER REFERENCES capture(id) ON DELETE SET NULL,
                        imported_at INTEGER NOT NULL,
                        PRIMARY KEY (remote, remote_id)
                    );
                    CREATE INDEX relay_import_capture ON relay_import(capture_id);
                    """)
        }
        migrator.registerMigration("v4 abbreviated expected signatures") { db in
            // The expected signature is an HMAC under the configured secret of a body the sender chose: keep only
            // its first 8 characters, as captures are stored from now on (`SignatureVerdict.jsonText`).
            try db.execute(
                sql: """
                    UPDATE capture
                    SET signature = json_set(signature, '$.expected',
                        substr(json_extract(signature, '$.expected'), 1, 8) || '…')
                    WHERE signature IS NOT NULL
                        AND length(json_extract(signature, '$.expected')) > 8
                        AND json_extract(signature, '$.expected') NOT LIKE '%…'
                    """)
        }
        migrator.registerMigration("v5 response rules") { db in
            try db.execute(
                sql: """
                    ALTER TABLE capture ADD COLUMN answered_by TEXT;  -- challenge, rule, forward, configured, refusal
                    ALTER TABLE capture ADD COLUMN rule TEXT;         -- the rule's name when answered_by = 'rule'
                    CREATE TABLE rule_counter (
                        seq INTEGER PRIMARY KEY,               -- creation order: the oldest beyond the cap go
                        key TEXT NOT NULL UNIQUE,              -- rule name, LF, rendered fail_key (or sha256:…)
                        count INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL            -- microseconds since the Unix epoch, UTC
                    );
                    """)
        }
        return migrator
    }
}
