#include "outbox/Outbox.h"

#include <algorithm>

#include "core/Time.h"

namespace lojal {

Result<int64_t> enqueueOutbox(Transaction& tx, const std::string& topic, const std::string& key,
                              const std::string& payload, int64_t nowMs) {
    auto insert = tx.prepare(
        "INSERT INTO outbox (topic, idempotency_key, payload, next_attempt_at, created_at, "
        "updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?4, ?4) ON CONFLICT (topic, idempotency_key) DO NOTHING");
    insert.bind(1, topic).bind(2, key).bindBlob(3, payload).bind(4, nowMs);
    if (auto done = insert.execute(); !done) return done.error();
    auto select = tx.prepare("SELECT id FROM outbox WHERE topic = ?1 AND idempotency_key = ?2");
    select.bind(1, topic).bind(2, key);
    if (!select.step()) return Error{ErrorCode::io, "outbox row vanished: " + select.error()};
    return select.columnInt(0);
}

int64_t backoffDelayMs(int attempts, int64_t baseMs, int64_t capMs, std::mt19937_64& random) {
    const int shift = std::clamp(attempts - 1, 0, 30);
    const int64_t ceiling = std::min(capMs, baseMs << shift);
    return std::uniform_int_distribution<int64_t>(0, std::max<int64_t>(ceiling, 0))(random);
}

const std::vector<std::string>& outboxTopics() {
    static const std::vector<std::string> topics = {"receipt", "signup", "sms", "erasure", "alert"};
    return topics;
}

const std::vector<std::string>& retryableTopics() {
    static const std::vector<std::string> topics = {"receipt", "signup", "alert", "erasure"};
    return topics;
}

bool isRetryableTopic(const std::string& topic) {
    const auto& topics = retryableTopics();
    return std::find(topics.begin(), topics.end(), topic) != topics.end();
}

namespace {

constexpr const char* kRowColumns =
    "SELECT id, topic, idempotency_key, state, attempts, coalesce(last_error, ''), created_at, "
    "updated_at FROM outbox ";

OutboxRow rowFrom(Statement& select) {
    return OutboxRow{select.columnInt(0),
                     select.columnText(1),
                     select.columnText(2),
                     select.columnText(3),
                     static_cast<int>(select.columnInt(4)),
                     select.columnText(5),
                     select.columnInt(6),
                     select.columnInt(7)};
}

}  // namespace

Result<std::vector<OutboxRow>> Outbox::list(const std::string& state, const std::string& topic,
                                            int limit) {
    std::vector<OutboxRow> rows;
    auto status = database_.read([&](Transaction& tx) -> Status {
        auto select = tx.prepare(std::string(kRowColumns) +
                                 "WHERE (?1 = '' OR state = ?1) AND (?2 = '' OR topic = ?2) "
                                 "ORDER BY id DESC LIMIT ?3");
        select.bind(1, state).bind(2, topic).bind(3, static_cast<int64_t>(limit));
        while (select.step()) rows.push_back(rowFrom(select));
        if (!select.error().empty()) return Error{ErrorCode::io, select.error()};
        return okStatus();
    });
    if (!status) return status.error();
    return rows;
}

Result<std::optional<OutboxRow>> Outbox::find(int64_t id) {
    std::optional<OutboxRow> row;
    auto status = database_.read([&](Transaction& tx) -> Status {
        auto select = tx.prepare(std::string(kRowColumns) + "WHERE id = ?1");
        select.bind(1, id);
        if (select.step()) row = rowFrom(select);
        return okStatus();
    });
    if (!status) return status.error();
    return row;
}

Result<int> Outbox::requeueDead(int64_t id, const std::string& topic, int64_t nowMs) {
    int requeued = 0;
    auto status = database_.write([&](Transaction& tx) -> Status {
        requeued = 0;
        for (const std::string& retryable : retryableTopics()) {
            if (!topic.empty() && topic != retryable) continue;
            auto update = tx.prepare(
                "UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = ?3, "
                "updated_at = ?3 WHERE state = 'dead' AND (?1 = 0 OR id = ?1) AND topic = ?2");
            update.bind(1, id).bind(2, retryable).bind(3, nowMs);
            if (auto done = update.execute(); !done) return done;
            requeued += tx.changes();
        }
        return okStatus();
    });
    if (!status) return status.error();
    return requeued;
}

Result<std::map<std::string, Outbox::TopicStats>> Outbox::stats() {
    std::map<std::string, TopicStats> byTopic;
    auto status = database_.read([&](Transaction& tx) -> Status {
        // Per topic and state, so each count is a range of the outbox_due index:
        // the done rows (a month of receipts) are never read.
        for (const std::string& topic : outboxTopics()) {
            TopicStats stats;
            for (const char* state : {"queued", "sending", "dead"}) {
                auto select = tx.prepare(
                    "SELECT count(*), coalesce(min(created_at), 0) FROM outbox WHERE topic = ?1 "
                    "AND state = ?2");
                select.bind(1, topic).bind(2, state);
                if (!select.step()) return Error{ErrorCode::io, select.error()};
                const int64_t count = select.columnInt(0);
                const int64_t oldest = select.columnInt(1);
                if (std::string(state) == "dead") {
                    stats.dead = count;
                    continue;
                }
                stats.backlog += count;
                if (count > 0 && (stats.oldestBacklogMs == 0 || oldest < stats.oldestBacklogMs))
                    stats.oldestBacklogMs = oldest;
            }
            if (stats.backlog > 0 || stats.dead > 0) byTopic[topic] = stats;
        }
        return okStatus();
    });
    if (!status) return status.error();
    return byTopic;
}

Result<int> Outbox::recoverInFlight(const std::string& topic) {
    int recovered = 0;
    auto status = database_.write([&](Transaction& tx) -> Status {
        auto update =
            tx.prepare("UPDATE outbox SET state = 'queued' WHERE state = 'sending' AND topic = ?1");
        update.bind(1, topic);
        if (auto done = update.execute(); !done) return done;
        recovered = tx.changes();
        return okStatus();
    });
    if (!status) return status.error();
    return recovered;
}

Result<std::vector<OutboxItem>> Outbox::claimDue(const std::string& topic, int64_t nowMs,
                                                 int limit) {
    std::vector<OutboxItem> items;
    // A look first, in a read: an idle topic takes no write transaction every few
    // seconds, and an empty claim never passes for a write that succeeded (it
    // would tell /v1/health the disk takes writes again while it is full).
    bool anyDue = false;
    auto looked = database_.read([&](Transaction& tx) -> Status {
        auto select = tx.prepare(
            "SELECT 1 FROM outbox WHERE topic = ?1 AND state IN ('queued', 'sending') AND "
            "next_attempt_at <= ?2 LIMIT 1");
        select.bind(1, topic).bind(2, nowMs);
        anyDue = select.step();
        return okStatus();
    });
    if (!looked) return looked.error();
    if (!anyDue) return items;
    auto status = database_.write([&](Transaction& tx) -> Status {
        items.clear();
        auto select = tx.prepare(
            "SELECT id, idempotency_key, payload, attempts FROM outbox WHERE topic = ?1 AND state "
            "IN ('queued', 'sending') "
            "AND next_attempt_at <= ?2 ORDER BY next_attempt_at, id LIMIT ?3");
        select.bind(1, topic).bind(2, nowMs).bind(3, static_cast<int64_t>(limit));
        while (select.step()) {
            items.push_back(OutboxItem{select.columnInt(0), topic, select.columnText(1),
                                       select.columnText(2),
                                       static_cast<int>(select.columnInt(3)) + 1});
        }
        if (!select.error().empty()) return Error{ErrorCode::io, select.error()};
        for (const OutboxItem& item : items) {
            auto claim = tx.prepare(
                "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?2 "
                "WHERE id = ?1");
            claim.bind(1, item.id).bind(2, nowMs);
            if (auto done = claim.execute(); !done) return done;
        }
        return okStatus();
    });
    if (!status) return status.error();
    return items;
}

namespace {

Status settleRow(Transaction& tx, const Outbox::Settlement& row) {
    auto update = tx.prepare(
        "UPDATE outbox SET state = ?2, next_attempt_at = ?3, last_error = ?4, updated_at = ?5 "
        "WHERE id = ?1");
    update.bind(1, row.id)
        .bind(2, row.state)
        .bind(3, row.nextAttemptMs)
        .bind(4, row.error)
        .bind(5, unixMillisNow());
    return update.execute();
}

}  // namespace

Status Outbox::finish(int64_t id, const std::string& state, int64_t nextAttemptMs,
                      const std::string& error, const Extra& extra) {
    return database_.write([&](Transaction& tx) -> Status {
        if (auto done = settleRow(tx, {id, state, nextAttemptMs, error}); !done) return done;
        return extra ? extra(tx) : okStatus();
    });
}

Status Outbox::settle(const std::vector<Settlement>& settlements, const Extra& extra) {
    return database_.write([&](Transaction& tx) -> Status {
        for (const Settlement& row : settlements) {
            if (auto done = settleRow(tx, row); !done) return done;
        }
        return extra ? extra(tx) : okStatus();
    });
}

Status Outbox::complete(int64_t id, const Extra& extra) {
    return finish(id, "done", unixMillisNow(), "", extra);
}

Status Outbox::retryLater(int64_t id, int64_t nextAttemptMs, const std::string& error,
                          const Extra& extra) {
    return finish(id, "queued", nextAttemptMs, error, extra);
}

Status Outbox::deadLetter(int64_t id, const std::string& error, const Extra& extra) {
    return finish(id, "dead", unixMillisNow(), error, extra);
}

Result<std::optional<int64_t>> Outbox::nextDueMs(const std::string& topic) {
    std::optional<int64_t> next;
    auto status = database_.read([&](Transaction& tx) -> Status {
        auto select = tx.prepare(
            "SELECT min(next_attempt_at) FROM outbox WHERE topic = ?1 AND state = 'queued'");
        select.bind(1, topic);
        if (select.step() && !select.columnText(0).empty()) next = select.columnInt(0);
        return okStatus();
    });
    if (!status) return status.error();
    return next;
}

}  // namespace lojal
