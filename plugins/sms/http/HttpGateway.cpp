#include "http/HttpGateway.h"

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/URI.h>

#include "VerifiedHttp.h"

#include <sstream>

namespace lojal::sms {
namespace {

class HttpGateway : public SmsGateway {
  public:
    explicit HttpGateway(GatewaySettings settings) : settings_(std::move(settings)) {}

    SendOutcome send(const OutgoingSms& message) override {
        plugins::HttpCall call;
        call.method = "POST";
        call.uri = Poco::URI(settings_.url);
        call.timeoutMs = settings_.timeoutMs;
        call.body = encode(message);
        call.contentType =
            settings_.format == "json" ? "application/json" : "application/x-www-form-urlencoded";
        if (!settings_.username.empty()) {
            std::ostringstream credentials;
            Poco::Base64Encoder encoder(credentials);
            encoder.rdbuf()->setLineLength(0);
            encoder << settings_.username << ":" << settings_.password;
            encoder.close();
            call.headers.emplace_back("Authorization", "Basic " + credentials.str());
        }
        std::string why;
        const auto answer = plugins::exchange(sessions_, call, why);
        if (!answer) return {SendOutcome::Kind::transient, "", "provider unreachable: " + why, 0};
        return interpret(*answer);
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

    SendOutcome interpret(const plugins::HttpAnswer& http) const {
        const int status = http.status;
        const std::string& answer = http.body;
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
        const int retryAfter = plugins::parseRetryAfter(http.retryAfter);
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
