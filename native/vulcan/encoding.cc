// See encoding.h. iconv descriptors are opened per conversion: they are cheap next to the
// process or file IO around them, and nothing is shared between VM threads.
#include "encoding.h"

#include <iconv.h>

#include <cerrno>
#include <cstring>

#include "../convert.h"

namespace luaskills {

namespace {

const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Base64Value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

void AppendCodePoint(std::string* out, unsigned cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

const char kReplacement[] = "\xEF\xBF\xBD";

// Length of the well-formed UTF-8 sequence at s[i] (0 if none) and, through *prefix, how many
// bytes form the longest valid prefix of an ill-formed one (at least 1).
size_t Utf8SequenceAt(const unsigned char* s, size_t len, size_t i, size_t* prefix) {
  const unsigned char c = s[i];
  *prefix = 1;
  if (c < 0x80) return 1;
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (size_t k = 1; k < need; ++k) {
    if (i + k >= len) return 0;
    const unsigned char b = s[i + k];
    const bool ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
    if (!ok) return 0;
    *prefix = k + 1;
  }
  return need;
}

DecodedText DecodeUtf8(const char* data, size_t len) {
  DecodedText out;
  out.encoding = "utf-8";
  out.text = Utf8Lossy(data, len, &out.lossy);
  if (out.lossy) {
    out.has_base64 = true;
    out.base64 = Base64Encode(data, len);
  }
  return out;
}

struct Iconv {
  iconv_t cd;
  Iconv(const char* to, const char* from) : cd(iconv_open(to, from)) {}
  ~Iconv() {
    if (cd != reinterpret_cast<iconv_t>(-1)) iconv_close(cd);
  }
  bool ok() const { return cd != reinterpret_cast<iconv_t>(-1); }
};

// GBK labels decode with the GB18030 decoder (a superset), as the WHATWG "gbk" decoder does.
DecodedText DecodeIconv(const char* data, size_t len, const char* label) {
  DecodedText out;
  out.encoding = label;
  Iconv conv("UTF-8", "GB18030");
  if (!conv.ok()) {
    out.text = Utf8Lossy(data, len, &out.lossy);
    out.lossy = true;
  } else {
    out.text.reserve(len * 3 / 2 + 16);
    char buffer[4096];
    char* in = const_cast<char*>(data);
    size_t in_left = len;
    while (in_left > 0) {
      char* dst = buffer;
      size_t dst_left = sizeof buffer;
      const size_t rc = iconv(conv.cd, &in, &in_left, &dst, &dst_left);
      out.text.append(buffer, dst - buffer);
      if (rc != static_cast<size_t>(-1)) break;
      if (errno == E2BIG) continue;
      // EILSEQ: one undecodable byte; EINVAL: a truncated sequence at the end.
      out.lossy = true;
      out.text += kReplacement;
      if (errno == EINVAL) break;
      ++in;
      --in_left;
    }
  }
  if (out.lossy) {
    out.has_base64 = true;
    out.base64 = Base64Encode(data, len);
  }
  return out;
}

bool EncodeIconv(const char* text, size_t len, const char* codec, const char* label, std::string* out,
                 std::string* error) {
  Iconv conv(codec, "UTF-8");
  if (!conv.ok()) {
    *error = std::string(label) + " encode failed: codec unavailable";
    return false;
  }
  out->clear();
  char buffer[4096];
  char* in = const_cast<char*>(text);
  size_t in_left = len;
  while (in_left > 0) {
    char* dst = buffer;
    size_t dst_left = sizeof buffer;
    const size_t rc = iconv(conv.cd, &in, &in_left, &dst, &dst_left);
    out->append(buffer, dst - buffer);
    if (rc == static_cast<size_t>(-1) && errno != E2BIG) {
      *error = std::string(label) + " encode failed without replacement";
      return false;
    }
  }
  char* dst = buffer;
  size_t dst_left = sizeof buffer;
  iconv(conv.cd, nullptr, nullptr, &dst, &dst_left);  // stateless codecs emit nothing here
  out->append(buffer, dst - buffer);
  return true;
}

}  // namespace

bool ParseTextEncoding(const std::string& label, TextEncoding* out, std::string* error) {
  size_t b = label.find_first_not_of(" \t\r\n");
  size_t e = label.find_last_not_of(" \t\r\n");
  std::string norm = b == std::string::npos ? "" : label.substr(b, e - b + 1);
  for (char& c : norm) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  static const struct {
    const char* name;
    TextEncoding value;
  } kLabels[] = {
      {"utf-8", TextEncoding::kUtf8},        {"utf8", TextEncoding::kUtf8},
      {"system", TextEncoding::kSystem},     {"ansi", TextEncoding::kSystem},
      {"acp", TextEncoding::kSystem},        {"oem", TextEncoding::kOem},
      {"console", TextEncoding::kOem},       {"gbk", TextEncoding::kGbk},
      {"cp936", TextEncoding::kGbk},         {"windows-936", TextEncoding::kGbk},
      {"gb18030", TextEncoding::kGb18030},   {"latin1", TextEncoding::kLatin1},
      {"latin-1", TextEncoding::kLatin1},    {"iso-8859-1", TextEncoding::kLatin1},
      {"bytes", TextEncoding::kBase64},      {"base64", TextEncoding::kBase64},
  };
  for (const auto& entry : kLabels) {
    if (norm == entry.name) {
      *out = entry.value;
      return true;
    }
  }
  *error = "unsupported text encoding `" + label + "`";
  return false;
}

const char* TextEncodingLabel(TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::kUtf8: return "utf-8";
    case TextEncoding::kSystem: return "system";
    case TextEncoding::kOem: return "oem";
    case TextEncoding::kGbk: return "gbk";
    case TextEncoding::kGb18030: return "gb18030";
    case TextEncoding::kLatin1: return "latin1";
    case TextEncoding::kBase64: return "base64";
  }
  return "utf-8";
}

DecodedText DecodeText(const char* data, size_t len, TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::kUtf8:
    case TextEncoding::kSystem:  // the system code page is UTF-8 outside Windows
    case TextEncoding::kOem:
      return DecodeUtf8(data, len);
    case TextEncoding::kGbk: return DecodeIconv(data, len, "gbk");
    case TextEncoding::kGb18030: return DecodeIconv(data, len, "gb18030");
    case TextEncoding::kLatin1: {
      DecodedText out;
      out.encoding = "latin1";
      out.text.reserve(len);
      for (size_t i = 0; i < len; ++i) AppendCodePoint(&out.text, static_cast<unsigned char>(data[i]));
      return out;
    }
    case TextEncoding::kBase64: {
      DecodedText out;
      out.encoding = "base64";
      out.text = Base64Encode(data, len);
      out.has_base64 = true;
      out.base64 = out.text;
      return out;
    }
  }
  return DecodeUtf8(data, len);
}

bool EncodeText(const char* text, size_t len, TextEncoding encoding, std::string* out, std::string* error) {
  switch (encoding) {
    case TextEncoding::kUtf8:
    case TextEncoding::kSystem:
    case TextEncoding::kOem:
      out->assign(text, len);
      return true;
    case TextEncoding::kGbk: return EncodeIconv(text, len, "GBK", "gbk", out, error);
    case TextEncoding::kGb18030: return EncodeIconv(text, len, "GB18030", "gb18030", out, error);
    case TextEncoding::kLatin1: {
      // Upstream replaces what Latin-1 cannot hold with '?'.
      out->clear();
      const auto* s = reinterpret_cast<const unsigned char*>(text);
      for (size_t i = 0; i < len;) {
        size_t prefix = 0;
        const size_t n = Utf8SequenceAt(s, len, i, &prefix);
        if (n == 0) {
          out->push_back('?');
          i += prefix;
          continue;
        }
        unsigned cp = n == 1 ? s[i] : n == 2 ? ((s[i] & 0x1F) << 6) | (s[i + 1] & 0x3F) : 0x100;
        out->push_back(cp <= 0xFF ? static_cast<char>(cp) : '?');
        i += n;
      }
      return true;
    }
    case TextEncoding::kBase64:
      if (!Base64Decode(text, len, out, error)) {
        *error = "base64 decode failed: " + *error;
        return false;
      }
      return true;
  }
  out->assign(text, len);
  return true;
}

std::string Base64Encode(const char* data, size_t len) {
  std::string out((len + 2) / 3 * 4, '=');
  char* o = &out[0];
  const auto* s = reinterpret_cast<const unsigned char*>(data);
  size_t i = 0;
  for (; i + 3 <= len; i += 3, o += 4) {
    const unsigned v = (s[i] << 16) | (s[i + 1] << 8) | s[i + 2];
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = kAlphabet[(v >> 6) & 63];
    o[3] = kAlphabet[v & 63];
  }
  if (len - i == 1) {
    const unsigned v = s[i] << 16;
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 63];
  } else if (len - i == 2) {
    const unsigned v = (s[i] << 16) | (s[i + 1] << 8);
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = kAlphabet[(v >> 6) & 63];
  }
  return out;
}

bool Base64Decode(const char* data, size_t len, std::string* out, std::string* error) {
  const auto* s = reinterpret_cast<const unsigned char*>(data);
  size_t symbols = len;
  size_t padding = 0;
  while (symbols > 0 && s[symbols - 1] == '=' && padding < 2) {
    --symbols;
    ++padding;
  }
  for (size_t i = 0; i < symbols; ++i) {
    if (Base64Value(s[i]) < 0) {
      *error = "Invalid symbol " + std::to_string(s[i]) + ", offset " + std::to_string(i) + ".";
      return false;
    }
  }
  if (symbols % 4 == 1) {
    *error = "Invalid input length: " + std::to_string(symbols);
    return false;
  }
  if ((symbols + padding) % 4 != 0 || (symbols % 4 == 0 && padding != 0)) {
    *error = "Invalid padding";
    return false;
  }
  out->clear();
  out->reserve(symbols / 4 * 3 + 3);
  unsigned acc = 0;
  int bits = 0;
  for (size_t i = 0; i < symbols; ++i) {
    acc = (acc << 6) | static_cast<unsigned>(Base64Value(s[i]));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  // Canonical: the bits the last symbol carries beyond the final byte must be zero.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    *error = "Invalid last symbol " + std::to_string(s[symbols - 1]) + ", offset " + std::to_string(symbols - 1) + ".";
    return false;
  }
  return true;
}

std::string Utf8Lossy(const char* data, size_t len, bool* replaced) {
  *replaced = false;
  if (ClassifyUtf8(data, len) != Utf8Kind::kInvalid) return std::string(data, len);
  std::string out;
  out.reserve(len + 16);
  const auto* s = reinterpret_cast<const unsigned char*>(data);
  size_t i = 0;
  size_t run = 0;  // start of the current run of valid bytes, copied in one append
  while (i < len) {
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    size_t prefix = 0;
    const size_t n = Utf8SequenceAt(s, len, i, &prefix);
    if (n > 0) {
      i += n;
      continue;
    }
    out.append(data + run, i - run);
    out += kReplacement;
    *replaced = true;
    i += prefix;
    run = i;
  }
  out.append(data + run, len - run);
  return out;
}

}  // namespace luaskills
