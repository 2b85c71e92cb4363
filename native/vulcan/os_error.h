// OS error text as Rust's io::Error prints it (upstream shows these verbatim):
// "No such file or directory (os error 2)". Thread-safe (strerror_r).
#pragma once

#include <string>

namespace luaskills {

std::string OsErrorText(int err);

}  // namespace luaskills
