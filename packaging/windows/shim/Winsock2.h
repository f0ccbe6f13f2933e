/* Poco writes <Winsock2.h>; mingw-w64's header is lowercase. */
#include <winsock2.h>
