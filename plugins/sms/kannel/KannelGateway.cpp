#include "kannel/KannelGateway.h"

#include <Poco/URI.h>

#include "VerifiedHttp.h"

namespace lojal::sms {
namespace {

class KannelGateway : public SmsGateway {
  public:
    explicit KannelGateway(GatewaySettings settings) : settings_(std::move(settings)) {}

    bool reportsDelivery() const override { return true; }

    SendOutcome send(const OutgoingSms& message) override {
        Poco::URI uri(settings_.url + "/cgi-bin/sendsms");
        uri.addQueryParameter("username", settings_.username);
        uri.addQueryParameter("password", settings_.password);
        if (!settings_.sender.empty()) uri.addQueryParameter("from", settings_.sender);
        uri.addQueryParameter("to", message.to);
        uri.addQueryParameter("text", message.text);
        uri.addQueryParameter("charset", "UTF-8");
        uri.addQueryParameter("coding", message.unicode ? "2" : "0");
        if (!message.dlrUrl.empty()) {
            uri.addQueryParameter("dlr-mask",
                                  "31");  // delivered, failed, buffered, SMSC accepted/rejected
            uri.addQueryParameter("dlr-url", message.dlrUrl);
        }
        plugins::HttpCall call;
        call.uri = uri;
        call.timeoutMs = settings_.timeoutMs;
        std::string why;
        const auto answer = plugins::exchange(sessions_, call, why);
        if (!answer) return {SendOutcome::Kind::transient, "", "kannel unreachable: " + why, 0};
        const int status = answer->status;
        // 202 "0: Accepted for delivery" / "3: Queued for later delivery".
        if (status == 202 || status == 200)
            return {SendOutcome::Kind::accepted, "kannel-" + std::to_string(message.id), "", 0};
        const std::string reason =
            "kannel answered " + std::to_string(status) + ": " + answer->body.substr(0, 200);
        // 4xx is a request Kannel will never take (bad credentials, bad number);
        // 5xx is Kannel being full or down for now.
        if (status >= 400 && status < 500) return {SendOutcome::Kind::permanent, "", reason, 0};
        return {SendOutcome::Kind::transient, "", reason, 0};
    }

  private:
    GatewaySettings settings_;
    plugins::SessionFactory sessions_{settings_.caFile};
};

}  // namespace

std::unique_ptr<SmsGateway> createKannelGateway(const GatewaySettings& settings) {
    return std::make_unique<KannelGateway>(settings);
}

}  // namespace lojal::sms
