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
        // Sign-ups at the checkout, their consents (kept for the CRM sync) and the
        // SMS messages, whose delivery the outbox drives.
        {3, "sign-ups, consents and SMS",
         R"sql(
CREATE TABLE sms (
    id         INTEGER PRIMARY KEY,
    phone      TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    encoding   TEXT    NOT NULL,
    segments   INTEGER NOT NULL,
    state      TEXT    NOT NULL DEFAULT 'queued'
               CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'failed')),
    gateway_id TEXT,
    reason     TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sms_created ON sms (created_at);
CREATE TABLE signups (
    id          INTEGER PRIMARY KEY,
    phone       TEXT    NOT NULL,
    locale      TEXT    NOT NULL,
    store_id    TEXT    NOT NULL,
    register_id TEXT    NOT NULL,
    cashier_id  TEXT    NOT NULL,
    sms_id      INTEGER REFERENCES sms (id),
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX signups_phone ON signups (phone, created_at);
CREATE TABLE consents (
    id           INTEGER PRIMARY KEY,
    signup_id    INTEGER NOT NULL REFERENCES signups (id),
    purpose      TEXT    NOT NULL,
    granted      INTEGER NOT NULL,
    text_version TEXT    NOT NULL,
    text_shown   TEXT    NOT NULL,
    store_id     TEXT    NOT NULL,
    register_id  TEXT    NOT NULL,
    cashier_id   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    sync_state   TEXT    NOT NULL DEFAULT 'pending' CHECK (sync_state IN ('pending', 'synced'))
) STRICT;
)sql"},
        // Kiosk PINs: only a keyed hash of each code is kept.
        {4, "one-time codes",
         R"sql(
CREATE TABLE otp (
    id         INTEGER PRIMARY KEY,
    phone      TEXT    NOT NULL,
    code_hash  TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    state      TEXT    NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'verified', 'dead')),
    sms_id     INTEGER REFERENCES sms (id),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX otp_phone ON otp (phone, created_at);
-- An SMS holding a secret (a PIN) loses its text once it is sent or given up.
ALTER TABLE sms ADD COLUMN secret INTEGER NOT NULL DEFAULT 0;
)sql"},
        // Receipts as accepted (canonical JSON and its digest for idempotency); the
        // outbox row with topic 'receipt' carries each one to the CRM.
        {5, "receipts",
         R"sql(
CREATE TABLE receipts (
    id          INTEGER PRIMARY KEY,
    receipt_id  TEXT    NOT NULL UNIQUE,
    store_id    TEXT    NOT NULL,
    register_id TEXT    NOT NULL,
    digest      TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    outbox_id   INTEGER REFERENCES outbox (id)
) STRICT;
)sql"},
        // The member cache (down-synced from the CRM, asked when the CRM is not)
        // and the key that turns phone numbers and card tokens into keyed hashes, so
        // the cache holds no phone number in clear. member_ref ties a receipt to its
        // member's hash, for erasure.
        {6, "member cache and offers",
         R"sql(
INSERT INTO store_meta (key, value) VALUES ('pii_key', lower(hex(randomblob(32))));
CREATE TABLE members (
    member_id  TEXT    PRIMARY KEY,
    phone_hash TEXT,
    tier       TEXT    NOT NULL DEFAULT '',
    points     INTEGER NOT NULL DEFAULT 0,
    synced_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX members_phone ON members (phone_hash);
CREATE TABLE member_cards (
    card_hash TEXT PRIMARY KEY,
    member_id TEXT NOT NULL REFERENCES members (member_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX member_cards_member ON member_cards (member_id);
CREATE TABLE offers (
    offer_id   TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to   TEXT NOT NULL,
    tier       TEXT NOT NULL,
    synced_at  INTEGER NOT NULL
) STRICT;
CREATE TABLE sync_cursors (
    name      TEXT PRIMARY KEY,
    cursor    TEXT    NOT NULL,
    synced_at INTEGER NOT NULL
) STRICT;
ALTER TABLE receipts ADD COLUMN member_ref TEXT;
CREATE INDEX receipts_member ON receipts (member_ref) WHERE member_ref IS NOT NULL;
CREATE INDEX receipts_received ON receipts (received_at);
)sql"},
        // Sign-ups and their consents now go to the CRM through the outbox (topic
        // 'signup'); those taken before wait there too. The payload is the CRM's
        // idempotency key "{store_id}/signup/{id}" (signupSyncKey).
        {7, "sign-ups to the CRM",
         R"sql(
INSERT OR IGNORE INTO outbox (topic, idempotency_key, payload, next_attempt_at, created_at, updated_at)
SELECT 'signup', 'signup:' || s.id, CAST(c.store_id || '/signup/' || s.id AS BLOB), s.created_at,
       s.created_at, s.created_at
FROM signups s JOIN consents c ON c.signup_id = s.id
WHERE c.sync_state = 'pending' GROUP BY s.id;
)sql"},
        // Who asked for each SMS (the token's name): the per-register limit keys on
        // the token, not on a register id a client may make up, and is rebuilt from
        // these rows at start. Who created each sign-up, so a register reads only
        // its own; and the Idempotency-Key it sent, so a retry never signs up twice.
        {8, "requesting tokens and sign-up idempotency keys",
         R"sql(
ALTER TABLE sms ADD COLUMN requested_by TEXT NOT NULL DEFAULT '';
ALTER TABLE signups ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE signups ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX signups_idempotency ON signups (created_by, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
)sql"},
        // Erasure by phone number and the retention purge find their rows through
        // indexes, not by reading whole tables (100,000 receipts, 50,000 sign-ups).
        {9, "indexes for erasure and retention",
         R"sql(
CREATE INDEX sms_phone ON sms (phone);
CREATE INDEX signups_created ON signups (created_at);
CREATE INDEX otp_created ON otp (created_at);
CREATE INDEX consents_signup ON consents (signup_id);
-- Also the start-up count of the last hour's SMS, which asks each SMS for its
-- sign-up: without it, 50,000 SMS took minutes (quadratic).
CREATE INDEX signups_sms ON signups (sms_id) WHERE sms_id IS NOT NULL;
CREATE INDEX otp_sms ON otp (sms_id) WHERE sms_id IS NOT NULL;
CREATE INDEX members_synced ON members (synced_at);
)sql"},
        // A member's own offers (Voyado: promotions and vouchers), gone with
        // the member (erasure, retention) through the cascade.
        {10, "members' own offers",
         R"sql(
CREATE TABLE member_offers (
    member_id TEXT NOT NULL REFERENCES members (member_id) ON DELETE CASCADE,
    offer_id  TEXT NOT NULL,
    title     TEXT NOT NULL,
    valid_to  TEXT NOT NULL,
    PRIMARY KEY (member_id, offer_id)
) STRICT;
)sql"},
    };
    return all;
}

}  // namespace lojal
