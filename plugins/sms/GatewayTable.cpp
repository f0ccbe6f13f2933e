#include "SmsGateway.h"
#include "kannel/KannelGateway.h"
#include "log/LogGateway.h"

namespace lojal::sms {

const std::map<std::string, GatewayEntry>& gatewayTable() {
    static const std::map<std::string, GatewayEntry> table = {
        {"log", {"log", createLogGateway}},
        {"kannel", {"kannel", createKannelGateway}},
    };
    return table;
}

}  // namespace lojal::sms
