// Windows unit tests (tests/windows): Debian ships Boost.Test for Linux only, so
// each test compiles the header-only framework into itself. The first include
// of <boost/test/unit_test.hpp> (after the test's BOOST_TEST_MODULE) becomes
// the "included" variant; its own include of this header gets the real one.
#ifndef LOJAL_BOOST_TEST_INCLUDED_VARIANT
#define LOJAL_BOOST_TEST_INCLUDED_VARIANT
// Boost.Test pulls in <windows.h>; Poco's headers later want <winsock2.h>,
// which must come first.
#include <winsock2.h>
#include <boost/test/included/unit_test.hpp>
#else
#include_next <boost/test/unit_test.hpp>
#endif
