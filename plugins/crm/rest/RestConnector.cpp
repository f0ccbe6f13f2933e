#include "rest/RestConnector.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include "VerifiedHttp.h"

namespace lojal::crm {
namespace {

class RestConnector : public CrmConnector {
  public:
    explicit RestConnector(ConnectorSettings settings) : settings_(std::move(settings)) {}

    BatchOutcome sendReceipts(const std::vector<OutgoingReceipt>& receipts) override {
        std::string body = "{\"receipts\":[";
        for (size_t i = 0; i < receipts.size(); ++i) body += (i ? "," : "") + receipts[i].json;
        body += "]}";
        try {
            const Poco::URI uri(settings_.url + "/v1/receipts/batch");
            auto session = sessions_.open(uri, settings_.timeoutMs);
            Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathAndQuery(),
                                           Poco::Net::HTTPMessage::HTTP_1_1);
            request.set("X-Api-Key", settings_.apiKey);
            request.set("User-Agent", "lojald");
            request.setContentType("application/json");
            request.setContentLength64(static_cast<Poco::Int64>(body.size()));
            session->sendRequest(request) << body;
            Poco::Net::HTTPResponse response;
            std::string answer;
            Poco::StreamCopier::copyToString(session->receiveResponse(response), answer);
            return interpret(response, answer);
        } catch (const Poco::Exception& e) {
            return {BatchOutcome::Kind::transient, {}, "CRM unreachable: " + e.displayText(), 0};
        }
    }

  private:
    static BatchOutcome interpret(const Poco::Net::HTTPResponse& response,
                                  const std::string& answer) {
        const int status = response.getStatus();
        const std::string excerpt = answer.substr(0, 160);
        if (status == 401 || status == 403) {
            return {BatchOutcome::Kind::unauthorized,
                    {},
                    "CRM refused the API key (" + std::to_string(status) + ")",
                    0};
        }
        if (status != 200) {
            const int retryAfter = response.has("Retry-After")
                                       ? plugins::parseRetryAfter(response.get("Retry-After"))
                                       : 0;
            return {BatchOutcome::Kind::transient,
                    {},
                    "CRM answered " + std::to_string(status) + ": " + excerpt,
                    retryAfter};
        }
        BatchOutcome outcome{BatchOutcome::Kind::answered, {}, "", 0};
        try {
            Poco::JSON::Parser parser;
            const auto root = parser.parse(answer).extract<Poco::JSON::Object::Ptr>();
            const auto results = root->getArray("results");
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
                outcome.results[item->optValue<std::string>("receipt_id", "")] = result;
            }
        } catch (const Poco::Exception&) {
            // Garbage or an HTML error page with a 200: nothing is settled.
            return {BatchOutcome::Kind::transient, {}, "CRM answer unreadable: " + excerpt, 0};
        }
        return outcome;
    }

    ConnectorSettings settings_;
    plugins::SessionFactory sessions_{settings_.caFile};
};

}  // namespace

std::unique_ptr<CrmConnector> createRestConnector(const ConnectorSettings& settings) {
    return std::make_unique<RestConnector>(settings);
}

}  // namespace lojal::crm
