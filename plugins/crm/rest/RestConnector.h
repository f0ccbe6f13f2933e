#pragma once
#include "CrmConnector.h"

namespace lojal::crm {
// The generic REST protocol of docs/CRM-PROTOCOL.md: POST {url}/v1/receipts/batch.
std::unique_ptr<CrmConnector> createRestConnector(const ConnectorSettings& settings);
}  // namespace lojal::crm
