#define BOOST_TEST_MODULE paths
// Where lojald finds its files, on Linux and (under wine, make test-windows) on
// Windows: its own directory, the ProgramData folder, and the live config made
// from the shipped template once, never over a store's edits.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/Paths.h"

using namespace lojal;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void write(const fs::path& path, const std::string& text) {
    std::ofstream(path) << text;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_executable_directory_is_where_this_test_runs_from) {
    const std::string directory = executableDirectory();
    BOOST_REQUIRE(!directory.empty());
    BOOST_TEST((directory.back() == '/' || directory.back() == '\\'), directory);
    BOOST_TEST(fs::is_directory(directory), directory);
}

BOOST_AUTO_TEST_CASE(the_config_is_made_once_and_never_overwritten) {
    const fs::path dir = fs::temp_directory_path() / ("lojal-paths-" + std::to_string(std::rand()));
    fs::create_directories(dir);
    const fs::path templateFile = dir / "lojald.ini.example";
    const fs::path config = dir / "lojald.ini";
    write(templateFile, "[store]\nid = template\n");
    BOOST_TEST(installConfigIfMissing(config.string(), templateFile.string()));
    BOOST_TEST(slurp(config) == "[store]\nid = template\n");
    write(config, "[store]\nid = SE-0042\n");               // the store's edit
    write(templateFile, "[store]\nid = newer template\n");  // an upgrade's template
    BOOST_TEST(installConfigIfMissing(config.string(), templateFile.string()));
    BOOST_TEST(slurp(config) == "[store]\nid = SE-0042\n");
    BOOST_TEST(!installConfigIfMissing((dir / "other.ini").string(), (dir / "none").string()));
    BOOST_TEST(!fs::exists(dir / "other.ini"));
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(the_data_directory_is_programdata_on_windows_only) {
    const std::string directory = windowsDataDirectory();
#ifdef _WIN32
    BOOST_REQUIRE(!directory.empty());
    BOOST_TEST(directory.size() > 6u);
    BOOST_TEST(directory.substr(directory.size() - 7) == "\\Lojal\\", directory);
    BOOST_TEST(fs::is_directory(directory), directory);
    BOOST_TEST_MESSAGE("data directory: " << directory);
#else
    BOOST_TEST(directory.empty());
#endif
}
