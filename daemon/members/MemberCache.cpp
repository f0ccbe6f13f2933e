#include "members/MemberCache.h"

#include <set>

namespace lojal {
namespace {

Status storeMember(Transaction& tx, const MemberKeys& keys, const crm::Member& member,
                   int64_t nowMs) {
    auto upsert = tx.prepare(
        "INSERT INTO members (member_id, phone_hash, tier, points, synced_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (member_id) DO UPDATE SET "
        "phone_hash = excluded.phone_hash, tier = excluded.tier, points = excluded.points, "
        "synced_at = excluded.synced_at");
    upsert.bind(1, member.memberId).bind(3, member.tier).bind(4, member.points).bind(5, nowMs);
    if (!member.phone.empty()) upsert.bind(2, keys.phone(member.phone));
    if (auto done = upsert.execute(); !done) return done;
    auto clear = tx.prepare("DELETE FROM member_cards WHERE member_id = ?1");
    clear.bind(1, member.memberId);
    if (auto done = clear.execute(); !done) return done;
    if (member.ownOffersKnown) {
        auto forget = tx.prepare("DELETE FROM member_offers WHERE member_id = ?1");
        forget.bind(1, member.memberId);
        if (auto done = forget.execute(); !done) return done;
        for (const crm::Offer& offer : member.ownOffers) {
            auto insert = tx.prepare(
                "INSERT OR REPLACE INTO member_offers (member_id, offer_id, title, valid_to) "
                "VALUES (?1, ?2, ?3, ?4)");
            insert.bind(1, member.memberId).bind(2, offer.offerId).bind(3, offer.title);
            insert.bind(4, offer.validTo);
            if (auto done = insert.execute(); !done) return done;
        }
    }
    for (const std::string& card : member.cardTokens) {
        // A card moved to another member belongs to the newer answer.
        auto insert = tx.prepare(
            "INSERT INTO member_cards (card_hash, member_id) VALUES (?1, ?2) "
            "ON CONFLICT (card_hash) DO UPDATE SET member_id = excluded.member_id");
        insert.bind(1, keys.card(card)).bind(2, member.memberId);
        if (auto done = insert.execute(); !done) return done;
    }
    return okStatus();
}

// Deletes rows of `table` whose clear-text phone hashes to one of phoneHashes.
Result<int> erasePhoneRows(Transaction& tx, const MemberKeys& keys, const std::string& table,
                           const std::set<std::string>& phoneHashes) {
    std::vector<int64_t> ids;
    auto select = tx.prepare("SELECT id, phone FROM " + table);
    while (select.step()) {
        if (phoneHashes.count(keys.phone(select.columnText(1)))) ids.push_back(select.columnInt(0));
    }
    int erased = 0;
    for (int64_t id : ids) {
        if (table == "signups") {
            auto queued = tx.prepare(
                "DELETE FROM outbox WHERE topic = 'signup' AND idempotency_key = 'signup:' || ?1");
            queued.bind(1, id);
            if (auto done = queued.execute(); !done) return done.error();
            auto consents = tx.prepare("DELETE FROM consents WHERE signup_id = ?1");
            consents.bind(1, id);
            if (auto done = consents.execute(); !done) return done.error();
        }
        if (table == "sms") {  // an SMS still queued to this number is not sent
            auto queued = tx.prepare(
                "DELETE FROM outbox WHERE topic = 'sms' AND idempotency_key = 'sms:' || ?1");
            queued.bind(1, id);
            if (auto done = queued.execute(); !done) return done.error();
        }
        auto remove = tx.prepare("DELETE FROM " + table + " WHERE id = ?1");
        remove.bind(1, id);
        if (auto done = remove.execute(); !done) return done.error();
        ++erased;
    }
    return erased;
}

}  // namespace

Status MemberCache::store(const std::vector<crm::Member>& members, int64_t nowMs,
                          const std::string& cursorName, const std::string& cursor) {
    return database_.write([&](Transaction& tx) -> Status {
        for (const crm::Member& member : members) {
            if (auto done = storeMember(tx, keys_, member, nowMs); !done) return done;
        }
        if (cursorName.empty()) return okStatus();
        auto save = tx.prepare(
            "INSERT INTO sync_cursors (name, cursor, synced_at) VALUES (?1, ?2, ?3) "
            "ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, synced_at = "
            "excluded.synced_at");
        save.bind(1, cursorName).bind(2, cursor).bind(3, nowMs);
        return save.execute();
    });
}

std::optional<CachedMember> MemberCache::find(const crm::MemberQuery& query) {
    std::optional<CachedMember> found;
    (void)database_.read([&](Transaction& tx) {
        const char* sql = nullptr;
        std::string key;
        switch (query.kind) {
            case crm::MemberQuery::Kind::phone:
                sql =
                    "SELECT member_id, tier, points, synced_at FROM members WHERE phone_hash = ?1 "
                    "ORDER BY synced_at DESC LIMIT 1";
                key = keys_.phone(query.value);
                break;
            case crm::MemberQuery::Kind::cardToken:
                sql =
                    "SELECT m.member_id, m.tier, m.points, m.synced_at FROM member_cards c JOIN "
                    "members m ON m.member_id = c.member_id WHERE c.card_hash = ?1";
                key = keys_.card(query.value);
                break;
            case crm::MemberQuery::Kind::memberId:
                sql = "SELECT member_id, tier, points, synced_at FROM members WHERE member_id = ?1";
                key = query.value;
                break;
        }
        auto select = tx.prepare(sql);
        select.bind(1, key);
        if (select.step()) {
            CachedMember cached;
            cached.member.memberId = select.columnText(0);
            cached.member.tier = select.columnText(1);
            cached.member.points = select.columnInt(2);
            cached.syncedAt = select.columnInt(3);
            auto offers = tx.prepare(
                "SELECT offer_id, title, valid_to FROM member_offers WHERE member_id = ?1 "
                "ORDER BY offer_id LIMIT 100");
            offers.bind(1, cached.member.memberId);
            while (offers.step())
                cached.member.ownOffers.push_back(
                    {offers.columnText(0), offers.columnText(1), "", offers.columnText(2), ""});
            cached.member.ownOffersKnown = true;
            found = cached;
        }
        return okStatus();
    });
    return found;
}

namespace {

// One member: the member block of their receipts (by every keyed hash that
// refers to them), their cache rows; adds their phone hash to phoneHashes.
Status eraseMember(Transaction& tx, const MemberKeys& keys, const std::string& memberId,
                   std::set<std::string>& phoneHashes, ErasureCounts& counts) {
    std::set<std::string> refs{keys.member(memberId)};
    auto phone = tx.prepare(
        "SELECT phone_hash FROM members WHERE member_id = ?1 AND phone_hash IS NOT NULL");
    phone.bind(1, memberId);
    while (phone.step()) phoneHashes.insert(phone.columnText(0));
    auto cards = tx.prepare("SELECT card_hash FROM member_cards WHERE member_id = ?1");
    cards.bind(1, memberId);
    while (cards.step()) refs.insert(cards.columnText(0));
    refs.insert(phoneHashes.begin(), phoneHashes.end());
    for (const std::string& ref : refs) {
        // The receipt stays (it is the store's bookkeeping, and the CRM's once
        // synced); who bought it goes.
        auto strip = tx.prepare(
            "UPDATE receipts SET body = json_remove(body, '$.member'), member_ref = NULL "
            "WHERE member_ref = ?1");
        strip.bind(1, ref);
        if (auto done = strip.execute(); !done) return done;
        counts.receipts += tx.changes();
    }
    auto remove = tx.prepare("DELETE FROM members WHERE member_id = ?1");
    remove.bind(1, memberId);
    if (auto done = remove.execute(); !done) return done;
    counts.members += tx.changes();
    return okStatus();
}

// Rows of a number known in clear, found through the phone indexes: sign-ups
// (with their consents and queued CRM rows), kiosk codes and SMS (with queued sends).
Result<int> erasePhoneRowsByNumber(Transaction& tx, const std::string& e164) {
    // Each statement, and whether its rows are counted as the number's own
    // (queued outbox rows and consents go with their sign-up or SMS).
    struct Step {
        const char* sql;
        bool counted;
    };
    static const Step steps[] = {
        {"DELETE FROM outbox WHERE topic = 'signup' AND idempotency_key IN "
         "(SELECT 'signup:' || id FROM signups WHERE phone = ?1)",
         false},
        {"DELETE FROM consents WHERE signup_id IN (SELECT id FROM signups WHERE phone = ?1)",
         false},
        {"DELETE FROM signups WHERE phone = ?1", true},
        {"DELETE FROM otp WHERE phone = ?1", true},
        {"DELETE FROM outbox WHERE topic = 'sms' AND idempotency_key IN "
         "(SELECT 'sms:' || id FROM sms WHERE phone = ?1)",
         false},
        {"DELETE FROM sms WHERE phone = ?1", true},
    };
    int erased = 0;
    for (const Step& step : steps) {
        auto statement = tx.prepare(step.sql);
        statement.bind(1, e164);
        if (auto done = statement.execute(); !done) return done.error();
        if (step.counted) erased += tx.changes();
    }
    return erased;
}

}  // namespace

Result<ErasureCounts> MemberCache::erase(const std::string& memberId, const std::string& phoneE164,
                                         const Extra& alsoInTransaction) {
    ErasureCounts counts;
    auto written = database_.write([&](Transaction& tx) -> Status {
        counts = ErasureCounts{};
        std::set<std::string> phoneHashes;
        if (auto done = eraseMember(tx, keys_, memberId, phoneHashes, counts); !done) return done;
        if (alsoInTransaction) {
            if (auto done = alsoInTransaction(tx); !done) return done;
        }
        if (!phoneE164.empty()) {
            auto erased = erasePhoneRowsByNumber(tx, phoneE164);
            if (!erased) return erased.error();
            counts.personalRows += *erased;
            phoneHashes.erase(keys_.phone(phoneE164));
        }
        if (phoneHashes.empty()) return okStatus();
        // Only the member's phone hash is known: a scan that hashes each number.
        for (const char* table : {"signups", "otp", "sms"}) {
            auto erased = erasePhoneRows(tx, keys_, table, phoneHashes);
            if (!erased) return erased.error();
            counts.personalRows += *erased;
        }
        return okStatus();
    });
    if (!written) return written.error();
    // The erased rows' old pages leave the write-ahead log too (secure_delete
    // has already zeroed them in the file). Busy only while another process
    // reads; the next checkpoint then empties it.
    (void)database_.checkpointTruncate();
    return counts;
}

Result<ErasureCounts> MemberCache::eraseByPhone(const std::string& phoneE164,
                                                std::vector<std::string>& memberIds,
                                                const Extra& alsoInTransaction) {
    ErasureCounts counts;
    auto written = database_.write([&](Transaction& tx) -> Status {
        counts = ErasureCounts{};
        memberIds.clear();
        const std::string hash = keys_.phone(phoneE164);
        auto members = tx.prepare("SELECT member_id FROM members WHERE phone_hash = ?1");
        members.bind(1, hash);
        while (members.step()) memberIds.push_back(members.columnText(0));
        std::set<std::string> phoneHashes{hash};
        for (const std::string& memberId : memberIds) {
            if (auto done = eraseMember(tx, keys_, memberId, phoneHashes, counts); !done)
                return done;
        }
        // Receipts tied to the number itself (a lookup by phone, no member known).
        auto strip = tx.prepare(
            "UPDATE receipts SET body = json_remove(body, '$.member'), member_ref = NULL "
            "WHERE member_ref = ?1");
        strip.bind(1, hash);
        if (auto done = strip.execute(); !done) return done;
        counts.receipts += tx.changes();
        auto erased = erasePhoneRowsByNumber(tx, phoneE164);
        if (!erased) return erased.error();
        counts.personalRows += *erased;
        if (alsoInTransaction) return alsoInTransaction(tx);
        return okStatus();
    });
    if (!written) return written.error();
    // The erased rows' old pages leave the write-ahead log too (secure_delete
    // has already zeroed them in the file). Busy only while another process
    // reads; the next checkpoint then empties it.
    (void)database_.checkpointTruncate();
    return counts;
}

Status MemberCache::replaceOffers(const std::vector<crm::Offer>& offers, int64_t nowMs) {
    return database_.write([&](Transaction& tx) -> Status {
        if (auto cleared = tx.exec("DELETE FROM offers"); !cleared) return cleared;
        for (const crm::Offer& offer : offers) {
            auto insert = tx.prepare(
                "INSERT OR REPLACE INTO offers (offer_id, title, valid_from, valid_to, tier, "
                "synced_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
            insert.bind(1, offer.offerId)
                .bind(2, offer.title)
                .bind(3, offer.validFrom)
                .bind(4, offer.validTo)
                .bind(5, offer.tier)
                .bind(6, nowMs);
            if (auto done = insert.execute(); !done) return done;
        }
        return okStatus();
    });
}

std::vector<crm::Offer> MemberCache::offersFor(const std::string& tier) {
    std::vector<crm::Offer> offers;
    (void)database_.read([&](Transaction& tx) {
        auto select = tx.prepare(
            "SELECT offer_id, title, valid_from, valid_to, tier FROM offers WHERE tier = '' OR "
            "tier = ?1 ORDER BY offer_id LIMIT 100");
        select.bind(1, tier);
        while (select.step()) {
            offers.push_back({select.columnText(0), select.columnText(1), select.columnText(2),
                              select.columnText(3), select.columnText(4)});
        }
        return okStatus();
    });
    return offers;
}

std::string MemberCache::cursor(const std::string& name) {
    std::string cursor;
    (void)database_.read([&](Transaction& tx) {
        auto select = tx.prepare("SELECT cursor FROM sync_cursors WHERE name = ?1");
        select.bind(1, name);
        if (select.step()) cursor = select.columnText(0);
        return okStatus();
    });
    return cursor;
}

int64_t MemberCache::memberCount() {
    int64_t count = 0;
    (void)database_.read([&](Transaction& tx) {
        auto select = tx.prepare("SELECT count(*) FROM members");
        if (select.step()) count = select.columnInt(0);
        return okStatus();
    });
    return count;
}

}  // namespace lojal
