# Cross-building Lojal for 64-bit Windows with Debian's mingw-w64 (posix thread
# model: std::thread and std::mutex), linked statically so each .exe and .dll
# needs only Windows' own DLLs. Tests run under wine.
#   cmake -DCMAKE_TOOLCHAIN_FILE=packaging/windows/mingw-w64-x86_64.cmake \
#         -DLOJAL_WINDOWS_PREFIX=<prefix of build-deps.sh> ...
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(triple x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${triple}-gcc-posix)
set(CMAKE_CXX_COMPILER ${triple}-g++-posix)
set(CMAKE_RC_COMPILER ${triple}-windres)
# Poco wants a message compiler on Windows; an absolute path (a bare name is
# taken as relative to the build folder).
find_program(LOJAL_WINDMC ${triple}-windmc REQUIRED)
set(CMAKE_MC_COMPILER ${LOJAL_WINDMC})
set(CMAKE_CROSSCOMPILING_EMULATOR wine)

# Headers and libraries come from the mingw sysroot and the dependency prefix
# only, never from the build machine's /usr/include.
set(CMAKE_FIND_ROOT_PATH /usr/${triple})
if(LOJAL_WINDOWS_PREFIX)
    list(APPEND CMAKE_FIND_ROOT_PATH ${LOJAL_WINDOWS_PREFIX})
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Poco includes <Winsock2.h> and <Iphlpapi.h>; mingw's headers are lowercase.
set(LOJAL_WINDOWS_SHIM ${CMAKE_CURRENT_LIST_DIR}/shim)
set(CMAKE_C_FLAGS_INIT "-I${LOJAL_WINDOWS_SHIM}")
set(CMAKE_CXX_FLAGS_INIT "-I${LOJAL_WINDOWS_SHIM}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static")
