#include "CrmConnector.h"
#include "rest/RestConnector.h"
#include "voyado/VoyadoConnector.h"

namespace lojal::crm {

const std::map<std::string, ConnectorEntry>& connectorTable() {
    static const std::map<std::string, ConnectorEntry> table = {
        {"rest", {"rest", createRestConnector}},
        {"voyado", {"voyado", createVoyadoConnector}},
    };
    return table;
}

}  // namespace lojal::crm
