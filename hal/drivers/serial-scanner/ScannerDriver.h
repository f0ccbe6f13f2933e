#pragma once
// The serial scanner driver: the thin shell around ScanFramer,
// barcode::DuplicateFilter and barcode::decodeScan that turns frames into `scan` events.

#include "drivers/Driver.h"

namespace lojal::hal {

// Options: suffix (cr, lf, crlf, none), prefix (text), inter_char_timeout_ms,
// dedup_window_ms, max_frame_bytes.
Result<std::unique_ptr<Driver>> createScannerDriver(const DriverOptions& options,
                                                    const DriverContext& context);

}  // namespace lojal::hal
