#pragma once
// POST /v1/terminals/{id}/read-card, /payments, /abort: start or stop a flow on
// a ZVT card terminal ([device.ID] with driver = zvt). Progress and the result
// come as "terminal" and "card" events on /v1/events.

#include "api/Router.h"
#include "devices/DeviceManager.h"

namespace lojal {
void addTerminalRoutes(Router& router, DeviceManager& devices);
}
