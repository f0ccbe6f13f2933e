#pragma once
// The ZVT card terminal driver: the thin I/O shell around ZvtSession. It turns
// API commands into flows, the session's output into port writes and
// "terminal" / "card" events, and a card into a store-independent token. The
// PAN and track data never reach an event, a log line or the database.
//
// Options ([device.NAME] with driver = zvt):
//   card_token_key        required: the key of the card token (HMAC-SHA256), the
//                         same in every store so a card is the same token everywhere
//   password              6 digits, default 000000
//   currency              ISO 4217 numeric; default: the store's ([store] currency)
//   read_timeout_seconds  how long the terminal waits for a card, default 30
//   t2_ms, t3_ms, t4_ms   ZVT time-outs, default 5000, 5000 and 180000
//   register_on_open      on/off (default on): Registration 06 00 when the port opens
//
// The port is a serial device (9600 8N2 unless the section says otherwise) or
// "tcp://HOST:20007" for ZVT over TCP/IP: the same flows and events, bare APDUs.

#include "drivers/Driver.h"

namespace lojal::hal {

// PA00P016 2.1: 9600 baud, 8 data bits, no parity, 2 stop bits, no handshake.
SerialSettings zvtSerialDefaults();

Result<std::unique_ptr<Driver>> createZvtDriver(const DriverOptions& options,
                                                const DriverContext& context);

// The card token: "ct_" + base64url(HMAC-SHA256(key, source)), 32 characters of it.
// source is "1F14:" + the card identification item in hex, or (weaker: every card
// with the same first six, last four digits, type and expiry shares it)
// "pan:" + masked PAN + ":" + card type + ":" + expiry.
std::string cardToken(const std::string& key, const std::string& source);

}  // namespace lojal::hal
