#include "barcode/ScanEvent.h"

#include <Poco/JSON/Array.h>

#include "core/Utf8.h"

namespace lojal::barcode {

Poco::JSON::Object scanToJson(const Scan& scan) {
    Poco::JSON::Object data;
    data.set("raw_hex", scan.rawHex);
    data.set("label", scannedTextToUtf8(scan.label));  // raw_hex keeps the exact bytes
    data.set("aim", scan.symbology.aim);
    data.set("symbology", scan.symbology.name);
    data.set("scan_data_type", scan.symbology.uposType);
    Poco::JSON::Array gs1;
    for (const auto& element : scan.gs1) {
        Poco::JSON::Object item;
        item.set("ai", element.ai);
        item.set("value", element.value);
        item.set("title", element.title);
        gs1.add(item);
    }
    data.set("gs1", gs1);
    data.set("kind", toString(scan.kind));
    data.set("valid", scan.valid);
    if (!scan.valid) data.set("reason", scan.reason);
    if (!scan.gtin.empty()) data.set("gtin", scan.gtin);
    if (!scan.memberId.empty()) data.set("member_id", scan.memberId);
    return data;
}

bool DuplicateFilter::accept(const std::string& code, TimePoint now) {
    const bool repeat = lastSeen_ && code == lastCode_ && now - *lastSeen_ < window_;
    lastCode_ = code;
    lastSeen_ = now;
    return !repeat;
}

}  // namespace lojal::barcode
