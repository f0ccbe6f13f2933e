/* Poco writes <Iphlpapi.h>; mingw-w64's header is lowercase. Through
 * iprtrmib.h and mprapi.h it pulls in wincrypt.h, whose TIMESTAMP_REQUEST macro
 * breaks Poco's ICMPv4PacketImpl.h. */
#include <iphlpapi.h>
#undef TIMESTAMP_REQUEST
