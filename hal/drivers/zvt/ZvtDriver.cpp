#include "drivers/zvt/ZvtDriver.h"

#include <Poco/JSON/Array.h>

#include <cctype>
#include <optional>

#include "core/Crypto.h"
#include "core/Money.h"
#include "drivers/zvt/ZvtSession.h"

namespace lojal::hal {
namespace {

using zvt::FlowEvent;
using zvt::StatusInformation;

int64_t millis(TimePoint when) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
}

std::string hexOf(const zvt::Bytes& bytes) {
    static const char* const kDigits = "0123456789abcdef";
    std::string text;
    for (uint8_t byte : bytes) {
        text += kDigits[byte >> 4];
        text += kDigits[byte & 15];
    }
    return text;
}

struct ZvtOptions {
    std::string tokenKey;
    uint32_t password = 0;
    uint16_t currency = 978;
    uint8_t readTimeoutSeconds = 30;
    zvt::Timeouts timeouts;
    bool registerOnOpen = true;
};

Result<int64_t> number(const DriverOptions& options, const std::string& name, int64_t fallback,
                       int64_t min, int64_t max) {
    const auto found = options.find(name);
    if (found == options.end()) return fallback;
    const auto value = parseDecimal(found->second, 0);
    if (!value || *value < min || *value > max) {
        return Error{ErrorCode::arg, "option '" + name + "': expected " + std::to_string(min) +
                                         " to " + std::to_string(max)};
    }
    return *value;
}

class ZvtDriver : public Driver {
  public:
    ZvtDriver(ZvtOptions options, DriverContext context)
        : options_(std::move(options)), context_(std::move(context)), session_(options_.timeouts) {}

    std::chrono::milliseconds tickInterval() const override {
        return std::chrono::milliseconds(20);
    }

    void onOpen(PortWriter& port, TimePoint now, EventSink& sink) override {
        port_ = &port;
        link_ = port.kind() == PortKind::tcp ? zvt::Link::tcp : zvt::Link::serial;
        session_ = zvt::ZvtSession(options_.timeouts, link_);
        if (options_.registerOnOpen) {
            // Config byte 08: send intermediate status (what the terminal shows).
            startFlow("registration",
                      zvt::registration(options_.password, zvt::kConfigIntermediateStatus,
                                        options_.currency),
                      zvt::FlowEnd::completion, now, sink);
        }
    }

    void onClose(TimePoint, EventSink& sink) override {
        if (session_.busy()) {
            FlowEvent lost;
            lost.text = "the terminal's port closed during the flow";
            publishFinished(lost, sink);
        }
        session_ = zvt::ZvtSession(options_.timeouts, link_);
        port_ = nullptr;
    }

    void onBytes(std::string_view bytes, TimePoint now, EventSink& sink) override {
        apply(session_.onBytes(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                               millis(now)),
              sink);
    }

    void onTick(TimePoint now, EventSink& sink) override {
        apply(session_.onTick(millis(now)), sink);
    }

    Result<Poco::JSON::Object> command(const std::string& name, const Poco::JSON::Object& args,
                                       TimePoint now, EventSink& sink) override {
        if (name == "abort") {
            if (!session_.busy()) return Error{ErrorCode::arg, "no flow to abort"};
            apply(session_.abort(millis(now)), sink);
            Poco::JSON::Object answer = flowAnswer();
            // Read Card takes the Abort at once; other flows only in place of the
            // answer to the terminal's next message (see FLOWS.md).
            answer.set("abort", session_.abortSent() ? "sent" : "pending");
            return answer;
        }
        if (name == "flow") return flowState();
        if (session_.busy()) {
            return Error{ErrorCode::busy, "flow " + std::to_string(flowId_) + " (" + flowName_ +
                                              ") is still running on this terminal"};
        }
        // Optional; when given, a string of 1 to 64 of the safe characters.
        std::string reference;
        if (args.has("reference")) {
            const Poco::Dynamic::Var value = args.get("reference");
            if (value.isString()) reference = value.extract<std::string>();
            if (!isValidReference(reference)) {
                return Error{ErrorCode::arg, "'reference' must be 1 to 64 of A-Z a-z 0-9 . _ : -"};
            }
        }
        nextReference_ = reference;
        if (name == "read-card") {
            startFlow("read-card", zvt::readCard(options_.readTimeoutSeconds),
                      zvt::FlowEnd::statusInformation, now, sink);
            return flowAnswer();
        }
        if (name == "payment") {
            const std::string amount = args.optValue<std::string>("amount", "");
            const auto minor = parseDecimal(amount, 2);
            if (!minor || *minor <= 0 || *minor > 99999999) {
                return Error{ErrorCode::arg,
                             "'amount' must be a decimal string from 0.01 to 999999.99"};
            }
            startFlow("payment", zvt::authorization(*minor, options_.currency),
                      zvt::FlowEnd::completion, now, sink);
            return flowAnswer();
        }
        if (name == "status") {
            startFlow("status", zvt::statusEnquiry(options_.password), zvt::FlowEnd::completion,
                      now, sink);
            return flowAnswer();
        }
        if (name == "log-off") {
            startFlow("log-off", zvt::logOff(), zvt::FlowEnd::answer, now, sink);
            return flowAnswer();
        }
        return Error{ErrorCode::unsupported,
                     "a terminal takes read-card, payment, status, log-off or abort"};
    }

  private:
    // The register's own name for a flow, so after a lost answer it can ask
    // whether its payment started instead of starting a second one.
    static bool isValidReference(const std::string& reference) {
        if (reference.empty() || reference.size() > 64) return false;
        for (const char c : reference) {
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != ':' &&
                c != '-')
                return false;
        }
        return true;
    }

    Poco::JSON::Object flowAnswer() const {
        Poco::JSON::Object answer;
        answer.set("flow_id", flowId_);
        answer.set("flow", flowName_);
        if (!flowReference_.empty()) answer.set("reference", flowReference_);
        return answer;
    }

    // The newest flow: running, or finished with its result.
    Poco::JSON::Object flowState() const {
        Poco::JSON::Object state;
        if (flowId_ == 0) {
            state.set("stage", "none");
            return state;
        }
        state = flowAnswer();
        state.set("stage", session_.busy() ? "running" : "finished");
        if (!session_.busy() && lastFinished_) state.set("result", *lastFinished_);
        return state;
    }

    void startFlow(const std::string& name, const zvt::Bytes& command, zvt::FlowEnd end,
                   TimePoint now, EventSink& sink) {
        zvt::ZvtSession::Output out;
        if (!session_.start(command, end, millis(now), out)) return;
        ++flowId_;
        flowName_ = name;
        flowReference_ = nextReference_;
        nextReference_.clear();
        lastFinished_.reset();
        printLines_.clear();
        Poco::JSON::Object data = flowAnswer();
        data.set("stage", "started");
        if (name == "registration" || name == "payment") data.set("currency", options_.currency);
        sink.publish("terminal", data);
        apply(out, sink);
    }

    void apply(const zvt::ZvtSession::Output& out, EventSink& sink) {
        if (!out.write.empty() && port_) {
            if (auto written = port_->write(out.write.data(), out.write.size()); !written)
                sink.count("write_errors");
        }
        if (out.reconnect && port_) port_->reconnect();
        const int errors = session_.protocolErrors();
        for (int i = countedErrors_; i < errors; ++i) sink.count("protocol_errors");
        countedErrors_ = errors;
        const int collisions = session_.collisions();
        for (int i = countedCollisions_; i < collisions; ++i) sink.count("abort_collisions");
        countedCollisions_ = collisions;
        for (const FlowEvent& event : out.events) {
            switch (event.kind) {
                case FlowEvent::Kind::intermediate:
                    publishStage("intermediate", event.text, sink);
                    break;
                case FlowEvent::Kind::printLine: printLines_.push_back(event.text); break;
                case FlowEvent::Kind::status:
                    countStatusProblems(event.info, sink);
                    // Only a card read or a payment reads a card: a status
                    // information in any other flow must never attach an old card
                    // to the customer at the till.
                    if (flowName_ == "read-card" || flowName_ == "payment")
                        publishCard(event.info, sink);
                    break;
                case FlowEvent::Kind::finished: publishFinished(event, sink); break;
            }
        }
    }

    void publishStage(const std::string& stage, const std::string& text, EventSink& sink) {
        Poco::JSON::Object data = flowAnswer();
        data.set("stage", stage);
        data.set("text", text);
        sink.publish("terminal", data);
    }

    // Counted when the terminal oversteps (whole PAN, track data) or sends
    // what cannot be read, whatever the flow.
    static void countStatusProblems(const StatusInformation& info, EventSink& sink) {
        if (info.panWasInClear) sink.count("pan_in_clear");
        if (info.trackDataSeen) sink.count("track_data_dropped");
        if (!info.problem.empty()) sink.count("status_parse_problems");
    }

    // The card of a read or a payment as a token, with its member.
    void publishCard(const StatusInformation& info, EventSink& sink) {
        std::string source;
        std::string kind;
        if (!info.cardIdentification.empty()) {
            source = "1F14:" + hexOf(info.cardIdentification);
            kind = "card_id";
        } else if (!info.maskedPan.empty()) {
            source = "pan:" + info.maskedPan + ":" + std::to_string(info.cardType.value_or(-1)) +
                     ":" + info.expiry;
            kind = "pan_expiry";
        }
        if (source.empty()) return;
        Poco::JSON::Object card = flowAnswer();
        const std::string token = cardToken(options_.tokenKey, source);
        card.set("token", token);
        card.set("token_source", kind);
        if (info.cardType) card.set("card_type", *info.cardType);
        if (!info.cardName.empty()) card.set("card_name", info.cardName);
        if (!info.maskedPan.empty()) card.set("masked_pan", info.maskedPan);
        if (context_.findMember && *context_.findMember) {
            const Poco::JSON::Object member = (*context_.findMember)(token);
            if (member.size() > 0) card.set("member", member);
        }
        sink.publish("card", card);
    }

    void publishFinished(const FlowEvent& event, EventSink& sink) {
        Poco::JSON::Object data = flowAnswer();
        data.set("stage", "finished");
        data.set("ok", event.ok);
        if (event.code >= 0) data.set("code", event.code);
        if (!event.text.empty()) data.set("reason", event.text);
        const StatusInformation& info = event.info;
        if (info.amountMinor) data.set("amount", formatDecimal(*info.amountMinor, 2));
        if (!info.trace.empty()) data.set("trace", info.trace);
        if (!info.receipt.empty()) data.set("receipt_number", info.receipt);
        if (!info.terminalId.empty()) data.set("terminal_id", info.terminalId);
        if (!info.maskedPan.empty()) data.set("masked_pan", info.maskedPan);
        if (info.cardType) data.set("card_type", *info.cardType);
        // What could not be read in the terminal's status (unknown BMP, a TLV
        // nested too deep or longer than its container), so store IT sees it.
        if (!info.problem.empty()) data.set("status_problem", info.problem);
        if (flowName_ == "status") {
            if (const auto status = zvt::parseStatusEnquiryCompletion(event.completion)) {
                data.set("terminal_status", status->statusCode);
                if (!status->softwareVersion.empty())
                    data.set("software_version", status->softwareVersion);
            }
        }
        Poco::JSON::Array lines;
        for (const std::string& line : printLines_) lines.add(line);
        data.set("receipt_lines", lines);
        lastFinished_ = data;
        sink.publish("terminal", data);
        sink.count(event.ok ? "flows_ok" : "flows_failed");
    }

    ZvtOptions options_;
    DriverContext context_;
    zvt::ZvtSession session_;
    PortWriter* port_ = nullptr;
    int flowId_ = 0;
    std::string flowName_;
    std::string flowReference_;
    std::string nextReference_;
    std::optional<Poco::JSON::Object> lastFinished_;
    std::vector<std::string> printLines_;
    int countedErrors_ = 0;
    int countedCollisions_ = 0;
    zvt::Link link_ = zvt::Link::serial;
};

}  // namespace

SerialSettings zvtSerialDefaults() {
    SerialSettings settings;
    settings.baud = 9600;
    settings.stopBits = 2;
    return settings;
}

std::string cardToken(const std::string& key, const std::string& source) {
    const auto mac = hmacSha256(key, source);
    return "ct_" + base64Url(mac.data(), mac.size()).substr(0, 32);
}

Result<std::unique_ptr<Driver>> createZvtDriver(const DriverOptions& options,
                                                const DriverContext& context) {
    ZvtOptions parsed;
    for (const auto& [name, value] : options) {
        static const char* const known[] = {
            "card_token_key", "password", "currency", "read_timeout_seconds",
            "t2_ms",          "t3_ms",    "t4_ms",    "register_on_open"};
        if (std::find(std::begin(known), std::end(known), name) == std::end(known))
            return Error{ErrorCode::arg, "option '" + name + "': unknown for driver zvt"};
    }
    const auto key = options.find("card_token_key");
    if (key == options.end() || key->second.size() < 16) {
        return Error{ErrorCode::arg,
                     "option 'card_token_key': required, at least 16 characters (the same in "
                     "every store)"};
    }
    parsed.tokenKey = key->second;
    if (const auto password = options.find("password"); password != options.end()) {
        const auto digits = parseDecimal(password->second, 0);
        if (password->second.size() != 6 || !digits)
            return Error{ErrorCode::arg, "option 'password': 6 digits"};
        parsed.password = static_cast<uint32_t>(*digits);
    }
    // The terminal must be registered with the currency the store takes.
    const int64_t storeCurrency = context.currencyNumeric > 0 ? context.currencyNumeric : 978;
    auto currency = number(options, "currency", storeCurrency, 1, 999);
    auto timeout = number(options, "read_timeout_seconds", 30, 1, 255);
    auto t2 = number(options, "t2_ms", 5000, 100, 60000);
    auto t3 = number(options, "t3_ms", 5000, 100, 600000);
    auto t4 = number(options, "t4_ms", 180000, 1000, 3600000);
    for (const auto* result : {&currency, &timeout, &t2, &t3, &t4}) {
        if (!*result) return result->error();
    }
    parsed.currency = static_cast<uint16_t>(*currency);
    parsed.readTimeoutSeconds = static_cast<uint8_t>(*timeout);
    parsed.timeouts.t2Ms = static_cast<int>(*t2);
    parsed.timeouts.t3Ms = static_cast<int>(*t3);
    parsed.timeouts.t4Ms = static_cast<int>(*t4);
    if (const auto reg = options.find("register_on_open"); reg != options.end()) {
        if (reg->second != "on" && reg->second != "off")
            return Error{ErrorCode::arg, "option 'register_on_open': on or off"};
        parsed.registerOnOpen = reg->second == "on";
    }
    return std::unique_ptr<Driver>(std::make_unique<ZvtDriver>(parsed, context));
}

}  // namespace lojal::hal
