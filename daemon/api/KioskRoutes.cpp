#include "api/KioskRoutes.h"

#include <Poco/DateTimeParser.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>

#include "api/Auth.h"
#include "barcode/MemberToken.h"
#include "core/Paths.h"
#include "core/PosixFiles.h"
#include "core/Version.h"

namespace lojal {
namespace {

constexpr const char* kCookie = "lojal_kiosk";

Response noSession() {
    return errorResponse(403, "kiosk_session_required",
                         "this call is for the kiosk page: load /kiosk/ from a kiosk address");
}

// The page: kiosk addresses get a fresh session (a reload is a new customer's
// blank slate); others get the page without one, which then says so.
Response page(KioskRoutesContext& context, const Request& request) {
    Response response = context.assets.page();
    if (response.status != 200) return response;
    const auto& allowed = context.config.kiosk.addresses;
    if (std::find(allowed.begin(), allowed.end(), request.peer) != allowed.end()) {
        const std::string id = generateTokenSecret();
        context.sessions.open(id, KioskSessions::Clock::now());
        response.headers.emplace_back(
            "Set-Cookie", std::string(kCookie) + "=" + id + "; Path=/; HttpOnly; SameSite=Strict");
    }
    return response;
}

Response settings(KioskRoutesContext& context) {
    const Config& config = context.config;
    Poco::JSON::Object body;
    body.set("store", config.store.name);
    body.set("country", config.store.country);
    body.set("currency", config.store.currency);
    body.set("default_language", config.kiosk.defaultLanguage);
    body.set("time_zone", config.kiosk.timeZone);
    Poco::JSON::Array languages;
    for (const char* language : {"sv", "nb", "da", "fi", "en"}) languages.add(language);
    body.set("languages", languages);
    body.set("idle_reset_seconds", config.kiosk.idleResetSeconds);
    body.set("member_idle_seconds", config.kiosk.memberIdleSeconds);
    Poco::JSON::Array methods;
    for (const auto& method : config.kiosk.verifiedBy) methods.add(method);
    body.set("verified_by", methods);
    body.set("camera", config.camera.enabled);
    body.set("scanner", config.kiosk.scanner);
    return jsonResponse(200, body);
}

// What a kiosk screen may show of a member: tier, points, the tier's offers,
// and how fresh that is. No id, phone or name: the screen is in a shop.
Response memberView(KioskRoutesContext& context, const KioskMember& member) {
    auto found = context.members.lookup({{member.query, member.queryValue}});
    if (auto* refusal = std::get_if<Refusal>(&found)) {
        if (refusal->code == "member_not_found") {
            Poco::JSON::Object body;
            body.set("verified", true);
            body.set("member", Poco::Dynamic::Var());  // verified, but not (yet) a member
            return jsonResponse(200, body);
        }
        return refusalResponse(*refusal);
    }
    const auto& answer = std::get<Poco::JSON::Object>(found);
    const auto full = answer.get("member").extract<Poco::JSON::Object>();
    Poco::JSON::Object shown;
    shown.set("tier", full.get("tier"));
    shown.set("points", full.get("points"));
    Poco::JSON::Object body;
    body.set("verified", true);
    body.set("verified_by", member.verifiedBy);
    body.set("member", shown);
    body.set("offers", answer.get("offers"));
    // The last receipts from this store's own records (the CRM's history is
    // not asked: the screen must answer now).
    Poco::JSON::Array receipts;
    const std::string phone = member.query == "phone" ? member.queryValue : "";
    for (const auto& receipt :
         context.receipts.recentFor(full.getValue<std::string>("member_id"), phone, 3))
        receipts.add(receipt);
    body.set("receipts", receipts);
    body.set("source", answer.get("source"));
    if (answer.has("cache_age_seconds"))
        body.set("cache_age_seconds", answer.get("cache_age_seconds"));
    return jsonResponse(200, body);
}

// The member card scanned at the kiosk's own scanner in the last 30 seconds,
// from the event ring: the page cannot name a card, only say "the one I just
// saw", so a card number typed into a request identifies nobody.
std::optional<std::string> justScannedCard(KioskRoutesContext& context) {
    const std::string& scanner = context.config.kiosk.scanner;
    if (scanner.empty()) return std::nullopt;
    constexpr uint64_t kLookBack = 256;
    const uint64_t last = context.events.lastSeq();
    const EventBatch batch =
        context.events.take(last > kLookBack ? last - kLookBack : 0, kLookBack);
    const Poco::Timestamp cutoff = Poco::Timestamp() - Poco::Timespan(30, 0);
    for (auto it = batch.events.rbegin(); it != batch.events.rend(); ++it) {
        try {
            Poco::JSON::Parser parser;
            const auto event = parser.parse(**it).extract<Poco::JSON::Object::Ptr>();
            if (event->getValue<std::string>("type") != "scan" ||
                event->getValue<std::string>("device") != scanner)
                continue;
            int zone = 0;
            const Poco::DateTime when =
                Poco::DateTimeParser::parse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT,
                                            event->getValue<std::string>("time"), zone);
            if (when.timestamp() < cutoff) return std::nullopt;  // older ones are older still
            const auto data = event->getObject("data");
            if (data->getValue<std::string>("kind") != "member_card" ||
                !data->getValue<bool>("valid"))
                continue;
            // Each scan identifies once: the next customer cannot reuse it.
            if (!context.sessions.claimCardScan(event->getValue<uint64_t>("seq")))
                return std::nullopt;
            return data->getValue<std::string>("label");
        } catch (const Poco::Exception&) {
            continue;
        }
    }
    return std::nullopt;
}

Response identify(KioskRoutesContext& context, const Request& request) {
    if (request.kioskSession.empty()) return noSession();
    const Poco::JSON::Object& body = *request.json;
    const std::string method = body.optValue<std::string>("method", "");
    const auto& allowed = context.config.kiosk.verifiedBy;
    if (allowed.count(method) == 0) {
        return errorResponse(400, "method_not_accepted",
                             "'method' must be one this store accepts ([kiosk] verified_by)");
    }
    KioskMember member;
    member.verifiedBy = method;
    if (method == "otp") {
        auto verified = context.otp.verify(body);
        if (auto* refusal = std::get_if<Refusal>(&verified)) return refusalResponse(*refusal);
        const auto& result = std::get<Poco::JSON::Object>(verified);
        // A wrong PIN says how many tries are left, and nothing about the number.
        if (!result.getValue<bool>("verified")) return jsonResponse(200, result);
        member.query = "phone";
        member.queryValue = result.getValue<std::string>("phone");
    } else if (method == "qr") {
        const std::string token = body.optValue<std::string>("token", "");
        auto checked = barcode::verifyMemberToken(token, context.config.scanning.memberQrKey,
                                                  static_cast<int64_t>(::time(nullptr)));
        if (!checked) {
            return errorResponse(400, "invalid_member_token",
                                 "the member QR is not valid here: " + checked.error().message);
        }
        member.query = "token";
        member.queryValue = token;
    } else {
        const auto card = justScannedCard(context);
        if (!card) {
            return errorResponse(404, "no_card_scanned",
                                 "no member card was scanned at this kiosk's scanner in the last "
                                 "30 seconds ([kiosk] scanner)");
        }
        member.query = "card";
        member.queryValue = *card;
    }
    const auto now = KioskSessions::Clock::now();
    context.sessions.bind(request.kioskSession, member, now);
    return memberView(context, member);
}

Response me(KioskRoutesContext& context, const Request& request) {
    if (request.kioskSession.empty()) return noSession();
    const auto member = context.sessions.member(request.kioskSession, KioskSessions::Clock::now());
    if (!member) {
        return errorResponse(404, "no_member",
                             "no verified customer at this kiosk (or they were idle too long)");
    }
    return memberView(context, *member);
}

Response reset(KioskRoutesContext& context, const Request& request) {
    if (request.kioskSession.empty()) return noSession();
    context.sessions.forgetMember(request.kioskSession);
    Poco::JSON::Object body;
    body.set("reset", true);
    return jsonResponse(200, body);
}

// The customer joins at the kiosk: the same sign-up as at a register (limits,
// SMS link, consent kept for the CRM), with the kiosk as its register. The
// answer says only that the link is on its way: nothing about membership.
Response join(KioskRoutesContext& context, const Request& request) {
    if (request.kioskSession.empty()) return noSession();
    Poco::JSON::Object body;
    for (const char* field : {"phone", "locale", "consent"}) {
        if (request.json->has(field)) body.set(field, request.json->get(field));
    }
    body.set("cashier_id", "kiosk");
    body.set("register_id", request.caller->tokenName);  // kiosk@ADDRESS
    auto outcome = context.signups.create(body, request.caller->tokenName);
    if (auto* refusal = std::get_if<Refusal>(&outcome)) return refusalResponse(*refusal);
    Poco::JSON::Object answer;
    answer.set("status", "queued");
    return jsonResponse(202, answer);
}

}  // namespace

std::string kioskUiDirectory(const KioskConfig& config) {
    if (!config.uiDirectory.empty()) return config.uiDirectory;
    if (const std::string directory = executableDirectory(); !directory.empty()) {
        const std::string installed = directory + "../share/lojal/kiosk";
        if (::access((installed + "/index.html").c_str(), R_OK) == 0) return installed;
    }
    return LOJAL_KIOSK_SOURCE_DIR;
}

void addKioskRoutes(Router& router, KioskRoutesContext& context) {
    router.add(makeRoute("GET", "/kiosk/", {},
                         [&context](const Request& request) { return page(context, request); }));
    router.add(makeRoute("GET", "/kiosk/v/{version}/{file+}", {}, [&context](const Request& r) {
        return context.assets.asset(r.pathParams.at("version"), r.pathParams.at("file"));
    }));
    const std::vector<Role> kiosk{Role::kiosk};
    router.add(makeRoute("GET", "/v1/kiosk/settings", kiosk,
                         [&context](const Request&) { return settings(context); }));
    router.add(makeRoute(
        "POST", "/v1/kiosk/identify", kiosk,
        [&context](const Request& request) { return identify(context, request); }, true));
    router.add(makeRoute("GET", "/v1/kiosk/me", kiosk,
                         [&context](const Request& request) { return me(context, request); }));
    router.add(makeRoute("POST", "/v1/kiosk/reset", kiosk,
                         [&context](const Request& request) { return reset(context, request); }));
    router.add(makeRoute(
        "POST", "/v1/kiosk/join", kiosk,
        [&context](const Request& request) { return join(context, request); }, true));
}

}  // namespace lojal
