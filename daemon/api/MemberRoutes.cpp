#include "api/MemberRoutes.h"

namespace lojal {

void addMemberRoutes(Router& router, MemberService& members) {
    router.add(makeRoute("GET", "/v1/members/lookup", {Role::pos, Role::kiosk},
                         [&members](const Request& request) {
                             return serviceResponse(members.lookup(request.query), 200);
                         }));
    router.add(makeRoute("GET", "/v1/offers", {Role::pos, Role::kiosk}, [&members](const Request&) {
        return jsonResponse(200, members.offers());
    }));
    router.add(makeRoute(
        "POST", "/v1/members/erase", {Role::admin},
        [&members](const Request& request) {
            const auto phone = request.json->get("phone");
            if (phone.isEmpty())
                return errorResponse(400, "missing_field", "field 'phone' is required", "$.phone");
            if (!phone.isString())
                return errorResponse(400, "invalid_field", "'phone' must be a string", "$.phone");
            return serviceResponse(members.eraseByPhone(phone.extract<std::string>()), 200);
        },
        true));
    router.add(makeRoute(
        "POST", "/v1/members/{id}/erase", {Role::admin},
        [&members](const Request& request) {
            const auto phone = request.json->get("phone");
            if (!phone.isEmpty() && !phone.isString()) {
                return errorResponse(400, "invalid_field", "'phone' must be a string", "$.phone");
            }
            return serviceResponse(
                members.erase(request.pathParams.at("id"),
                              phone.isEmpty() ? std::string() : phone.extract<std::string>()),
                200);
        },
        true));
}

}  // namespace lojal
