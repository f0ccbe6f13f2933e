#pragma once
#include "CrmConnector.h"

namespace lojal::crm {
// Voyado Engage's REST API v2 (docs/CRM-PROTOCOL.md, "voyado").
std::unique_ptr<CrmConnector> createVoyadoConnector(const ConnectorSettings& settings);
}  // namespace lojal::crm
