#include "members/ErasureSync.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <random>
#include <sstream>

#include "core/Time.h"
#include "outbox/Outbox.h"

namespace lojal {

namespace {

std::string toPayload(const crm::OutgoingErasure& erasure) {
    Poco::JSON::Object object;
    object.set("erasure_id", erasure.key);
    object.set("member_id", erasure.memberId);
    object.set("phone", erasure.phone);
    object.set("store_id", erasure.storeId);
    object.set("requested_at", erasure.requestedAt);
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

std::optional<crm::OutgoingErasure> fromPayload(const std::string& payload) {
    try {
        const auto object = Poco::JSON::Parser().parse(payload).extract<Poco::JSON::Object::Ptr>();
        crm::OutgoingErasure erasure;
        erasure.key = object->getValue<std::string>("erasure_id");
        erasure.memberId = object->optValue<std::string>("member_id", "");
        erasure.phone = object->optValue<std::string>("phone", "");
        erasure.storeId = object->optValue<std::string>("store_id", "");
        erasure.requestedAt = object->optValue<std::string>("requested_at", "");
        if (erasure.memberId.empty() && erasure.phone.empty()) return std::nullopt;
        return erasure;
    } catch (const Poco::Exception&) {
        return std::nullopt;  // a synced row whose details were dropped
    }
}

}  // namespace

crm::OutgoingErasure newErasure(const std::string& storeId, const std::string& memberId,
                                const std::string& phoneE164, int64_t nowMs) {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    char suffix[17];
    std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(random()));
    crm::OutgoingErasure erasure;
    erasure.key = storeId + "/erasure/" + std::to_string(nowMs) + "-" + suffix;
    erasure.memberId = memberId;
    erasure.phone = phoneE164;
    erasure.storeId = storeId;
    erasure.requestedAt = isoUtcFromMillis(nowMs);
    return erasure;
}

Status queueErasure(Transaction& tx, const crm::OutgoingErasure& erasure, int64_t nowMs) {
    auto id = enqueueOutbox(tx, "erasure", erasure.key, toPayload(erasure), nowMs);
    if (!id) return id.error();
    return okStatus();
}

CrmTopic erasureSyncTopic(Database& database, std::shared_ptr<crm::CrmConnector> connector) {
    CrmTopic topic;
    topic.name = "erasure";
    topic.plural = "erasures";
    topic.send = [connector](const std::vector<OutboxItem>& items) {
        std::vector<crm::OutgoingErasure> erasures;
        std::map<std::string, std::string> payloadOf;  // results come keyed by erasure key
        crm::BatchOutcome unreadable{crm::BatchOutcome::Kind::answered, {}, "", 0};
        for (const OutboxItem& item : items) {
            if (auto erasure = fromPayload(item.payload)) {
                payloadOf[erasure->key] = item.payload;
                erasures.push_back(std::move(*erasure));
            } else {
                unreadable.results[item.payload] = {crm::ReceiptResult::Outcome::rejected,
                                                    "the queued erasure cannot be read"};
            }
        }
        if (erasures.empty()) return unreadable;
        crm::BatchOutcome sent = connector->sendErasures(erasures);
        crm::BatchOutcome outcome{sent.kind, {}, sent.reason, sent.retryAfterSeconds};
        for (auto& [key, result] : sent.results) {
            const auto payload = payloadOf.find(key);
            if (payload != payloadOf.end()) outcome.results[payload->second] = result;
        }
        for (auto& [payload, result] : unreadable.results) outcome.results[payload] = result;
        return outcome;
    };
    // The CRM has it: the row keeps its key for the record, not who it was about.
    topic.onSynced = [](Transaction& tx, const std::vector<std::string>& payloads) -> Status {
        for (const std::string& payload : payloads) {
            const auto erasure = fromPayload(payload);
            if (!erasure) continue;
            auto forget = tx.prepare(
                "UPDATE outbox SET payload = CAST(?2 AS BLOB) WHERE topic = 'erasure' AND "
                "idempotency_key = ?1");
            forget.bind(1, erasure->key)
                .bind(2, std::string("{\"erasure_id\":\"").append(erasure->key).append("\"}"));
            if (auto done = forget.execute(); !done) return done.error();
        }
        return okStatus();
    };
    // Old page images in the write-ahead log still hold the details.
    topic.afterSynced = [&database] { (void)database.checkpointTruncate(); };
    return topic;
}

}  // namespace lojal
