#define BOOST_TEST_MODULE api_storage_faults
// The receipts issue's fault test (c): the database on a filesystem that fills
// up or is read-only. The POS must get 503 with a clear code, nothing may be
// acknowledged that is not stored, and lojald must recover when space returns.
// The filesystem is a real tmpfs of a few MiB, so this needs root (CI runs as
// root); elsewhere the cases say they were skipped.
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "ExampleReceipt.h"
#include "LojaldProcess.h"

using namespace lojal::test;

namespace {

class SmallFilesystem {
  public:
    explicit SmallFilesystem(const std::string& path) : path_(path) {
        ::mkdir(path.c_str(), 0700);
        mounted_ = ::mount("tmpfs", path.c_str(), "tmpfs", 0, "size=4m,mode=0700") == 0;
        if (!mounted_) why_ = std::strerror(errno);
    }
    ~SmallFilesystem() {
        if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
    }
    bool mounted() const { return mounted_; }
    const std::string& why() const { return why_; }
    bool remount(bool readOnly) {
        const unsigned long flags = MS_REMOUNT | (readOnly ? MS_RDONLY : 0);
        return ::mount("tmpfs", path_.c_str(), "tmpfs", flags, "size=4m,mode=0700") == 0;
    }
    // Writes a file until the filesystem is full; returns its path.
    std::string fill() const {
        const std::string ballast = path_ + "/ballast";
        std::FILE* file = std::fopen(ballast.c_str(), "w");
        const std::string chunk(4096, 'x');
        while (std::fwrite(chunk.data(), 1, chunk.size(), file) == chunk.size() &&
               std::fflush(file) == 0) {
        }
        std::fclose(file);
        return ballast;
    }

  private:
    std::string path_;
    bool mounted_ = false;
    std::string why_;
};

// Says so (a warning in the test log) when this machine cannot mount a tmpfs.
bool skippedWithout(const SmallFilesystem& disk) {
    BOOST_WARN_MESSAGE(disk.mounted(), "skipped: cannot mount a tmpfs (" << disk.why() << ")");
    return !disk.mounted();
}

HttpResult post(int port, const std::string& id) {
    return httpRequest(port, "POST", "/v1/receipts", kPosToken, exampleReceiptWithId(id));
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_full_disk_answers_503_storage_full_and_loses_nothing) {
    TempDir dir;
    SmallFilesystem disk(dir.file("disk"));
    if (skippedWithout(disk)) return;
    const int port = freePort();
    const std::string database = dir.file("disk/lojal.db");
    const std::string config = writeTestConfig(dir, port, "", database);
    std::optional<LojaldProcess> lojald;
    lojald.emplace(std::vector<std::string>{"--config", config}, dir.path());
    BOOST_REQUIRE(lojald->waitUntilReady());

    BOOST_REQUIRE_EQUAL(post(port, "before-full").status, 202);
    const std::string ballast = disk.fill();
    // SQLite reuses space its write-ahead log already holds, so some receipts
    // may still fit; each one answered 202 must really be stored.
    std::vector<std::string> acknowledged{"before-full"};
    HttpResult refused;
    std::string refusedId;
    for (int n = 0; n < 5000 && refused.status == 0; ++n) {
        const std::string id = "full-" + std::to_string(n);
        const HttpResult answer = post(port, id);
        if (answer.status == 202) {
            acknowledged.push_back(id);
        } else {
            refused = answer;
            refusedId = id;
        }
    }
    BOOST_REQUIRE_EQUAL(refused.status, 503);
    BOOST_TEST(errorCode(refused.body) == "storage_full", refused.body);
    BOOST_TEST(refused.headers.count("Retry-After") == 1u);
    const auto health = httpRequest(port, "GET", "/v1/health");
    BOOST_TEST(health.status == 503, health.body);
    BOOST_TEST(httpRequest(port, "GET", "/v1/receipts/" + refusedId, kPosToken).status == 404);

    // Space returns: the same receipt goes through, without a restart.
    BOOST_REQUIRE(::unlink(ballast.c_str()) == 0);
    BOOST_TEST(post(port, refusedId).status == 202);
    acknowledged.push_back(refusedId);
    BOOST_TEST(httpRequest(port, "GET", "/v1/health").status == 200);

    // And everything acknowledged survives a power cut.
    lojald->signal(SIGKILL);
    BOOST_REQUIRE(lojald->waitForExit().has_value());
    lojald.emplace(std::vector<std::string>{"--config", config}, dir.path());
    BOOST_REQUIRE(lojald->waitUntilReady());
    for (const std::string& id : acknowledged) {
        BOOST_TEST(httpRequest(port, "GET", "/v1/receipts/" + id, kPosToken).status == 200, id);
    }
    BOOST_TEST_MESSAGE(acknowledged.size() << " receipts acknowledged around the full disk");
}

BOOST_AUTO_TEST_CASE(a_read_only_filesystem_stops_start_up_with_a_clear_error_until_fixed) {
    TempDir dir;
    SmallFilesystem disk(dir.file("disk"));
    if (skippedWithout(disk)) return;
    const int port = freePort();
    const std::string config = writeTestConfig(dir, port, "", dir.file("disk/lojal.db"));
    {
        LojaldProcess first({"--config", config}, dir.path());
        BOOST_REQUIRE(first.waitUntilReady());
        BOOST_REQUIRE_EQUAL(post(port, "ro-1").status, 202);
        first.signal(SIGTERM);
        BOOST_REQUIRE(first.waitForExit().has_value());
    }
    BOOST_REQUIRE(disk.remount(true));
    {
        LojaldProcess refused({"--config", config}, dir.path());
        const auto status = refused.waitForExit();
        BOOST_REQUIRE(status.has_value());
        BOOST_TEST(*status != 0);
        BOOST_TEST(refused.output().find("read-only") != std::string::npos, refused.output());
    }
    BOOST_REQUIRE(disk.remount(false));
    LojaldProcess again({"--config", config}, dir.path());
    BOOST_REQUIRE(again.waitUntilReady());
    BOOST_TEST(httpRequest(port, "GET", "/v1/receipts/ro-1", kPosToken).status == 200);
}
