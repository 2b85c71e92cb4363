// Text encodings of the managed IO and process surfaces (upstream RuntimeTextEncoding): labels,
// lossy decoding to UTF-8 with a byte-preserving base64 fallback, strict encoding from UTF-8.
// GBK and GB18030 go through iconv (glibc ships both codecs); the rest is byte arithmetic.
#pragma once

#include <cstddef>
#include <string>

namespace luaskills {

enum class TextEncoding { kUtf8, kSystem, kOem, kGbk, kGb18030, kLatin1, kBase64 };

// Parses a user label (trimmed, ASCII case-insensitive): utf-8/utf8, system/ansi/acp,
// oem/console, gbk/cp936/windows-936, gb18030, latin1/latin-1/iso-8859-1, bytes/base64.
// On failure *error is "unsupported text encoding `<label>`".
bool ParseTextEncoding(const std::string& label, TextEncoding* out, std::string* error);

// The stable label of an encoding as requested ("utf-8", "system", "gbk", ...).
const char* TextEncodingLabel(TextEncoding encoding);

struct DecodedText {
  std::string text;      // UTF-8 (base64 text for kBase64)
  std::string encoding;  // the label actually used ("utf-8" for system/oem on POSIX)
  bool lossy = false;    // replacement characters were needed
  bool has_base64 = false;
  std::string base64;  // the original bytes, when lossy or for kBase64
};

// Never fails: undecodable bytes become U+FFFD, and the raw bytes are kept as base64.
DecodedText DecodeText(const char* data, size_t len, TextEncoding encoding);

// UTF-8 text to bytes. Fails (with upstream's message) when the target cannot represent a
// character (gbk) or the base64 text is invalid. `text` must be valid UTF-8.
bool EncodeText(const char* text, size_t len, TextEncoding encoding, std::string* out, std::string* error);

std::string Base64Encode(const char* data, size_t len);
// Standard alphabet with canonical padding, as Rust's base64 STANDARD engine; *error names
// the first offending symbol ("Invalid symbol 33, offset 0.").
bool Base64Decode(const char* data, size_t len, std::string* out, std::string* error);

// Rust's String::from_utf8_lossy: each maximal invalid subsequence becomes one U+FFFD.
std::string Utf8Lossy(const char* data, size_t len, bool* replaced);

}  // namespace luaskills
