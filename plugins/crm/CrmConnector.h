#pragma once
// The CRM connector contract: a batch of receipts out, one outcome per receipt
// back. Connectors live in plugins/crm/<name>/, registered by name in
// CrmTable.cpp. Every receipt travels with its receipt_id, which the CRM uses as
// the idempotency key (docs/CRM-PROTOCOL.md), so resending is always safe.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "DefaultCaFile.h"

namespace lojal::crm {

struct OutgoingReceipt {
    std::string receiptId;
    std::string json;  // the receipt as accepted from the POS
};

struct ReceiptResult {
    // skipped: this CRM cannot hold it (voyado: a receipt without a member); it
    // counts as synced and the reason is logged.
    enum class Outcome {
        accepted,
        duplicate,
        rejected,
        missing,
        skipped
    } outcome = Outcome::missing;
    std::string reason;  // the CRM's, for rejected and skipped
};

struct BatchOutcome {
    enum class Kind { answered, transient, unauthorized } kind = Kind::transient;
    std::map<std::string, ReceiptResult> results;  // by receipt_id, when answered
    std::string reason;         // also when answered in part (the rest is "missing")
    int retryAfterSeconds = 0;  // the CRM's Retry-After, 0 when none
};

// A sign-up at the checkout with the consents the customer gave, for the CRM to
// create (or find) the contact. key is the idempotency key: "{store_id}/signup/{id}".
struct Consent {
    std::string purpose;  // "marketing_sms"
    bool granted = false;
    std::string textVersion;
    std::string textShown;
};

struct OutgoingSignup {
    std::string key;
    std::string phone;  // E.164
    std::string locale;
    std::string storeId;
    std::string registerId;
    std::string cashierId;
    std::string createdAt;  // RFC 3339, UTC
    std::vector<Consent> consents;
};

// A customer's erasure (GDPR) asked for at the store, for the CRM to carry out
// too. key ("{store_id}/erasure/{n}") is the idempotency key; memberId, phone
// or both are set.
struct OutgoingErasure {
    std::string key;
    std::string memberId;
    std::string phone;  // E.164
    std::string storeId;
    std::string requestedAt;  // RFC 3339, UTC
};

struct Offer {
    std::string offerId;
    std::string title;
    std::string validFrom;  // RFC 3339
    std::string validTo;    // RFC 3339 UTC for a member's own offers; "" : open-ended
    std::string tier;       // "" for everyone
};

// A member as the CRM knows them (docs/CRM-PROTOCOL.md "Members").
struct Member {
    std::string memberId;
    std::string phone;  // E.164, when the CRM gives it
    std::vector<std::string> cardTokens;
    std::string tier;
    int64_t points = 0;
    // The member's own offers (voyado: promotions and vouchers); only when
    // ownOffersKnown, else the cache keeps the ones it has.
    std::vector<Offer> ownOffers;
    bool ownOffersKnown = false;
};

struct MemberQuery {
    enum class Kind { phone, cardToken, memberId } kind = Kind::memberId;
    std::string value;  // phone in E.164
};

struct LookupOutcome {
    enum class Kind { found, notFound, unavailable } kind = Kind::unavailable;
    Member member;
    std::string reason;  // for unavailable
};

// One page of member changes since a cursor: changed members and erased ones
// (deleted in the CRM, or a GDPR erasure), whose local data must go.
struct MemberChanges {
    bool ok = false;
    std::vector<Member> changed;
    std::vector<std::string> erasedIds;
    std::string nextCursor;
    bool more = false;
    std::string reason;  // when not ok
};

struct OffersOutcome {
    bool ok = false;
    std::vector<Offer> offers;
    std::string reason;
};

class CrmConnector {
  public:
    virtual ~CrmConnector() = default;
    virtual BatchOutcome sendReceipts(const std::vector<OutgoingReceipt>& receipts) = 0;
    // Results keyed by OutgoingSignup::key.
    virtual BatchOutcome sendSignups(const std::vector<OutgoingSignup>& signups) = 0;
    // Asks the CRM directly, with its own (short) timeout: a cashier is waiting.
    virtual LookupOutcome lookupMember(const MemberQuery& query, int timeoutMs) = 0;
    // The changes after cursor ("" for everything).
    virtual MemberChanges memberChanges(const std::string& cursor) = 0;
    virtual OffersOutcome activeOffers() = 0;
    // Results keyed by OutgoingErasure::key. "accepted" also when the CRM had
    // nothing about the customer: the erasure holds either way.
    virtual BatchOutcome sendErasures(const std::vector<OutgoingErasure>& erasures) = 0;
};

struct ConnectorSettings {
    std::string url;
    std::string apiKey;
    std::string caFile = kDefaultCaFile;
    std::string clientCertFile;  // mTLS, optional
    std::string clientKeyFile;
    int timeoutMs = 5000;
    std::string storeId;  // for connectors that file receipts per store (voyado)
    // The background sync's share of the CRM's request rate (receipts, sign-ups,
    // erasures, the change feed); 0: the connector's default (voyado: 0.8, safe
    // for 50 stores on one API key). Member lookups have a budget of their own.
    double maxRequestsPerSecond = 0;
    // voyado: the tenant's consent id per Lojal purpose; the store currency's
    // rate to the group currency ("" : not sent).
    std::map<std::string, std::string> consentIds;
    std::string exchangeRateToGroupCurrency;
    int64_t pointDefinitionId = 0;       // voyado: the point account shown (0: the first)
    std::string contactType = "Member";  // voyado: the type new contacts get
    std::string countryCode;             // the store's country (ISO 3166 alpha-2)
    int apiVersion = 3;                  // voyado: 2 or 3 (contact endpoints differ)
};

struct ConnectorEntry {
    const char* name;
    std::unique_ptr<CrmConnector> (*create)(const ConnectorSettings&);
};

const std::map<std::string, ConnectorEntry>& connectorTable();

}  // namespace lojal::crm
