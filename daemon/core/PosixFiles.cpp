#include "core/PosixFiles.h"

#ifdef _WIN32
#include <windows.h>

// Here, not in the header: <windows.h> would bring its macros (min, max,
// ERROR...) to every file that writes a file.
int renameOver(const char* from, const char* to) {
    return ::MoveFileExA(from, to, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) ? 0 : -1;
}
#endif
