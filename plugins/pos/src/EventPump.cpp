#include "EventPump.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/Timestamp.h>

#include <charconv>
#include <sstream>

#include "Client.h"
#include "Errors.h"
#include "ThreadSignals.h"

namespace lojal::pos {
namespace {

using namespace std::chrono_literals;

constexpr auto kFirstBackoff = 250ms;
constexpr auto kLongestBackoff = 5s;
// No frame for this long: ping; a second silence ends the stream.
constexpr auto kQuietLimit = 10s;
constexpr int kMaxFrameBytes = 4 * 1024 * 1024;
constexpr size_t kFlowsKept = 64;

std::string quoted(const std::string& text) {
    std::ostringstream out;
    Poco::JSON::Stringifier::formatString(text, out);
    return out.str();
}

std::string nowText() {
    return Poco::DateTimeFormatter::format(Poco::Timestamp(), "%Y-%m-%dT%H:%M:%S.%iZ");
}

std::string stringify(const Poco::JSON::Object& object) {
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

}  // namespace

EventPump::EventPump(Client& client) : client_(client) {}

EventPump::~EventPump() {
    stop();
}

void EventPump::setEnabled(bool enabled) {
    std::unique_lock lock(mutex_);
    if (enabled && !running_ && !stop_) {
        running_ = true;
        thread_ = std::thread([this] { run(); });
        return;
    }
    if (!enabled && running_) {
        lock.unlock();
        stop();
        lock.lock();
        stop_ = false;  // may be enabled again
    }
}

void EventPump::stop() {
    std::thread thread;
    {
        std::lock_guard lock(mutex_);
        if (!running_) return;
        if (std::this_thread::get_id() == threadId_) return;  // from the callback: see lojal.h
        stop_ = true;
        shutdownSocket(streamFd_);
        if (handshake_) client_.calls().cancel(*handshake_);
        thread.swap(thread_);
    }
    changed_.notify_all();
    thread.join();
    std::lock_guard lock(mutex_);
    running_ = false;
    online_ = false;
}

void EventPump::setQueueMax(size_t max) {
    std::lock_guard lock(mutex_);
    queue_.setMax(max);
}

void EventPump::setCallback(lojal_event_callback callback, void* user) {
    std::unique_lock lock(mutex_);
    callback_ = callback;
    callbackUser_ = user;
    // Once this returns the old callback is not running and never runs again,
    // so the host may free what its user pointer points to. (From the callback
    // itself there is nothing to wait for.)
    if (std::this_thread::get_id() != threadId_)
        changed_.wait(lock, [this] { return !inCallback_; });
}

void EventPump::wake() {
    std::lock_guard lock(mutex_);
    changed_.notify_all();
}

bool EventPump::onEventThread() const {
    std::lock_guard lock(mutex_);
    return running_ && std::this_thread::get_id() == threadId_;
}

uint64_t EventPump::resets() const {
    std::lock_guard lock(mutex_);
    return resets_;
}

bool EventPump::online() const {
    std::lock_guard lock(mutex_);
    return online_;
}

int EventPump::next(Call& call, QueuedEvent& event) {
    std::unique_lock lock(mutex_);
    const bool ready = changed_.wait_until(
        lock, call.deadline, [&] { return !queue_.empty() || call.cancelled.load(); });
    if (call.cancelled) return fail(LOJAL_E_CANCELLED, "the wait was cancelled");
    if (!ready) return fail(LOJAL_E_TIMEOUT, "no event within the timeout");
    event = *queue_.pop(nowText());
    return succeed();
}

bool EventPump::waitFlow(Call& call, const std::string& terminal, int flowId,
                         Clock::time_point until, FlowRecord& record) {
    std::unique_lock lock(mutex_);
    const auto key = std::make_tuple(terminal, flowId);
    changed_.wait_until(lock, until, [&] {
        const auto found = flows_.find(key);
        return call.cancelled.load() || (found != flows_.end() && !found->second.finished.empty());
    });
    const auto found = flows_.find(key);
    if (found == flows_.end() || found->second.finished.empty()) return false;
    record = found->second;
    return true;
}

void EventPump::run() {
    blockSigpipeInThisThread();
    {
        std::lock_guard lock(mutex_);
        threadId_ = std::this_thread::get_id();
    }
    auto backoff = std::chrono::milliseconds(kFirstBackoff);
    for (;;) {
        std::string why;
        if (stream(why)) backoff = kFirstBackoff;  // it was up: try again at once-ish
        std::unique_lock lock(mutex_);
        if (stop_) break;
        const bool wasOnline = online_;
        online_ = false;
        if (wasOnline || !announcedOffline_) {
            announcedOffline_ = true;
            lock.unlock();
            Poco::JSON::Object data;
            data.set("state", "offline");
            data.set("reason", why);
            announce("connection", stringify(data));
            lock.lock();
        }
        changed_.wait_for(lock, backoff, [this] { return stop_; });
        if (stop_) break;
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, kLongestBackoff);
    }
}

// One stream from connect to break; true when it got as far as the upgrade.
bool EventPump::stream(std::string& why) {
    std::unique_ptr<Poco::Net::WebSocket> socket;
    std::string lojaldVersion;
    {
        BoundedCall bounded(
            client_, Clock::now() + std::chrono::milliseconds(client_.options().connectTimeoutMs +
                                                              client_.options().requestTimeoutMs));
        if (bounded.status() != LOJAL_OK) {
            why = "the handle is being freed";
            return false;
        }
        Call& call = bounded.call();
        struct Handshake {  // stop() may cancel the call while it is open
            EventPump& pump;
            Handshake(EventPump& p, Call& c) : pump(p) {
                std::lock_guard lock(pump.mutex_);
                pump.handshake_ = &c;
                if (pump.stop_) c.cancelled = true;
            }
            ~Handshake() {
                std::lock_guard lock(pump.mutex_);
                pump.handshake_ = nullptr;
            }
        } handshake(*this, call);
        HttpAnswer health;
        if (client_.checkVersion(call, &health) != LOJAL_OK) {
            why = lastError().message;
            return false;
        }
        try {
            Poco::JSON::Parser parser;
            const auto root = parser.parse(health.body).extract<Poco::JSON::Object::Ptr>();
            lojaldVersion = root->optValue<std::string>("version", "");
        } catch (const Poco::Exception&) {
        }
        std::string target = "/v1/events";
        {
            std::lock_guard lock(mutex_);
            if (haveCursor_) {
                target += "?since=" + std::to_string(lastSeq_);
                if (!instance_.empty()) target += "&instance=" + instance_;
            }
        }
        try {
            auto session = client_.transport().connect(call, client_.options().connectTimeoutMs);
            Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, target,
                                           Poco::Net::HTTPMessage::HTTP_1_1);
            request.setHost(client_.transport().hostHeader());
            request.set("Authorization", "Bearer " + client_.token());
            request.set("User-Agent", client_.userAgent());
            Poco::Net::HTTPResponse response;
            socket = std::make_unique<Poco::Net::WebSocket>(*session, request, response);
            client_.calls().detach(call);
            std::lock_guard lock(mutex_);
            streamFd_ = socket->impl()->sockfd();
            if (stop_) shutdownSocket(streamFd_);
            const std::string instance = response.get("Lojal-Instance", "");
            if (!haveCursor_) {
                const std::string cursor = response.get("Lojal-Cursor", "0");
                std::from_chars(cursor.data(), cursor.data() + cursor.size(), lastSeq_);
                haveCursor_ = true;
            }
            instance_ = instance;
        } catch (const Poco::Exception& e) {
            client_.calls().detach(call);
            why = call.cancelled ? "the handle is being freed"
                                 : "the event stream did not open: " + e.displayText();
            return false;
        }
    }
    {
        std::lock_guard lock(mutex_);
        online_ = true;
        announcedOffline_ = false;
    }
    Poco::JSON::Object data;
    data.set("state", "online");
    data.set("lojald", lojaldVersion);
    announce("connection", stringify(data));
    receive(*socket, why);
    std::lock_guard lock(mutex_);
    streamFd_ = kNoSocket;  // before the socket closes
    socket.reset();
    return true;
}

void EventPump::receive(Poco::Net::WebSocket& socket, std::string& why) {
    socket.setMaxPayloadSize(kMaxFrameBytes);
    socket.setReceiveTimeout(Poco::Timespan(std::chrono::microseconds(kQuietLimit).count()));
    Poco::Buffer<char> buffer(0);
    bool pinged = false;
    for (;;) {
        int flags = 0;
        int length = 0;
        try {
            buffer.resize(0);
            length = socket.receiveFrame(buffer, flags);
        } catch (const Poco::TimeoutException&) {
            if (pinged) {
                why = "lojald stopped answering pings";
                return;
            }
            pinged = true;
            try {
                socket.sendFrame("", 0,
                                 static_cast<int>(Poco::Net::WebSocket::FRAME_OP_PING) |
                                     static_cast<int>(Poco::Net::WebSocket::FRAME_FLAG_FIN));
            } catch (const Poco::Exception& e) {
                why = "the event stream broke: " + e.displayText();
                return;
            }
            continue;
        } catch (const Poco::Exception& e) {
            why = "the event stream broke: " + e.displayText();
            return;
        }
        pinged = false;
        const int opcode = flags & Poco::Net::WebSocket::FRAME_OP_BITMASK;
        if ((length == 0 && flags == 0) || opcode == Poco::Net::WebSocket::FRAME_OP_CLOSE) {
            why = "lojald closed the event stream";
            return;
        }
        if (opcode == Poco::Net::WebSocket::FRAME_OP_TEXT)
            handle(std::string(buffer.begin(), static_cast<size_t>(length)));
    }
}

// One of lojald's messages: dropped when already delivered, else remembered for
// terminal flows and delivered.
void EventPump::handle(const std::string& json) {
    uint64_t seq = 0;
    std::string type;
    std::string device;
    Poco::JSON::Object::Ptr data;
    try {
        Poco::JSON::Parser parser;
        const auto root = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
        if (!root) return;
        if (!root->isNull("seq")) seq = root->getValue<uint64_t>("seq");
        type = root->optValue<std::string>("type", "");
        device = root->optValue<std::string>("device", "");
        data = root->getObject("data");
    } catch (const Poco::Exception&) {
        return;  // not an event: nothing a host could use
    }
    {
        std::lock_guard lock(mutex_);
        if (type == "reset") {
            // Another run of lojald: its sequence and flow ids start again.
            lastSeq_ = 0;
            ++resets_;
            flows_.clear();
            flowOrder_.clear();
        }
        if (seq != 0) {
            if (seq <= lastSeq_) return;  // seen before the reconnect
            lastSeq_ = seq;
        }
        if ((type == "terminal" || type == "card") && data && data->has("flow_id")) {
            const auto key = std::make_tuple(device, data->optValue<int>("flow_id", 0));
            if (!flows_.count(key)) {
                flowOrder_.push_back(key);
                if (flowOrder_.size() > kFlowsKept) {
                    flows_.erase(flowOrder_.front());
                    flowOrder_.pop_front();
                }
            }
            FlowRecord& record = flows_[key];
            record.reference = data->optValue<std::string>("reference", record.reference);
            if (type == "card") record.card = stringify(*data);
            if (type == "terminal" && data->optValue<std::string>("stage", "") == "finished")
                record.finished = stringify(*data);
        }
    }
    deliver(seq, json);
}

void EventPump::announce(const std::string& type, const std::string& dataJson) {
    deliver(0, "{\"seq\":null,\"time\":\"" + nowText() + "\",\"type\":" + quoted(type) +
                   ",\"device\":\"\",\"source\":\"lojal\",\"data\":" + dataJson + "}");
}

void EventPump::deliver(uint64_t seq, std::string json) {
    std::unique_lock lock(mutex_);
    if (callback_) {
        const auto callback = callback_;
        void* const user = callbackUser_;
        inCallback_ = true;
        lock.unlock();
        callback(user, seq, json.c_str());
        lock.lock();
        inCallback_ = false;
        changed_.notify_all();  // terminal waits look at flows_; setCallback waits for this
        return;
    }
    queue_.push(QueuedEvent{seq, std::move(json)});
    changed_.notify_all();
}

}  // namespace lojal::pos
