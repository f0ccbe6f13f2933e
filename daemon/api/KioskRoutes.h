#pragma once
// The kiosk web app and its session-scoped API:
//   GET  /kiosk/                       the page (a kiosk address gets a session cookie)
//   GET  /kiosk/v/{version}/{file+}    its assets
//   GET  /v1/kiosk/settings            what the page needs: languages, idle time, methods
//   POST /v1/kiosk/identify            verify a customer (SMS PIN, member QR, or the
//                                      member card just scanned at the kiosk's scanner)
//                                      and bind the member to the session
//   GET  /v1/kiosk/me                  the bound member's points and offers, nothing else
//   POST /v1/kiosk/reset               forget the member (the customer left)
//   POST /v1/kiosk/join                a sign-up from the kiosk: the SMS link, with the
//                                      consent text exactly as the screen showed it
// The /v1/kiosk/ calls need a kiosk session: a kiosk token alone has no member.

#include "api/Router.h"
#include "config/Config.h"
#include "events/EventRing.h"
#include "kiosk/KioskAssets.h"
#include "kiosk/KioskSessions.h"
#include "members/MemberService.h"
#include "receipts/ReceiptService.h"
#include "signup/OtpService.h"
#include "signup/SignupService.h"

namespace lojal {

struct KioskRoutesContext {
    const Config& config;
    KioskAssets& assets;
    KioskSessions& sessions;
    OtpService& otp;
    MemberService& members;
    SignupService& signups;
    ReceiptService& receipts;
    EventRing& events;  // member cards scanned at the kiosk's scanner
};

void addKioskRoutes(Router& router, KioskRoutesContext& context);

// The directory of the kiosk files: [kiosk] ui_dir, else the installed
// ../share/lojal/kiosk beside lojald, else the source tree's kiosk-ui/.
std::string kioskUiDirectory(const KioskConfig& config);

}  // namespace lojal
