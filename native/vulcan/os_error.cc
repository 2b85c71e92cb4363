#include "os_error.h"

#include <string.h>

namespace luaskills {

namespace {

// strerror_r comes in two flavours (GNU returns the text, XSI fills the buffer).
[[maybe_unused]] const char* PickErrorText(int result, const char* buf) { return result == 0 ? buf : "Unknown error"; }
[[maybe_unused]] const char* PickErrorText(const char* result, const char*) { return result; }

}  // namespace

std::string OsErrorText(int err) {
  char buf[256] = {0};
  const char* text = PickErrorText(strerror_r(err, buf, sizeof buf), buf);
  return std::string(text) + " (os error " + std::to_string(err) + ")";
}

}  // namespace luaskills
