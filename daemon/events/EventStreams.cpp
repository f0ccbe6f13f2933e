#include "events/EventStreams.h"

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>

#include <sstream>

namespace lojal {

namespace {

constexpr size_t kMaxEventsPerFill = 256;
constexpr size_t kMaxClientMessage = 4096;  // clients only send pings and closes

std::string controlMessage(const std::string& type, const Poco::JSON::Object& data) {
    std::ostringstream out;
    out << "{\"seq\":null,\"type\":\"" << type << "\",\"device\":\"\",\"data\":";
    data.stringify(out);
    out << "}";
    return out.str();
}

WsReactor::Limits reactorLimits(const EventStreams::Limits& limits) {
    WsReactor::Limits reactor;
    reactor.connectionsPerToken = limits.streamsPerToken;
    reactor.queueBytes = limits.queueBytes;
    reactor.maxMessage = kMaxClientMessage;
    return reactor;
}

}  // namespace

class EventStreams::Stream : public WsSession {
  public:
    Stream(EventRing& ring, size_t queueBytes, uint64_t cursor)
        : ring_(ring), queueBytes_(queueBytes), cursor_(cursor) {}

    // Takes events for the stream while its queue has room.
    void onRound(WsConnection& connection) override {
        if (ring_.closed()) return connection.close(ws::kGoingAway, "lojald is stopping");
        // lastSeq below the cursor: a seq from before a restart, answered with `reset`.
        while (connection.queuedBytes() < queueBytes_ && ring_.lastSeq() != cursor_) {
            const EventBatch batch = ring_.take(cursor_, kMaxEventsPerFill);
            if (batch.reset) {
                Poco::JSON::Object data;
                data.set("reason", "since is ahead of the newest event: lojald restarted");
                connection.sendText(controlMessage("reset", data));
            }
            if (batch.missed > 0) {
                Poco::JSON::Object data;
                data.set("missed", batch.missed);
                data.set("ring_size", ring_.capacity());
                connection.sendText(controlMessage("gap", data));
            }
            for (const auto& event : batch.events) connection.sendText(*event);
            if (batch.lastSeq == cursor_ && batch.events.empty()) break;
            cursor_ = batch.lastSeq;
        }
    }

  private:
    EventRing& ring_;
    const size_t queueBytes_;
    uint64_t cursor_;
};

EventStreams::EventStreams(EventRing& ring, Limits limits)
    : ring_(ring), reactor_("events", reactorLimits(limits)) {}

EventStreams::~EventStreams() {
    stop();
}

void EventStreams::start() {
    ring_.setListener([this] { reactor_.wake(); });
    reactor_.start();
}

void EventStreams::stop() {
    reactor_.stop();
}

void EventStreams::add(Poco::Net::StreamSocket socket, uint64_t cursor, const std::string& token,
                       std::shared_ptr<void> hold) {
    Poco::Logger::get("lojal.events")
        .information("events: %s connected from seq %s", token, std::to_string(cursor));
    reactor_.add(std::move(socket), token, std::move(hold),
                 std::make_unique<Stream>(ring_, reactor_.limits().queueBytes, cursor));
}

}  // namespace lojal
