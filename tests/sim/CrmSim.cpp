// crm-sim: the test CRM (tests/crm/TestCrm, docs/CRM-PROTOCOL.md) as a program,
// for tests written in shell (the upgrade test) and for trying lojald by hand.
//
//   crm-sim
//
// Prints "ok ready URL" and then answers commands on standard input, one per
// line, with "ok ..." or "error ...":
//
//   down            every receipt, sign-up and erasure batch gets 503
//   up              answers normally again
//   stored          distinct receipts stored
//   duplicates      receipts sent again after they were stored
//   most            the most times any one receipt was stored (1: exactly once)
//   signups         distinct sign-ups stored
//   quit
#include <iostream>
#include <string>

#include "TestCrm.h"

int main() {
    lojal::test::TestCrm crm;
    std::cout << "ok ready " << crm.url() << std::endl;
    std::string line;
    bool down = false;
    while (std::getline(std::cin, line)) {
        if (line == "down" || line == "up") {
            down = line == "down";
            crm.failNext(down ? 1 << 30 : 0, 503);
            crm.setSignupsAndErasuresDown(down);
            std::cout << "ok " << line << std::endl;
        } else if (line == "stored") {
            std::cout << "ok " << crm.stored() << std::endl;
        } else if (line == "duplicates") {
            std::cout << "ok " << crm.duplicates() << std::endl;
        } else if (line == "most") {
            int most = 0;
            for (const std::string& id : crm.storedIds()) most = std::max(most, crm.timesStored(id));
            std::cout << "ok " << most << std::endl;
        } else if (line == "signups") {
            std::cout << "ok " << crm.signupsStored() << std::endl;
        } else if (line == "quit") {
            std::cout << "ok bye" << std::endl;
            return 0;
        } else {
            std::cout << "error unknown command" << std::endl;
        }
    }
    return 0;
}
