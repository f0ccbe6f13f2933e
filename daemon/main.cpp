#include <Poco/Exception.h>

#include <iostream>

#include "app/Lojald.h"
#include "core/PosixFiles.h"

int main(int argc, char** argv) {
    // Everything lojald creates (logs and their rotations, the SMS log, the
    // database and its journal, dev tokens) is its own alone, whatever umask
    // it was started with.
    ::umask(0077);
    try {
        lojal::Lojald app;
        return app.run(argc, argv);
    } catch (const Poco::Exception& e) {
        std::cerr << "lojald: " << e.displayText() << std::endl;
        return Poco::Util::Application::EXIT_USAGE;
    }
}
