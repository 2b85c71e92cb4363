// UTF-8 classification for the bridge: JS strings must be well-formed UTF-8.
#include <cstdint>
#include <cstring>

#include "convert.h"

namespace luaskills {

Utf8Kind ClassifyUtf8(const char* str, size_t len) {
  const auto* s = reinterpret_cast<const unsigned char*>(str);
  bool ascii = true;
  size_t i = 0;
  while (i < len) {
    // ASCII fast path, 8 bytes at a time.
    if (i + 8 <= len) {
      uint64_t chunk;
      std::memcpy(&chunk, s + i, 8);
      if ((chunk & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    ascii = false;
    size_t n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return Utf8Kind::kInvalid;
    }
    if (i + n >= len) return Utf8Kind::kInvalid;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return Utf8Kind::kInvalid;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Reject overlong forms, surrogates and values beyond U+10FFFF.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return Utf8Kind::kInvalid;
    }
    i += n + 1;
  }
  return ascii ? Utf8Kind::kAscii : Utf8Kind::kUtf8;
}

}  // namespace luaskills
