#include "core/Result.h"

namespace lojal {

const char* toString(ErrorCode code) {
    switch (code) {
        case ErrorCode::arg: return "arg";
        case ErrorCode::io: return "io";
        case ErrorCode::timeout: return "timeout";
        case ErrorCode::data: return "data";
        case ErrorCode::unsupported: return "unsupported";
        case ErrorCode::busy: return "busy";
        case ErrorCode::notFound: return "not_found";
        case ErrorCode::permission: return "permission";
        case ErrorCode::noSpace: return "no_space";
    }
    return "unknown";
}

}  // namespace lojal
