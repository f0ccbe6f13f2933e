#pragma once
// The SMS gateway contract: one message in, one outcome out. Gateways live in
// plugins/sms/<name>/ and are registered by name in GatewayTable.cpp.

#include <map>
#include <memory>
#include <string>

#include "DefaultCaFile.h"
#include "core/Result.h"

namespace lojal::sms {

struct OutgoingSms {
    int64_t id = 0;        // lojald's SMS id: the gateway's reports come back with it
    std::string to;        // E.164
    std::string text;      // UTF-8
    bool unicode = false;  // needs UCS-2
    std::string dlrUrl;    // where delivery reports go ("" when not wanted)
};

struct SendOutcome {
    enum class Kind { accepted, transient, permanent } kind = Kind::transient;
    std::string gatewayId;  // the gateway's reference, when it gives one
    std::string reason;
    int retryAfterSeconds = 0;  // a gateway's own hint, 0 when none
};

class SmsGateway {
  public:
    virtual ~SmsGateway() = default;
    virtual SendOutcome send(const OutgoingSms& message) = 0;
    virtual bool reportsDelivery() const { return false; }
};

// Gateway settings as typed by config ([sms] keys), passed through unchanged.
struct GatewaySettings {
    std::string url;       // kannel: http://127.0.0.1:13013; http: the provider's send URL
    std::string username;  // Basic auth for http (46elks: API user; Twilio: account SID)
    std::string password;
    std::string sender;
    int timeoutMs = 5000;
    // http gateway only: how the provider wants the message.
    std::string format = "form";  // form or json
    std::string toField = "to";
    std::string textField = "message";
    std::string fromField = "from";
    std::string idField = "id";  // the message id in the provider's JSON answer
    std::string caFile = kDefaultCaFile;
    std::string logFile;  // log gateway: where whole texts go (mode 0600); empty: nowhere
};

struct GatewayEntry {
    const char* name;
    std::unique_ptr<SmsGateway> (*create)(const GatewaySettings&);
};

const std::map<std::string, GatewayEntry>& gatewayTable();

}  // namespace lojal::sms
