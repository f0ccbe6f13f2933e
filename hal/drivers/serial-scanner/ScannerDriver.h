#pragma once
// The serial scanner driver: the thin shell around ScanFramer, DuplicateFilter
// and barcode::decodeScan that turns frames into `scan` events.

#include "drivers/Driver.h"

namespace lojal::hal {

// Options: suffix (cr, lf, crlf, none), prefix (text), inter_char_timeout_ms,
// dedup_window_ms, max_frame_bytes.
Result<std::unique_ptr<Driver>> createScannerDriver(const DriverOptions& options,
                                                    const DriverContext& context);

// The event payload of one scan (also used by the replay golden files).
Poco::JSON::Object scanToJson(const barcode::Scan& scan);

}  // namespace lojal::hal
