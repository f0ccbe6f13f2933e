#pragma once
// The CRM connector contract: a batch of receipts out, one outcome per receipt
// back. Connectors live in plugins/crm/<name>/, registered by name in
// CrmTable.cpp. Every receipt travels with its receipt_id, which the CRM uses as
// the idempotency key (docs/CRM-PROTOCOL.md), so resending is always safe.

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace lojal::crm {

struct OutgoingReceipt {
    std::string receiptId;
    std::string json;  // the receipt as accepted from the POS
};

struct ReceiptResult {
    enum class Outcome { accepted, duplicate, rejected, missing } outcome = Outcome::missing;
    std::string reason;  // the CRM's, for rejected
};

struct BatchOutcome {
    enum class Kind { answered, transient, unauthorized } kind = Kind::transient;
    std::map<std::string, ReceiptResult> results;  // by receipt_id, when answered
    std::string reason;
    int retryAfterSeconds = 0;  // the CRM's Retry-After, 0 when none
};

class CrmConnector {
  public:
    virtual ~CrmConnector() = default;
    virtual BatchOutcome sendReceipts(const std::vector<OutgoingReceipt>& receipts) = 0;
};

struct ConnectorSettings {
    std::string url;
    std::string apiKey;
    std::string caFile = "/etc/ssl/certs/ca-certificates.crt";
    int timeoutMs = 5000;
};

struct ConnectorEntry {
    const char* name;
    std::unique_ptr<CrmConnector> (*create)(const ConnectorSettings&);
};

const std::map<std::string, ConnectorEntry>& connectorTable();

}  // namespace lojal::crm
