#include <Poco/Exception.h>

#include <iostream>

#include "app/Lojald.h"

int main(int argc, char** argv) {
    try {
        lojal::Lojald app;
        return app.run(argc, argv);
    } catch (const Poco::Exception& e) {
        std::cerr << "lojald: " << e.displayText() << std::endl;
        return Poco::Util::Application::EXIT_USAGE;
    }
}
