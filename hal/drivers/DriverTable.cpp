#include "drivers/Driver.h"
#include "drivers/serial-scanner/ScannerDriver.h"
#include "drivers/zvt/ZvtDriver.h"

namespace lojal::hal {

const std::vector<DriverEntry>& driverTable() {
    static const std::vector<DriverEntry> table = {
        {"serial-scanner", "barcode scanner on a serial port (RS-232 or USB CDC/VCP)",
         createScannerDriver},
        {"zvt",
         "payment card terminal speaking ZVT over serial (9600 8N2) or TCP/IP",
         createZvtDriver,
         zvtSerialDefaults(),
         {"card_token_key", "password"}},
    };
    return table;
}

const DriverEntry* findDriver(const std::string& name) {
    for (const DriverEntry& entry : driverTable()) {
        if (name == entry.name) return &entry;
    }
    return nullptr;
}

}  // namespace lojal::hal
