#include "http/HttpGateway.h"

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include "VerifiedHttp.h"

#include <sstream>

namespace lojal::sms {
namespace {

class HttpGateway : public SmsGateway {
  public:
    explicit HttpGateway(GatewaySettings settings) : settings_(std::move(settings)) {}

    SendOutcome send(const OutgoingSms& message) override {
        try {
            const Poco::URI uri(settings_.url);
            auto session = sessions_.open(uri, settings_.timeoutMs);
            Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathAndQuery(),
                                           Poco::Net::HTTPMessage::HTTP_1_1);
            if (!settings_.username.empty()) {
                std::ostringstream credentials;
                Poco::Base64Encoder encoder(credentials);
                encoder.rdbuf()->setLineLength(0);
                encoder << settings_.username << ":" << settings_.password;
                encoder.close();
                request.set("Authorization", "Basic " + credentials.str());
            }
            const std::string body = encode(message);
            request.setContentType(settings_.format == "json"
                                       ? "application/json"
                                       : "application/x-www-form-urlencoded");
            request.setContentLength64(static_cast<Poco::Int64>(body.size()));
            session->sendRequest(request) << body;
            Poco::Net::HTTPResponse response;
            std::string answer;
            Poco::StreamCopier::copyToString(session->receiveResponse(response), answer);
            return interpret(response, answer);
        } catch (const Poco::Exception& e) {
            return {SendOutcome::Kind::transient, "", "provider unreachable: " + e.displayText(),
                    0};
        }
    }

  private:
    std::string encode(const OutgoingSms& message) const {
        if (settings_.format == "json") {
            Poco::JSON::Object json;
            json.set(settings_.toField, message.to);
            json.set(settings_.textField, message.text);
            if (!settings_.sender.empty()) json.set(settings_.fromField, settings_.sender);
            std::ostringstream out;
            json.stringify(out);
            return out.str();
        }
        Poco::Net::HTMLForm form;
        form.set(settings_.toField, message.to);
        form.set(settings_.textField, message.text);
        if (!settings_.sender.empty()) form.set(settings_.fromField, settings_.sender);
        std::ostringstream out;
        form.write(out);
        return out.str();
    }

    SendOutcome interpret(const Poco::Net::HTTPResponse& response,
                          const std::string& answer) const {
        const int status = response.getStatus();
        if (status >= 200 && status < 300) {
            std::string id;
            try {
                Poco::JSON::Parser parser;
                const auto parsed = parser.parse(answer).extract<Poco::JSON::Object::Ptr>();
                if (parsed->has(settings_.idField))
                    id = parsed->get(settings_.idField).convert<std::string>();
            } catch (const Poco::Exception&) {
                // Accepted all the same; some providers answer plain text.
            }
            return {SendOutcome::Kind::accepted, id, "", 0};
        }
        const std::string reason =
            "provider answered " + std::to_string(status) + ": " + answer.substr(0, 200);
        const int retryAfter =
            response.has("Retry-After") ? plugins::parseRetryAfter(response.get("Retry-After")) : 0;
        if (status == 408 || status == 429 || status >= 500)
            return {SendOutcome::Kind::transient, "", reason, retryAfter};
        return {SendOutcome::Kind::permanent, "", reason, 0};
    }

    GatewaySettings settings_;
    plugins::SessionFactory sessions_{settings_.caFile};
};

}  // namespace

std::unique_ptr<SmsGateway> createHttpGateway(const GatewaySettings& settings) {
    return std::make_unique<HttpGateway>(settings);
}

}  // namespace lojal::sms
