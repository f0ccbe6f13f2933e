# find_package(Lojal 1) gives the imported target Lojal::lojal.
include("${CMAKE_CURRENT_LIST_DIR}/LojalTargets.cmake")
