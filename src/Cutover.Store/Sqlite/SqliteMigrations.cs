namespace Cutover.Store.Sqlite;

/// <summary>
/// The SQLite schema, as numbered migrations applied in order, each in its own transaction. Never
/// edit a shipped migration: add the next one. Table and column names follow the runbooks' SQL
/// (webhook_routing_config, webhook_routing_logs, …) so the queries operators know still read.
/// </summary>
internal static class SqliteMigrations
{
    /// <summary>Which migrations were applied, and when.</summary>
    public const string CreateTableSql = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version     INTEGER PRIMARY KEY,
            description TEXT NOT NULL,
            applied_at  TEXT NOT NULL
        );
        """;

    public static readonly (int Version, string Description, string Sql)[] All =
    [
        (1, "routing state, audit trail, decision log, secrets", """
            CREATE TABLE webhook_routing_config (
                id                 INTEGER PRIMARY KEY CHECK (id = 1),
                version            INTEGER NOT NULL,
                enabled            INTEGER NOT NULL,
                percentage         TEXT    NOT NULL,
                domains            TEXT    NOT NULL,
                domain_percentages TEXT    NOT NULL,
                updated_at         TEXT    NOT NULL
            );

            CREATE TABLE webhook_routing_overrides (
                user_key   TEXT PRIMARY KEY,
                route      TEXT,
                domain     TEXT,
                actor      TEXT NOT NULL,
                reason     TEXT NOT NULL,
                created_at TEXT NOT NULL
            );

            CREATE TABLE webhook_routing_audit (
                id     INTEGER PRIMARY KEY AUTOINCREMENT,
                at     TEXT NOT NULL,
                kind   TEXT NOT NULL,
                actor  TEXT NOT NULL,
                reason TEXT NOT NULL,
                before TEXT,
                after  TEXT
            );
            CREATE INDEX idx_routing_audit_at ON webhook_routing_audit (at);

            CREATE TABLE webhook_routing_logs (
                id               INTEGER PRIMARY KEY,
                created_at       INTEGER NOT NULL,
                correlation_id   TEXT    NOT NULL,
                message_id       TEXT,
                from_number      TEXT,
                kind             TEXT    NOT NULL,
                domain           TEXT    NOT NULL,
                rule             TEXT    NOT NULL,
                bucket           INTEGER,
                routed_to        TEXT    NOT NULL,
                webhook_name     TEXT    NOT NULL,
                handler          TEXT,
                status           TEXT    NOT NULL,
                status_code      INTEGER,
                response_time_ms REAL,
                error_message    TEXT,
                fallback         INTEGER NOT NULL
            );
            CREATE INDEX idx_routing_logs_created_at ON webhook_routing_logs (created_at);
            CREATE INDEX idx_routing_logs_from_number ON webhook_routing_logs (from_number);

            CREATE TABLE cutover_secrets (
                name  TEXT PRIMARY KEY,
                value BLOB NOT NULL
            );
            """),
        (2, "decision log without the index on hashed user keys", """
            -- Keyed hashes are random: every insert touched a different index page, 5-6 times the cost of the
            -- row itself. A user's decisions are still found through the created_at index within a window.
            DROP INDEX IF EXISTS idx_routing_logs_from_number;
            """),
        (3, "per-minute and per-hour rollups of the decision log", """
            -- Written in the same transaction as the decisions they count, so stats and the raw log agree.
            -- Hour rows duplicate minute rows so that a week's stats read ~170 periods, not ~10,000.
            CREATE TABLE webhook_routing_rollups (
                resolution     INTEGER NOT NULL,  -- seconds: 60 or 3600
                period_start   INTEGER NOT NULL,  -- Unix ms, a multiple of the resolution
                domain         TEXT    NOT NULL,
                routed_to      TEXT    NOT NULL,
                handler        TEXT    NOT NULL,  -- '' when the upstream named none
                request_count  INTEGER NOT NULL,
                error_count    INTEGER NOT NULL,
                fallback_count INTEGER NOT NULL,
                latency_sum_ms REAL    NOT NULL,
                last_request   INTEGER NOT NULL,  -- Unix ms
                latency        BLOB    NOT NULL,  -- a LatencySketch: mergeable, 1% relative error
                PRIMARY KEY (resolution, period_start, domain, routed_to, handler)
            ) WITHOUT ROWID;
            """),
        (4, "rollout state and rollbacks", """
            CREATE TABLE cutover_rollout (
                id              INTEGER PRIMARY KEY CHECK (id = 1),
                version         INTEGER NOT NULL,
                status          TEXT    NOT NULL,
                step            INTEGER NOT NULL,
                percent         TEXT    NOT NULL,
                domain          TEXT,
                started_at      TEXT,
                step_started_at TEXT,
                paused          INTEGER NOT NULL,
                note            TEXT,
                updated_at      TEXT    NOT NULL
            );

            -- The runbooks' table: every rollback, by the controller or by hand, with the metrics behind it.
            CREATE TABLE migration_rollbacks (
                id             INTEGER PRIMARY KEY AUTOINCREMENT,
                created_at     TEXT NOT NULL,
                phase          TEXT NOT NULL,
                domain         TEXT,
                from_percent   TEXT NOT NULL,
                to_percent     TEXT NOT NULL,
                reason         TEXT NOT NULL,
                rolled_back_by TEXT NOT NULL,
                metrics        TEXT NOT NULL
            );
            """),
        (5, "baselines", """
            -- The runbooks' "record these BEFORE migration": legacy per domain over a window, as JSON.
            CREATE TABLE cutover_baselines (
                id             INTEGER PRIMARY KEY AUTOINCREMENT,
                captured_at    TEXT    NOT NULL,
                window_seconds INTEGER NOT NULL,
                actor          TEXT    NOT NULL,
                reason         TEXT    NOT NULL,
                domains        TEXT    NOT NULL,
                total          TEXT    NOT NULL
            );
            """),
        (6, "shared conversation memory and the last health verdict", """
            -- Each user's latest domain, written behind by every instance on this file and read by the others.
            -- seq rises with every write, so a reader asks only for what is new since it last looked.
            CREATE TABLE cutover_conversations (
                user_key TEXT PRIMARY KEY,
                domain   TEXT    NOT NULL,
                seen_at  INTEGER NOT NULL,  -- Unix ms
                instance TEXT    NOT NULL,
                seq      INTEGER NOT NULL
            );
            CREATE INDEX idx_conversations_seq ON cutover_conversations (seq);
            CREATE INDEX idx_conversations_seen_at ON cutover_conversations (seen_at);

            CREATE TABLE cutover_health (
                id           INTEGER PRIMARY KEY CHECK (id = 1),
                instance     TEXT NOT NULL,
                evaluated_at TEXT NOT NULL,
                state        TEXT NOT NULL,
                checks       TEXT NOT NULL  -- JSON: [{check_name, status, value, threshold, message}]
            );
            """),
        (7, "identities across phone numbers and BSUIDs, and where each person's last inbound message went", """
            -- Each identifier of a person (phone number, BSUID, parent BSUID), protected as user keys are, with the
            -- person's first identifier and bucket: a person keeps one bucket whatever identifier a message carries.
            -- An identifier written again takes the new person and a new seq, as conversations do.
            CREATE TABLE cutover_identities (
                identifier TEXT PRIMARY KEY,
                person     TEXT    NOT NULL,
                bucket     INTEGER NOT NULL,
                first_seen INTEGER NOT NULL,  -- Unix ms
                instance   TEXT    NOT NULL,
                seq        INTEGER NOT NULL
            );
            CREATE INDEX idx_identities_seq ON cutover_identities (seq);
            CREATE INDEX idx_identities_person ON cutover_identities (person);

            -- Where the user's last inbound message went, so the statuses of the reply follow it on every instance.
            -- Kept newer-wins on its own time, apart from domain/seen_at: all four are null until one is known.
            ALTER TABLE cutover_conversations ADD COLUMN inbound_domain TEXT;
            ALTER TABLE cutover_conversations ADD COLUMN inbound_route TEXT;  -- unified or legacy
            ALTER TABLE cutover_conversations ADD COLUMN inbound_upstream TEXT;
            ALTER TABLE cutover_conversations ADD COLUMN inbound_at INTEGER;  -- Unix ms
            """),
        (8, "queued delivery: inbox, deliveries and their attempts, deduplication", """
            -- Delivery:Mode = queued. Each signed webhook as it came, stored before Meta is answered: the body once,
            -- however many updates it holds, kept until no delivery refers to it.
            CREATE TABLE cutover_inbox (
                id             INTEGER PRIMARY KEY AUTOINCREMENT,
                received_at    INTEGER NOT NULL,  -- Unix ms
                correlation_id TEXT    NOT NULL,
                body           BLOB    NOT NULL,
                signature      TEXT,
                update_count   INTEGER NOT NULL,  -- updates in the body (0 when it could not be parsed)
                parse_error    TEXT
            );
            CREATE INDEX idx_inbox_received_at ON cutover_inbox (received_at);

            -- One row per update to deliver; ids are the acceptance order (AUTOINCREMENT: never reused after a purge,
            -- since operators name dead letters by them). A dead letter is a row in state 'dead'.
            CREATE TABLE cutover_deliveries (
                id              INTEGER PRIMARY KEY AUTOINCREMENT,
                inbox_id        INTEGER NOT NULL,
                update_index    INTEGER NOT NULL,  -- -1: the whole body (unparseable)
                person_key      TEXT,              -- protected; null: no ordering
                state           TEXT    NOT NULL CHECK (state IN ('pending', 'inflight', 'delivered', 'dead')),
                accepted_at     INTEGER NOT NULL,  -- Unix ms
                next_attempt_at INTEGER NOT NULL,  -- Unix ms
                attempts        INTEGER NOT NULL,
                lease_owner     TEXT,
                lease_until     INTEGER,           -- Unix ms
                target          TEXT,              -- a replay's forced target
                finished_at     INTEGER,           -- Unix ms: delivered or dead-lettered
                reason          TEXT,
                error           TEXT,
                last_upstream   TEXT,
                domain          TEXT,
                route           TEXT
            );
            -- What a claim reads: the open rows in id order, and each person's open rows.
            CREATE INDEX idx_deliveries_open ON cutover_deliveries (id) WHERE state IN ('pending', 'inflight');
            CREATE INDEX idx_deliveries_person ON cutover_deliveries (person_key, id, state) WHERE state IN ('pending', 'inflight');
            -- Dead letters newest first, and the purges.
            CREATE INDEX idx_deliveries_dead ON cutover_deliveries (finished_at) WHERE state = 'dead';
            CREATE INDEX idx_deliveries_delivered ON cutover_deliveries (finished_at) WHERE state = 'delivered';
            CREATE INDEX idx_deliveries_inbox ON cutover_deliveries (inbox_id);

            -- Every attempt, kept through replays; deleted with its delivery (foreign keys are off on these connections).
            CREATE TABLE cutover_delivery_attempts (
                id          INTEGER PRIMARY KEY,
                delivery_id INTEGER NOT NULL,
                number      INTEGER NOT NULL,
                at          INTEGER NOT NULL,  -- Unix ms
                upstream    TEXT    NOT NULL,
                route       TEXT    NOT NULL,
                status_code INTEGER NOT NULL,  -- 0: no answer
                error       TEXT,
                latency_ms  REAL    NOT NULL
            );
            CREATE INDEX idx_delivery_attempts_delivery ON cutover_delivery_attempts (delivery_id);
            CREATE TRIGGER cutover_deliveries_attempts_go_too AFTER DELETE ON cutover_deliveries
            BEGIN
                DELETE FROM cutover_delivery_attempts WHERE delivery_id = old.id;
            END;

            -- Updates already accepted (message id, or status id + status; protected), for Meta's days of retries.
            CREATE TABLE cutover_dedup (
                key         TEXT    PRIMARY KEY,
                accepted_at INTEGER NOT NULL  -- Unix ms
            ) WITHOUT ROWID;
            CREATE INDEX idx_dedup_accepted_at ON cutover_dedup (accepted_at);
            """),
    ];
}
