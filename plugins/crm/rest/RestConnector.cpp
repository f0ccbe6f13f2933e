#include "rest/RestConnector.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <sstream>

#include "VerifiedHttp.h"

namespace lojal::crm {
namespace {

using Poco::JSON::Object;

// Members as docs/CRM-PROTOCOL.md writes them; throws on a wrong shape.
Member memberFromJson(const Object& json) {
    Member member;
    member.memberId = json.getValue<std::string>("member_id");
    if (member.memberId.empty()) throw Poco::DataException("empty member_id");
    member.phone = json.optValue<std::string>("phone", "");
    member.tier = json.optValue<std::string>("tier", "");
    member.points = json.optValue<Poco::Int64>("points", 0);
    if (const auto cards = json.getArray("card_tokens")) {
        for (size_t i = 0; i < cards->size(); ++i)
            member.cardTokens.push_back(cards->getElement<std::string>(static_cast<unsigned>(i)));
    }
    return member;
}

Object::Ptr parseObject(const std::string& text) {
    Poco::JSON::Parser parser;
    auto root = parser.parse(text).extract<Object::Ptr>();
    if (!root) throw Poco::DataException("not a JSON object");
    return root;
}

class RestConnector : public CrmConnector {
  public:
    explicit RestConnector(ConnectorSettings settings)
        : settings_(std::move(settings)),
          sessions_(plugins::TlsSettings{settings_.caFile, settings_.clientCertFile,
                                         settings_.clientKeyFile}) {}

    BatchOutcome sendReceipts(const std::vector<OutgoingReceipt>& receipts) override {
        std::string body = "{\"receipts\":[";
        for (size_t i = 0; i < receipts.size(); ++i) {
            if (i) body += ',';
            body += receipts[i].json;
        }
        body += "]}";
        std::string why;
        const auto answer = exchange(call("POST", "/v1/receipts/batch", body), why);
        if (!answer) return {BatchOutcome::Kind::transient, {}, "CRM unreachable: " + why, 0};
        return interpret(*answer, "receipt_id");
    }

    BatchOutcome sendSignups(const std::vector<OutgoingSignup>& signups) override {
        Poco::JSON::Array items;
        for (const OutgoingSignup& signup : signups) {
            Object item;
            item.set("signup_id", signup.key);
            item.set("phone", signup.phone);
            item.set("locale", signup.locale);
            item.set("store_id", signup.storeId);
            item.set("register_id", signup.registerId);
            item.set("cashier_id", signup.cashierId);
            item.set("created_at", signup.createdAt);
            Poco::JSON::Array consents;
            for (const Consent& consent : signup.consents) {
                Object given;
                given.set("purpose", consent.purpose);
                given.set("granted", consent.granted);
                given.set("text_version", consent.textVersion);
                given.set("text_shown", consent.textShown);
                consents.add(given);
            }
            item.set("consents", consents);
            items.add(item);
        }
        Object root;
        root.set("signups", items);
        std::ostringstream body;
        root.stringify(body);
        std::string why;
        const auto answer = exchange(call("POST", "/v1/signups/batch", body.str()), why);
        if (!answer) return {BatchOutcome::Kind::transient, {}, "CRM unreachable: " + why, 0};
        return interpret(*answer, "signup_id");
    }

    BatchOutcome sendErasures(const std::vector<OutgoingErasure>& erasures) override {
        Poco::JSON::Array items;
        for (const OutgoingErasure& erasure : erasures) {
            Object item;
            item.set("erasure_id", erasure.key);
            if (!erasure.memberId.empty()) item.set("member_id", erasure.memberId);
            if (!erasure.phone.empty()) item.set("phone", erasure.phone);
            item.set("store_id", erasure.storeId);
            item.set("requested_at", erasure.requestedAt);
            items.add(item);
        }
        Object root;
        root.set("erasures", items);
        std::ostringstream body;
        root.stringify(body);
        std::string why;
        const auto answer = exchange(call("POST", "/v1/erasures/batch", body.str()), why);
        if (!answer) return {BatchOutcome::Kind::transient, {}, "CRM unreachable: " + why, 0};
        return interpret(*answer, "erasure_id");
    }

    LookupOutcome lookupMember(const MemberQuery& query, int timeoutMs) override {
        const char* name = query.kind == MemberQuery::Kind::phone       ? "phone"
                           : query.kind == MemberQuery::Kind::cardToken ? "card_token"
                                                                        : "member_id";
        Poco::URI uri(settings_.url + "/v1/members/lookup");
        uri.addQueryParameter(name, query.value);
        plugins::HttpCall lookup = call("GET", "", "");
        lookup.uri = uri;
        lookup.timeoutMs = timeoutMs;
        std::string why;
        const auto answer = exchange(lookup, why);
        if (!answer) return {LookupOutcome::Kind::unavailable, {}, "CRM unreachable: " + why};
        if (answer->status == 404) return {LookupOutcome::Kind::notFound, {}, ""};
        if (answer->status != 200) return unavailable(*answer);
        try {
            const auto member = parseObject(answer->body)->getObject("member");
            if (!member) throw Poco::DataException("no member");
            return {LookupOutcome::Kind::found, memberFromJson(*member), ""};
        } catch (const Poco::Exception&) {
            return {LookupOutcome::Kind::unavailable, {}, "CRM answer unreadable"};
        }
    }

    MemberChanges memberChanges(const std::string& cursor) override {
        Poco::URI uri(settings_.url + "/v1/members/changes");
        uri.addQueryParameter("since", cursor);
        plugins::HttpCall changes = call("GET", "", "");
        changes.uri = uri;
        std::string why;
        const auto answer = exchange(changes, why);
        MemberChanges page;
        if (!answer) {
            page.reason = "CRM unreachable: " + why;
            return page;
        }
        if (answer->status != 200) {
            page.reason = "CRM answered " + std::to_string(answer->status);
            return page;
        }
        try {
            const auto root = parseObject(answer->body);
            if (const auto members = root->getArray("members")) {
                for (size_t i = 0; i < members->size(); ++i) {
                    const auto item = members->getObject(static_cast<unsigned>(i));
                    if (!item) throw Poco::DataException("member not an object");
                    page.changed.push_back(memberFromJson(*item));
                }
            }
            if (const auto erased = root->getArray("erased")) {
                for (size_t i = 0; i < erased->size(); ++i)
                    page.erasedIds.push_back(
                        erased->getElement<std::string>(static_cast<unsigned>(i)));
            }
            page.nextCursor = root->getValue<std::string>("next_cursor");
            page.more = root->optValue<bool>("more", false);
            page.ok = true;
        } catch (const Poco::Exception& e) {
            page = MemberChanges{};
            page.reason = "CRM answer unreadable: " + e.displayText();
        }
        return page;
    }

    OffersOutcome activeOffers() override {
        std::string why;
        const auto answer = exchange(call("GET", "/v1/offers", ""), why);
        OffersOutcome outcome;
        if (!answer || answer->status != 200) {
            outcome.reason = answer ? "CRM answered " + std::to_string(answer->status)
                                    : "CRM unreachable: " + why;
            return outcome;
        }
        try {
            const auto offers = parseObject(answer->body)->getArray("offers");
            if (!offers) throw Poco::DataException("no offers array");
            for (size_t i = 0; i < offers->size(); ++i) {
                const auto item = offers->getObject(static_cast<unsigned>(i));
                if (!item) throw Poco::DataException("offer not an object");
                outcome.offers.push_back({item->getValue<std::string>("offer_id"),
                                          item->optValue<std::string>("title", ""),
                                          item->optValue<std::string>("valid_from", ""),
                                          item->optValue<std::string>("valid_to", ""),
                                          item->optValue<std::string>("tier", "")});
            }
            outcome.ok = true;
        } catch (const Poco::Exception& e) {
            outcome = OffersOutcome{};
            outcome.reason = "CRM answer unreadable: " + e.displayText();
        }
        return outcome;
    }

  private:
    plugins::HttpCall call(const std::string& method, const std::string& path,
                           const std::string& body) const {
        plugins::HttpCall call;
        call.method = method;
        call.uri = Poco::URI(settings_.url + path);
        call.headers = {{"X-Api-Key", settings_.apiKey}, {"User-Agent", "lojald"}};
        call.body = body;
        call.timeoutMs = settings_.timeoutMs;
        return call;
    }

    std::optional<plugins::HttpAnswer> exchange(const plugins::HttpCall& call, std::string& why) {
        return plugins::exchange(sessions_, call, why);
    }

    static LookupOutcome unavailable(const plugins::HttpAnswer& answer) {
        return {
            LookupOutcome::Kind::unavailable, {}, "CRM answered " + std::to_string(answer.status)};
    }

    // keyName: the item key in the answer's results ("receipt_id", "signup_id").
    static BatchOutcome interpret(const plugins::HttpAnswer& answer, const std::string& keyName) {
        const std::string excerpt = answer.body.substr(0, 160);
        if (answer.status == 401 || answer.status == 403) {
            return {BatchOutcome::Kind::unauthorized,
                    {},
                    "CRM refused the API key (" + std::to_string(answer.status) + ")",
                    0};
        }
        if (answer.status != 200) {
            return {BatchOutcome::Kind::transient,
                    {},
                    "CRM answered " + std::to_string(answer.status) + ": " + excerpt,
                    plugins::parseRetryAfter(answer.retryAfter)};
        }
        BatchOutcome outcome{BatchOutcome::Kind::answered, {}, "", 0};
        try {
            const auto results = parseObject(answer.body)->getArray("results");
            if (!results) throw Poco::DataException("no results array");
            for (size_t i = 0; i < results->size(); ++i) {
                const auto item = results->getObject(static_cast<unsigned>(i));
                if (!item) continue;
                ReceiptResult result;
                const std::string state = item->optValue<std::string>("status", "");
                result.outcome = state == "accepted"    ? ReceiptResult::Outcome::accepted
                                 : state == "duplicate" ? ReceiptResult::Outcome::duplicate
                                 : state == "rejected"  ? ReceiptResult::Outcome::rejected
                                                        : ReceiptResult::Outcome::missing;
                result.reason = item->optValue<std::string>("reason", "");
                outcome.results[item->optValue<std::string>(keyName, "")] = result;
            }
        } catch (const Poco::Exception&) {
            // Garbage or an HTML error page with a 200: nothing is settled.
            return {BatchOutcome::Kind::transient, {}, "CRM answer unreadable: " + excerpt, 0};
        }
        return outcome;
    }

    ConnectorSettings settings_;
    plugins::SessionFactory sessions_;
};

}  // namespace

std::unique_ptr<CrmConnector> createRestConnector(const ConnectorSettings& settings) {
    return std::make_unique<RestConnector>(settings);
}

}  // namespace lojal::crm
