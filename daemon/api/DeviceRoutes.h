#pragma once
// GET /v1/devices, GET /v1/ports and the WebSocket GET /v1/events.

#include "api/Router.h"
#include "devices/DeviceManager.h"
#include "events/EventRing.h"
#include "events/EventStreams.h"

namespace lojal {

struct DeviceRoutesContext {
    DeviceManager& devices;
    EventRing& events;
    EventStreams& streams;
};

void addDeviceRoutes(Router& router, DeviceRoutesContext& context);

}  // namespace lojal
