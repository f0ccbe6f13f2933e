#pragma once
// GET /v1/devices, GET /v1/ports and the WebSockets GET /v1/events and
// GET /v1/camera.

#include "api/Router.h"
#include "camera/CameraService.h"
#include "camera/CameraStreams.h"
#include "devices/DeviceManager.h"
#include "events/EventRing.h"
#include "events/EventStreams.h"

namespace lojal {

struct DeviceRoutesContext {
    DeviceManager& devices;
    EventRing& events;
    EventStreams& streams;
    CameraService* camera = nullptr;  // null when [camera] enabled = off
    CameraStreams* cameraStreams = nullptr;
};

void addDeviceRoutes(Router& router, DeviceRoutesContext& context);

}  // namespace lojal
