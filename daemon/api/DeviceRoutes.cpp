#include "api/DeviceRoutes.h"

#include <Poco/JSON/Array.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/String.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>

#include "api/WsReactor.h"

#include "serial/SerialPort.h"

namespace lojal {
namespace {

using namespace std::chrono_literals;

Response listDevices(DeviceRoutesContext& context) {
    Poco::JSON::Object body;
    Poco::JSON::Array devices = context.devices.snapshot();
#ifndef _WIN32
    if (context.camera) devices.add(context.camera->describe());
#endif
    body.set("devices", devices);
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

// The upgrade happens here, on a worker; the stream then lives on the
// EventStreams reactor and this worker is free at once.
void streamEvents(DeviceRoutesContext& context, Poco::Net::HTTPServerRequest& httpRequest,
                  Poco::Net::HTTPServerResponse& httpResponse, const Request& request) {
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
        // A seq from another run of lojald: replay this run's ring from its
        // start, after a `reset` (a cursor past the newest event gives both).
        if (auto instance = request.query.find("instance");
            instance != request.query.end() && instance->second != context.events.instance())
            cursor = std::numeric_limits<uint64_t>::max();
    }
    const std::string& token = request.caller->tokenName;
    if (!context.streams.admit(token)) {
        return sendRefusal(httpResponse,
                           errorResponse(429, "too_many_streams",
                                         "this token already has the most event streams "
                                         "server.max_streams_per_token allows; close one"));
    }
    // Which run of lojald this is and where the stream starts: a client resumes
    // from here with ?since=&instance= even when no event came before it broke.
    auto socket = acceptWebSocket(
        httpRequest, httpResponse,
        {{"Lojal-Instance", context.events.instance()},
         {"Lojal-Cursor", std::to_string(std::min(cursor, context.events.lastSeq()))}});
    if (!socket) return context.streams.release(token);
    context.streams.add(std::move(*socket), cursor, token, request.connectionHold);
}

// Kiosk camera frames: upgraded here, then served by CameraStreams.
void streamCamera(DeviceRoutesContext& context, Poco::Net::HTTPServerRequest& httpRequest,
                  Poco::Net::HTTPServerResponse& httpResponse, const Request& request) {
#ifdef _WIN32
    // Kiosks run Linux: the Windows build has no decoder (docs/WINDOWS.md).
    (void)context, (void)httpRequest, (void)request;
    return sendRefusal(httpResponse,
                       errorResponse(501, "camera_not_supported",
                                     "this lojald is a Windows build, which has no camera decoder; "
                                     "kiosks run the Linux build"));
#else
    if (!context.cameraStreams) {
        return sendRefusal(httpResponse,
                           errorResponse(503, "camera_disabled",
                                         "the kiosk camera is off ([camera] enabled = off)"));
    }
    const std::string& token = request.caller->tokenName;
    if (!context.cameraStreams->admit(token)) {
        return sendRefusal(httpResponse,
                           errorResponse(429, "too_many_streams",
                                         "this token already has 4 camera sockets; close one"));
    }
    auto socket = acceptWebSocket(httpRequest, httpResponse);
    if (!socket) return context.cameraStreams->release(token);
    context.cameraStreams->add(std::move(*socket), token, request.connectionHold);
#endif
}

}  // namespace

void addDeviceRoutes(Router& router, DeviceRoutesContext& context) {
    const std::vector<Role> everyone(std::begin(kClientRoles), std::end(kClientRoles));
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
    Route camera = makeRoute("GET", "/v1/camera", {Role::kiosk, Role::admin}, nullptr);
    camera.takeover = [&context](Poco::Net::HTTPServerRequest& request,
                                 Poco::Net::HTTPServerResponse& response, const Request& parsed) {
        streamCamera(context, request, response, parsed);
    };
    camera.tokenInQuery = true;  // browsers cannot set headers on a WebSocket
    router.add(std::move(camera));
}

}  // namespace lojal
