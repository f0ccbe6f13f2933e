#include "api/ReceiptRoutes.h"

namespace lojal {
namespace {

Response ingest(ReceiptService& receipts, const Request& request) {
    auto outcome = receipts.ingest(*request.json);
    if (auto* refused = std::get_if<ReceiptRefusal>(&outcome)) {
        return refusalResponse(refused->refusal, refused->path);
    }
    const auto& accepted = std::get<ReceiptAccepted>(outcome);
    Poco::JSON::Object body;
    body.set("receipt_id", accepted.receiptId);
    body.set("status", accepted.duplicate ? "duplicate" : "stored");
    return jsonResponse(accepted.duplicate ? 200 : 202, body);
}

Response status(ReceiptService& receipts, const Request& request) {
    const std::string& id = request.pathParams.at("id");
    const std::string state = id.size() <= 64 ? receipts.state(id) : "";
    if (state.empty()) return errorResponse(404, "not_found", "no such receipt");
    Poco::JSON::Object body;
    body.set("receipt_id", id);
    body.set("status", state);
    return jsonResponse(200, body);
}

}  // namespace

void addReceiptRoutes(Router& router, ReceiptService& receipts) {
    router.add(makeRoute(
        "POST", "/v1/receipts", {Role::pos},
        [&receipts](const Request& request) { return ingest(receipts, request); }, true));
    router.add(makeRoute("GET", "/v1/queue", {Role::admin}, [&receipts](const Request&) {
        return jsonResponse(200, receipts.queue());
    }));
    router.add(
        makeRoute("GET", "/v1/receipts/{id}", {Role::pos, Role::admin},
                  [&receipts](const Request& request) { return status(receipts, request); }));
}

}  // namespace lojal
