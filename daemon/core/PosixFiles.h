#pragma once
// The POSIX file calls lojal uses (open with O_EXCL/O_CLOEXEC and 0600, write,
// fsync, fchmod, stat, unlink), available under the same names on Windows,
// where mingw's C runtime has most of them. What Windows lacks is defined here,
// with what it means there:
//  - O_CLOEXEC: _O_NOINHERIT (a child process does not inherit the handle);
//  - fsync: _commit (flushes the file to disk);
//  - fchmod, fchown, chown: Windows has no owner/group/other bits; the
//    folder's ACL (%ProgramData%\Lojal) is what keeps files private;
//  - renameOver: rename onto an existing file, which POSIX rename does and the
//    C runtime's refuses (MoveFileEx with MOVEFILE_REPLACE_EXISTING).

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <cstdio>

#ifdef _WIN32
#include <io.h>
#include <stdlib.h>  // _fmode

#ifndef O_CLOEXEC
#define O_CLOEXEC _O_NOINHERIT
#endif
inline int fsync(int fd) {
    return ::_commit(fd);
}
inline int fchmod(int, int) {
    return 0;
}
inline int fchown(int, unsigned, unsigned) {
    return 0;
}
inline int chown(const char*, unsigned, unsigned) {
    return 0;
}
int renameOver(const char* from, const char* to);  // PosixFiles.cpp
// Files the C runtime opens are binary unless told otherwise: no "\n" turned
// into "\r\n" in the tokens file or a log. Called first thing in main().
inline void binaryFilesByDefault() {
    _fmode = _O_BINARY;
}
#else
#include <unistd.h>

inline int renameOver(const char* from, const char* to) {
    return ::rename(from, to);
}
inline void binaryFilesByDefault() {}
#endif
