#pragma once
// Lojal receipts and members in Voyado Engage's terms (docs/CRM-PROTOCOL.md,
// "voyado"). Pure: JSON text in, JSON text or a reason out, so it is unit-tested
// without a server.

#include <map>
#include <optional>
#include <string>

#include "CrmConnector.h"

namespace lojal::crm::voyado {

struct MappedReceipt {
    std::string body;        // for POST /api/v2/receipts; empty when skipped
    std::string skipReason;  // why Voyado cannot take it (no contact key)
};

// receiptJson: a receipt as lojald accepted it (docs/API.md). storeExternalId
// replaces store_id when not empty; exchangeRate ("" : omitted, Engage
// converts) is the store currency's rate to the group currency.
MappedReceipt mapReceipt(const std::string& receiptJson, const std::string& storeExternalId,
                         const std::string& exchangeRate = "");

// A sign-up as a new contact for POST /api/v2/contacts: mobilePhone, the SMS
// preference from the marketing_sms consent, and each consent under the
// tenant's id for its purpose (consentIds; a purpose without one is not sent)
// with its text version and where it was given.
// contactType (the tenant's, "Member" unless configured) and countryCode (the
// recruiting store's country) as "Create contact" asks for them.
struct ContactDefaults {
    std::string contactType = "Member";
    std::string countryCode;  // ISO 3166 alpha-2; "" : not sent
};
std::string mapSignup(const OutgoingSignup& signup,
                      const std::map<std::string, std::string>& consentIds,
                      const ContactDefaults& defaults = {});

// A returning customer's new consents for POST /api/v2/contacts/{id}: the SMS
// preference and the consents as in mapSignup, without the contact's own fields.
std::string mapConsentUpdate(const OutgoingSignup& signup,
                             const std::map<std::string, std::string>& consentIds);

// The contact id in the answer of GET /api/v2/contacts/id (a JSON string, or
// an object with "id"); nothing when unreadable.
std::optional<std::string> parseContactId(const std::string& answer);

// A member from GET /api/v2/contacts/{id}; nothing when unreadable.
std::optional<Member> parseContact(const std::string& answer);

// The balance in the answer of GET /api/v2/point-accounts?contactId= (a page of
// PointAccountModel: {"items": [{"balance", "definitionId", ...}]}): of the
// account of definitionId, or of the first account when definitionId is 0;
// nothing when the contact has none or the answer is unreadable.
std::optional<int64_t> parsePointBalance(const std::string& answer, int64_t definitionId);

// Why Voyado refused a request, naming the fields it names: its error answers
// carry "message" and "errorCode", and ASP.NET's model validation lists the
// failing fields under "modelState" ({"field": ["why"]}). Printable text only,
// at most about 300 characters.
std::string describeRefusal(int status, const std::string& body);

// A member's own offers, for the member view of the POS and the kiosk:
// promotions from GET /api/v2/contacts/{id}/promotions?redemptionChannelType=POS
// (an array of ApiPromotionModel; redeemed and expired ones left out) and
// vouchers from GET /api/v2/contacts/{id}/bonuschecks/available (a page of
// AvailableBonusCheckModel). expiresOn becomes validTo in UTC; nothing when the
// answer is unreadable.
std::optional<std::vector<Offer>> parsePromotions(const std::string& answer, int64_t nowMs);
std::optional<std::vector<Offer>> parseVouchers(const std::string& answer, int64_t nowMs);

// The ids in the answer of GET /api/v2/contacts/changes (an array of ids).
std::optional<std::vector<std::string>> parseChangedIds(const std::string& answer);

}  // namespace lojal::crm::voyado
