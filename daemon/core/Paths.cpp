#include "core/Paths.h"

#include <filesystem>
#include <system_error>

#ifdef _WIN32
#include <windows.h>
// windows.h first: the shell headers need its types.
#include <knownfolders.h>
#include <sddl.h>
#include <shlobj.h>
#else
#include <unistd.h>

#include <climits>
#endif

namespace lojal {

#ifdef _WIN32

std::string executableDirectory() {
    char path[MAX_PATH];
    const DWORD n = GetModuleFileNameA(nullptr, path, sizeof path);
    if (n == 0 || n >= sizeof path) return "";
    const std::string self(path, n);
    return self.substr(0, self.find_last_of("\\/") + 1);
}

namespace {

// ProgramData lets every user read (and create files): the folder that holds
// the database, the tokens and the log is made for SYSTEM (the service) and
// Administrators only, not inheriting ProgramData's grants. An existing folder
// keeps whatever store IT gave it.
void createPrivateDirectory(const std::filesystem::path& directory) {
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(
            L"D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)", SDDL_REVISION_1, &descriptor, nullptr))
        return;
    SECURITY_ATTRIBUTES attributes{sizeof attributes, descriptor, FALSE};
    CreateDirectoryW(directory.c_str(), &attributes);
    LocalFree(descriptor);
}

}  // namespace

std::string windowsDataDirectory() {
    PWSTR folder = nullptr;
    if (SHGetKnownFolderPath(FOLDERID_ProgramData, 0, nullptr, &folder) != S_OK) return "";
    std::filesystem::path directory = std::filesystem::path(folder) / "Lojal";
    CoTaskMemFree(folder);
    std::error_code error;
    if (!std::filesystem::exists(directory, error)) createPrivateDirectory(directory);
    std::filesystem::create_directories(directory, error);  // if that failed: plain
    if (error) return "";
    return directory.string() + "\\";
}

#else

std::string executableDirectory() {
    char path[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return "";
    const std::string self(path, static_cast<size_t>(n));
    return self.substr(0, self.rfind('/') + 1);
}

std::string windowsDataDirectory() {
    return "";
}

#endif

bool installConfigIfMissing(const std::string& configPath, const std::string& templatePath) {
    std::error_code error;
    if (std::filesystem::exists(configPath, error)) return true;
    // skip_existing: a config written meanwhile (another start) is kept.
    std::filesystem::copy_file(templatePath, configPath,
                               std::filesystem::copy_options::skip_existing, error);
    return !error && std::filesystem::exists(configPath, error);
}

}  // namespace lojal
