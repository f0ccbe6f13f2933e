#include "store/Migrations.h"

namespace lojal {

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> all = {
        {1, "store metadata",
         R"sql(
CREATE TABLE store_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
INSERT INTO store_meta (key, value) VALUES ('created_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
)sql"},
        // One durable outbox for everything that must leave the store (SMS, receipts,
        // sign-ups, consents): workers drain it per topic with one retry policy.
        {2, "durable outbox",
         R"sql(
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    topic           TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL,
    payload         BLOB    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'sending', 'done', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (topic, idempotency_key)
) STRICT;
CREATE INDEX outbox_due ON outbox (topic, state, next_attempt_at);
)sql"},
    };
    return all;
}

}  // namespace lojal
