#include "receipts/ReceiptService.h"

#include <Poco/JSON/Parser.h>

#include <Poco/JSON/Array.h>

#include <sstream>

#include "barcode/MemberToken.h"
#include "config/Config.h"
#include "core/Time.h"
#include "outbox/Outbox.h"
#include "receipts/ReceiptValidation.h"

namespace lojal {

std::variant<ReceiptAccepted, ReceiptRefusal> ReceiptService::ingest(
    const Poco::JSON::Object& receipt) {
    ReceiptSummary summary;
    if (auto fault = validateReceipt(receipt, summary)) {
        return ReceiptRefusal{Refusal{400, fault->code, fault->message}, fault->path};
    }
    // Keys come out sorted: the same receipt always gives the same text and digest.
    std::ostringstream canonical;
    receipt.stringify(canonical);
    const std::string body = canonical.str();
    const std::string digest = sha256Hex(body);
    const int64_t now = unixMillisNow();
    const std::string ref = memberRef(summary);

    ReceiptAccepted accepted{summary.receiptId, false};
    bool conflict = false;
    auto written = database_.write([&](Transaction& tx) -> Status {
        auto existing = tx.prepare("SELECT digest FROM receipts WHERE receipt_id = ?1");
        existing.bind(1, summary.receiptId);
        if (existing.step()) {
            accepted.duplicate = existing.columnText(0) == digest;
            conflict = !accepted.duplicate;
            return okStatus();
        }
        auto outboxId = enqueueOutbox(tx, "receipt", summary.receiptId, summary.receiptId, now);
        if (!outboxId) return outboxId.error();
        auto insert = tx.prepare(
            "INSERT INTO receipts (receipt_id, store_id, register_id, digest, body, received_at, "
            "outbox_id, member_ref) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        insert.bind(1, summary.receiptId)
            .bind(2, summary.storeId)
            .bind(3, summary.registerId)
            .bind(4, digest)
            .bind(5, body)
            .bind(6, now)
            .bind(7, *outboxId);
        if (!ref.empty()) insert.bind(8, ref);
        insert.step();
        if (!insert.error().empty())
            return Error{ErrorCode::io, "insert receipt: " + insert.error()};
        return okStatus();
    });
    if (!written) {
        return ReceiptRefusal{storageRefusal(written.error(), "the receipt"), ""};
    }
    if (conflict) {
        return ReceiptRefusal{
            Refusal{409, "receipt_conflict",
                    "receipt_id " + summary.receiptId + " was already stored with other content"},
            "$.receipt_id"};
    }
    if (!accepted.duplicate && stored_) stored_();
    return accepted;
}

std::string ReceiptService::memberRef(const ReceiptSummary& summary) const {
    if (!summary.memberId.empty()) return keys_.member(summary.memberId);
    if (!summary.memberQrToken.empty() && !memberQrKey_.empty()) {
        // Expiry does not matter here: the token was shown at the till.
        auto token = barcode::verifyMemberToken(summary.memberQrToken, memberQrKey_, 0);
        if (token) return keys_.member(token->memberId);
    }
    if (!summary.memberPhone.empty()) return keys_.phone(summary.memberPhone);
    if (!summary.memberCardToken.empty()) return keys_.card(summary.memberCardToken);
    return "";
}

std::vector<Poco::JSON::Object> ReceiptService::recentFor(const std::string& memberId,
                                                          const std::string& phone, int limit) {
    std::vector<Poco::JSON::Object> found;
    const std::string byId = memberId.empty() ? "" : keys_.member(memberId);
    const std::string byPhone = phone.empty() ? "" : keys_.phone(phone);
    (void)database_.read([&](Transaction& tx) -> Status {
        auto select = tx.prepare(
            "SELECT body FROM receipts WHERE member_ref IN (?1, ?2) ORDER BY received_at DESC "
            "LIMIT ?3");
        select.bind(1, byId).bind(2, byPhone).bind(3, static_cast<int64_t>(limit));
        while (select.step()) {
            try {
                Poco::JSON::Parser parser;
                const auto body =
                    parser.parse(select.columnText(0)).extract<Poco::JSON::Object::Ptr>();
                Poco::JSON::Object item;
                item.set("time", body->getValue<std::string>("time"));
                item.set("total", body->getValue<std::string>("total"));
                item.set("currency", body->getValue<std::string>("currency"));
                const auto lines = body->getArray("lines");
                item.set("lines", lines ? static_cast<int>(lines->size()) : 0);
                found.push_back(item);
            } catch (const Poco::Exception&) {
                // A stored receipt was validated on the way in; skip one that is not.
            }
        }
        return okStatus();
    });
    return found;
}

Result<int> ReceiptService::purgeSyncedBefore(int64_t cutoffMs) {
    int purged = 0;
    auto written = database_.write([&](Transaction& tx) -> Status {
        auto remove = tx.prepare(
            "DELETE FROM receipts WHERE received_at < ?1 AND outbox_id IN (SELECT id FROM outbox "
            "WHERE topic = 'receipt' AND state = 'done')");
        remove.bind(1, cutoffMs);
        if (auto done = remove.execute(); !done) return done.error();
        purged = tx.changes();
        // Outbox rows of any topic that are done and old carry nothing more.
        auto outbox = tx.prepare(
            "DELETE FROM outbox WHERE state = 'done' AND updated_at < ?1 AND NOT EXISTS (SELECT 1 "
            "FROM receipts r WHERE r.outbox_id = outbox.id)");
        outbox.bind(1, cutoffMs);
        if (auto done = outbox.execute(); !done) return done.error();
        return okStatus();
    });
    if (!written) return written.error();
    return purged;
}

Poco::JSON::Object ReceiptService::queue() {
    Poco::JSON::Object body;
    Poco::JSON::Array dead;
    (void)database_.read([&](Transaction& tx) {
        auto counts =
            tx.prepare("SELECT state, count(*) FROM outbox WHERE topic = 'receipt' GROUP BY state");
        Poco::JSON::Object byState;
        while (counts.step()) byState.set(counts.columnText(0), counts.columnInt(1));
        body.set("counts", byState);
        auto select = tx.prepare(
            "SELECT idempotency_key, attempts, last_error, updated_at FROM outbox WHERE topic = "
            "'receipt' AND "
            "state = 'dead' ORDER BY id DESC LIMIT 100");
        while (select.step()) {
            Poco::JSON::Object item;
            item.set("receipt_id", select.columnText(0));
            item.set("attempts", select.columnInt(1));
            item.set("reason", select.columnText(2));
            item.set("updated_at_ms", select.columnInt(3));
            dead.add(item);
        }
        return okStatus();
    });
    body.set("dead_letters", dead);
    return body;
}

std::string ReceiptService::state(const std::string& receiptId) {
    std::string state;
    (void)database_.read([&](Transaction& tx) {
        auto select = tx.prepare(
            "SELECT o.state FROM receipts r JOIN outbox o ON o.id = r.outbox_id WHERE r.receipt_id "
            "= ?1");
        select.bind(1, receiptId);
        if (select.step()) {
            const std::string outboxState = select.columnText(0);
            state = outboxState == "done" ? "synced" : outboxState == "dead" ? "dead" : "queued";
        }
        return okStatus();
    });
    return state;
}

}  // namespace lojal
