#include "api/DeviceRoutes.h"

#include <Poco/JSON/Array.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/WebSocket.h>

#include <charconv>

#include "serial/SerialPort.h"

namespace lojal {
namespace {

using namespace std::chrono_literals;

Response listDevices(DeviceRoutesContext& context) {
    Poco::JSON::Object body;
    body.set("devices", context.devices.snapshot());
    return jsonResponse(200, body);
}

Response listPorts() {
    auto ports = hal::listPorts();
    if (!ports) return errorResponse(500, "internal", ports.error().message);
    Poco::JSON::Array list;
    for (const auto& port : *ports) {
        Poco::JSON::Object item;
        item.set("name", port.name);
        item.set("description", port.description);
        item.set("transport", port.transport);
        if (port.usbVendorId >= 0) {
            char usb[16];
            std::snprintf(usb, sizeof usb, "%04x:%04x", port.usbVendorId, port.usbProductId);
            item.set("usb", std::string(usb));
            item.set("serial_number", port.serialNumber);
        }
        list.add(item);
    }
    Poco::JSON::Object body;
    body.set("ports", list);
    return jsonResponse(200, body);
}

std::string controlMessage(const std::string& type, const Poco::JSON::Object& data) {
    std::ostringstream out;
    out << "{\"seq\":null,\"type\":\"" << type << "\",\"device\":\"\",\"data\":";
    data.stringify(out);
    out << "}";
    return out.str();
}

void sendText(Poco::Net::WebSocket& socket, const std::string& text) {
    socket.sendFrame(text.data(), static_cast<int>(text.size()), Poco::Net::WebSocket::FRAME_TEXT);
}

// Answers pings and notices a close; true while the client is still there.
bool serviceClientFrames(Poco::Net::WebSocket& socket) {
    while (socket.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ)) {
        char buffer[1024];
        int flags = 0;
        const int n = socket.receiveFrame(buffer, sizeof buffer, flags);
        const int opcode = flags & Poco::Net::WebSocket::FRAME_OP_BITMASK;
        if (n <= 0 || opcode == Poco::Net::WebSocket::FRAME_OP_CLOSE) return false;
        if (opcode == Poco::Net::WebSocket::FRAME_OP_PING) {
            constexpr int pong = static_cast<int>(Poco::Net::WebSocket::FRAME_FLAG_FIN) |
                                 static_cast<int>(Poco::Net::WebSocket::FRAME_OP_PONG);
            socket.sendFrame(buffer, n, pong);
        }
    }
    return true;
}

// Before the upgrade, refusals go out as ordinary JSON errors.
void sendRefusal(Poco::Net::HTTPServerResponse& httpResponse, const Response& refusal) {
    httpResponse.setStatusAndReason(
        static_cast<Poco::Net::HTTPResponse::HTTPStatus>(refusal.status));
    httpResponse.setContentType(refusal.contentType);
    httpResponse.setContentLength64(static_cast<Poco::Int64>(refusal.body.size()));
    httpResponse.send() << refusal.body;
}

void streamEvents(DeviceRoutesContext& context, Poco::Net::HTTPServerRequest& httpRequest,
                  Poco::Net::HTTPServerResponse& httpResponse, const Request& request) {
    Poco::Logger& log = Poco::Logger::get("lojal.events");
    uint64_t cursor = context.events.lastSeq();  // without ?since=: only what happens next
    if (auto since = request.query.find("since"); since != request.query.end()) {
        const std::string& text = since->second;
        uint64_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size()) {
            return sendRefusal(httpResponse, errorResponse(400, "invalid_field",
                                                           "'since' must be a sequence number"));
        }
        cursor = value;
    }
    std::unique_ptr<Poco::Net::WebSocket> socket;
    try {
        socket = std::make_unique<Poco::Net::WebSocket>(httpRequest, httpResponse);
    } catch (const Poco::Net::WebSocketException& e) {
        // Not an upgrade request: Poco has not answered yet.
        return sendRefusal(httpResponse,
                           errorResponse(400, "websocket_required",
                                         "connect with a WebSocket client: " + e.displayText()));
    }
    // A client that stops reading blocks only its own thread, and only this long.
    socket->setSendTimeout(Poco::Timespan(2, 0));
    log.information("events: %s connected from seq %Lu", request.caller->tokenName,
                    static_cast<unsigned long long>(cursor));
    try {
        while (!context.events.closed()) {
            EventBatch batch = context.events.waitAfter(cursor, 250ms);
            if (batch.reset) {
                Poco::JSON::Object data;
                data.set("reason", "since is ahead of the newest event: lojald restarted");
                sendText(*socket, controlMessage("reset", data));
            }
            if (batch.missed > 0) {
                Poco::JSON::Object data;
                data.set("missed", batch.missed);
                data.set("ring_size", context.events.capacity());
                sendText(*socket, controlMessage("gap", data));
            }
            for (const auto& event : batch.events) sendText(*socket, *event);
            cursor = batch.lastSeq;
            if (!serviceClientFrames(*socket)) break;
        }
        socket->shutdown(Poco::Net::WebSocket::WS_ENDPOINT_GOING_AWAY, "lojald is stopping");
    } catch (const Poco::Exception& e) {
        log.information("events: %s dropped: %s", request.caller->tokenName, e.displayText());
    }
}

}  // namespace

void addDeviceRoutes(Router& router, DeviceRoutesContext& context) {
    const std::vector<Role> everyone(std::begin(kAllRoles), std::end(kAllRoles));
    router.add(makeRoute("GET", "/v1/devices", everyone,
                         [&context](const Request&) { return listDevices(context); }));
    router.add(
        makeRoute("GET", "/v1/ports", {Role::admin}, [](const Request&) { return listPorts(); }));
    Route events = makeRoute("GET", "/v1/events", everyone, nullptr);
    events.takeover = [&context](Poco::Net::HTTPServerRequest& request,
                                 Poco::Net::HTTPServerResponse& response, const Request& parsed) {
        streamEvents(context, request, response, parsed);
    };
    events.tokenInQuery = true;
    router.add(std::move(events));
}

}  // namespace lojal
