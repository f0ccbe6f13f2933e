#include "api/SignupRoutes.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/Crypto.h"
#include "core/Time.h"

namespace lojal {
namespace {

constexpr int64_t kWholeNumberMs = 10 * 60 * 1000;

// "+46701234567" -> "+46*****4567": country code and the last four digits.
std::string maskedPhone(const std::string& e164) {
    if (e164.size() <= 7) return std::string(e164.size(), '*');
    return e164.substr(0, 3) + std::string(e164.size() - 7, '*') + e164.substr(e164.size() - 4);
}

std::optional<int64_t> positiveId(const std::string& text) {
    int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
    return value;
}

// Idempotency-Key: 1 to 128 of A-Z a-z 0-9 . _ : - (a UUID fits).
bool validIdempotencyKey(const std::string& key) {
    return !key.empty() && key.size() <= 128 && std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' ||
               c == '-';
    });
}

Response createSignup(SignupRoutesContext& context, const Request& request) {
    const std::string key = request.idempotencyKey.value_or("");
    if (request.idempotencyKey) {
        if (!validIdempotencyKey(key)) {
            return errorResponse(400, "invalid_field",
                                 "Idempotency-Key: 1 to 128 of A-Z a-z 0-9 . _ : -");
        }
    }
    auto outcome = context.signups.create(*request.json, request.caller->tokenName, key);
    if (auto* refusal = std::get_if<Refusal>(&outcome)) return refusalResponse(*refusal);
    const auto& signup = std::get<SignupOutcome>(outcome);
    Poco::JSON::Object body;
    body.set("signup_id", signup.signupId);
    body.set("phone", signup.phone);
    body.set("status", signup.status);
    if (signup.repeat) body.set("repeat", true);
    return jsonResponse(signup.repeat ? 200 : 202, body);
}

// A register reads only the sign-ups its token made (ids are sequential: others
// would be a walk through the store's customers), and sees the number whole only
// for 10 minutes, long enough to check what the cashier typed. Admin reads every
// sign-up, the number masked.
Response getSignup(SignupRoutesContext& context, const Request& request) {
    const auto id = positiveId(request.pathParams.at("id"));
    if (!id) return errorResponse(400, "invalid_field", "a sign-up id is a positive number");
    const Caller& caller = *request.caller;
    const int64_t now = unixMillisNow();
    Poco::JSON::Object body;
    bool found = false;
    (void)context.database.read([&](Transaction& tx) {
        auto select = tx.prepare(
            "SELECT s.id, s.phone, s.locale, s.created_at, m.state, m.reason, s.created_by "
            "FROM signups s LEFT JOIN sms m ON m.id = s.sms_id WHERE s.id = ?1");
        select.bind(1, *id);
        if (!select.step()) return okStatus();
        const std::string createdBy = select.columnText(6);
        const bool own = createdBy == caller.tokenName;
        if (caller.role != Role::admin && !own) return okStatus();  // as if there were none
        found = true;
        const bool whole = own && now - select.columnInt(3) <= kWholeNumberMs;
        const std::string phone = select.columnText(1);
        body.set("signup_id", select.columnInt(0));
        body.set("phone", whole ? phone : maskedPhone(phone));
        body.set("locale", select.columnText(2));
        body.set("created_at_ms", select.columnInt(3));
        body.set("status", select.columnText(4));
        if (!select.columnText(5).empty()) body.set("reason", select.columnText(5));
        return okStatus();
    });
    if (!found) return errorResponse(404, "not_found", "no such sign-up for this token");
    return jsonResponse(200, body);
}

Response verifySignup(SignupRoutesContext& context, const Request& request) {
    const auto token = request.query.find("token");
    if (token == request.query.end())
        return errorResponse(400, "missing_field", "query parameter 'token' is required");
    return serviceResponse(context.signups.verify(token->second), 200);
}

// Called by the SMS gateway, which holds no API token: the URL carries a signature.
Response deliveryReport(SignupRoutesContext& context, const Request& request) {
    const auto field = [&](const char* name) {
        const auto found = request.query.find(name);
        return found == request.query.end() ? std::string() : found->second;
    };
    const auto id = positiveId(field("id"));
    const auto type = positiveId(field("type"));
    if (!id || !type) return errorResponse(400, "invalid_field", "expected id, sig and type");
    if (!constantTimeEqual(field("sig"), context.sms.dlrSignature(*id))) {
        return errorResponse(403, "forbidden", "bad delivery-report signature");
    }
    if (auto applied = context.sms.applyDeliveryReport(*id, static_cast<int>(*type)); !applied) {
        return errorResponse(404, "not_found", applied.error().message);
    }
    Poco::JSON::Object body;
    body.set("applied", true);
    return jsonResponse(200, body);
}

}  // namespace

void addSignupRoutes(Router& router, SignupRoutesContext& context) {
    const std::vector<Role> everyone(std::begin(kClientRoles), std::end(kClientRoles));
    router.add(makeRoute(
        "POST", "/v1/signups", {Role::pos},
        [&context](const Request& request) { return createSignup(context, request); }, true));
    router.add(makeRoute("GET", "/v1/signups/verify", everyone, [&context](const Request& request) {
        return verifySignup(context, request);
    }));
    router.add(
        makeRoute("GET", "/v1/signups/{id}", {Role::pos, Role::admin},
                  [&context](const Request& request) { return getSignup(context, request); }));
    router.add(makeRoute(
        "POST", "/v1/otp", {Role::kiosk},
        [&context](const Request& request) {
            return serviceResponse(context.otp.send(*request.json, request.caller->tokenName), 202);
        },
        true));
    router.add(makeRoute(
        "POST", "/v1/otp/verify", {Role::kiosk},
        [&context](const Request& request) {
            return serviceResponse(context.otp.verify(*request.json), 200);
        },
        true));
    router.add(makeRoute("GET", "/v1/sms/dlr", {}, [&context](const Request& request) {
        return deliveryReport(context, request);
    }));
}

}  // namespace lojal
