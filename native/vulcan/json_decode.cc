// vulcan.json's decoder: strict JSON (serde_json's messages, with line and column); objects and
// arrays get the typed containers' marker metatables, null becomes the null sentinel, integers
// stay Lua integers.
//
// Everything here may raise Lua errors (longjmp), so no local with a destructor is alive across
// a Lua API call. The whole decoder is one translation unit so its helpers stay internal and
// inlinable.
#include "json_codec.h"

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string>

#include "../convert.h"
#include "../typed_containers.h"

namespace luaskills {

namespace {

struct Parser {
  const char* s;
  size_t len;
  size_t pos;
};

[[noreturn]] void DecodeError(lua_State* L, const Parser& p, const char* what) {
  size_t line = 1;
  size_t column = 0;
  for (size_t i = 0; i < p.pos && i < p.len; ++i) {
    if (p.s[i] == '\n') {
      ++line;
      column = 0;
    } else {
      ++column;
    }
  }
  luaL_error(L, "json.decode: %s at line %d column %d", what, static_cast<int>(line), static_cast<int>(column));
  std::abort();  // not reached: luaL_error does not return
}

void SkipSpace(Parser& p) {
  while (p.pos < p.len && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n' || p.s[p.pos] == '\r')) ++p.pos;
}

void DecodeValue(lua_State* L, Parser& p, int depth);

unsigned Hex4(lua_State* L, Parser& p) {
  if (p.pos + 4 > p.len) DecodeError(L, p, "EOF while parsing a string");
  unsigned v = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = p.s[p.pos++];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
    else DecodeError(L, p, "invalid escape");
  }
  return v;
}

void AddUtf8(luaL_Buffer* b, unsigned cp) {
  char out[4];
  int n;
  if (cp < 0x80) { out[0] = static_cast<char>(cp); n = 1; }
  else if (cp < 0x800) { out[0] = static_cast<char>(0xC0 | (cp >> 6)); out[1] = static_cast<char>(0x80 | (cp & 0x3F)); n = 2; }
  else if (cp < 0x10000) { out[0] = static_cast<char>(0xE0 | (cp >> 12)); out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F)); out[2] = static_cast<char>(0x80 | (cp & 0x3F)); n = 3; }
  else { out[0] = static_cast<char>(0xF0 | (cp >> 18)); out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F)); out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F)); out[3] = static_cast<char>(0x80 | (cp & 0x3F)); n = 4; }
  luaL_addlstring(b, out, static_cast<size_t>(n));
}

// Pushes the string that starts after the opening quote.
void DecodeString(lua_State* L, Parser& p) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  size_t run = p.pos;
  for (;;) {
    if (p.pos >= p.len) DecodeError(L, p, "EOF while parsing a string");
    const unsigned char c = static_cast<unsigned char>(p.s[p.pos]);
    if (c == '"') {
      luaL_addlstring(&b, p.s + run, p.pos - run);
      ++p.pos;
      break;
    }
    if (c < 0x20) DecodeError(L, p, "control character (\\u0000-\\u001F) found while parsing a string");
    if (c != '\\') {
      ++p.pos;
      continue;
    }
    luaL_addlstring(&b, p.s + run, p.pos - run);
    ++p.pos;
    if (p.pos >= p.len) DecodeError(L, p, "EOF while parsing a string");
    const char e = p.s[p.pos++];
    switch (e) {
      case '"': luaL_addchar(&b, '"'); break;
      case '\\': luaL_addchar(&b, '\\'); break;
      case '/': luaL_addchar(&b, '/'); break;
      case 'b': luaL_addchar(&b, '\b'); break;
      case 'f': luaL_addchar(&b, '\f'); break;
      case 'n': luaL_addchar(&b, '\n'); break;
      case 'r': luaL_addchar(&b, '\r'); break;
      case 't': luaL_addchar(&b, '\t'); break;
      case 'u': {
        unsigned cp = Hex4(L, p);
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (p.pos + 6 <= p.len && p.s[p.pos] == '\\' && p.s[p.pos + 1] == 'u') {
            p.pos += 2;
            const unsigned low = Hex4(L, p);
            if (low < 0xDC00 || low > 0xDFFF) DecodeError(L, p, "lone leading surrogate in hex escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else {
            DecodeError(L, p, "lone leading surrogate in hex escape");
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          DecodeError(L, p, "lone trailing surrogate in hex escape");
        }
        AddUtf8(&b, cp);
        break;
      }
      default: DecodeError(L, p, "invalid escape");
    }
    run = p.pos;
  }
  luaL_pushresult(&b);
  size_t len = 0;
  const char* s = lua_tolstring(L, -1, &len);
  if (ClassifyUtf8(s, len) == Utf8Kind::kInvalid) DecodeError(L, p, "invalid unicode code point");
}

void DecodeNumber(lua_State* L, Parser& p) {
  const size_t start = p.pos;
  bool is_float = false;
  if (p.s[p.pos] == '-') ++p.pos;
  if (p.pos >= p.len || !(p.s[p.pos] >= '0' && p.s[p.pos] <= '9')) DecodeError(L, p, "invalid number");
  if (p.s[p.pos] == '0' && p.pos + 1 < p.len && p.s[p.pos + 1] >= '0' && p.s[p.pos + 1] <= '9') {
    DecodeError(L, p, "invalid number");
  }
  while (p.pos < p.len && p.s[p.pos] >= '0' && p.s[p.pos] <= '9') ++p.pos;
  if (p.pos < p.len && p.s[p.pos] == '.') {
    is_float = true;
    ++p.pos;
    if (p.pos >= p.len || !(p.s[p.pos] >= '0' && p.s[p.pos] <= '9')) DecodeError(L, p, "invalid number");
    while (p.pos < p.len && p.s[p.pos] >= '0' && p.s[p.pos] <= '9') ++p.pos;
  }
  if (p.pos < p.len && (p.s[p.pos] == 'e' || p.s[p.pos] == 'E')) {
    is_float = true;
    ++p.pos;
    if (p.pos < p.len && (p.s[p.pos] == '+' || p.s[p.pos] == '-')) ++p.pos;
    if (p.pos >= p.len || !(p.s[p.pos] >= '0' && p.s[p.pos] <= '9')) DecodeError(L, p, "invalid number");
    while (p.pos < p.len && p.s[p.pos] >= '0' && p.s[p.pos] <= '9') ++p.pos;
  }
  const char* text = p.s + start;
  const char* end = p.s + p.pos;
  if (!is_float) {
    long long v = 0;
    const auto r = std::from_chars(text, end, v);
    if (r.ec == std::errc() && r.ptr == end) {
      lua_pushinteger(L, static_cast<lua_Integer>(v));  // JSON integers are Lua integers
      return;
    }
  }
  // Floats, and integers beyond int64 (from_chars rounds correctly, as strtod does, and
  // reports out-of-range values; those become ±inf or 0 as strtod would give them).
  double d = 0;
  const auto r = std::from_chars(text, end, d);
  if (r.ec == std::errc::result_out_of_range) {
    const std::string copy(text, static_cast<size_t>(end - text));
    d = std::strtod(copy.c_str(), nullptr);
  }
  lua_pushnumber(L, d);
}

bool Match(Parser& p, const char* word) {
  const size_t n = std::strlen(word);
  if (p.pos + n > p.len || std::memcmp(p.s + p.pos, word, n) != 0) return false;
  p.pos += n;
  return true;
}

void DecodeValue(lua_State* L, Parser& p, int depth) {
  if (depth > kJsonMaxDepth) DecodeError(L, p, "recursion limit exceeded");
  luaL_checkstack(L, 4, "json.decode: nesting too deep");
  SkipSpace(p);
  if (p.pos >= p.len) DecodeError(L, p, "EOF while parsing a value");
  const char c = p.s[p.pos];
  if (c == '{') {
    ++p.pos;
    lua_newtable(L);
    MarkContainer(L, -1, ContainerKind::kObject);
    SkipSpace(p);
    if (p.pos < p.len && p.s[p.pos] == '}') {
      ++p.pos;
      return;
    }
    for (;;) {
      SkipSpace(p);
      if (p.pos >= p.len) DecodeError(L, p, "EOF while parsing an object");
      if (p.s[p.pos] != '"') DecodeError(L, p, "key must be a string");
      ++p.pos;
      DecodeString(L, p);
      SkipSpace(p);
      if (p.pos >= p.len || p.s[p.pos] != ':') DecodeError(L, p, "expected `:`");
      ++p.pos;
      DecodeValue(L, p, depth + 1);
      lua_rawset(L, -3);
      SkipSpace(p);
      if (p.pos >= p.len) DecodeError(L, p, "EOF while parsing an object");
      if (p.s[p.pos] == ',') {
        ++p.pos;
        continue;
      }
      if (p.s[p.pos] == '}') {
        ++p.pos;
        return;
      }
      DecodeError(L, p, "expected `,` or `}`");
    }
  }
  if (c == '[') {
    ++p.pos;
    lua_newtable(L);
    MarkContainer(L, -1, ContainerKind::kArray);
    SkipSpace(p);
    if (p.pos < p.len && p.s[p.pos] == ']') {
      ++p.pos;
      return;
    }
    for (lua_Integer i = 1;; ++i) {
      DecodeValue(L, p, depth + 1);
      lua_rawseti(L, -2, i);
      SkipSpace(p);
      if (p.pos >= p.len) DecodeError(L, p, "EOF while parsing a list");
      if (p.s[p.pos] == ',') {
        ++p.pos;
        continue;
      }
      if (p.s[p.pos] == ']') {
        ++p.pos;
        return;
      }
      DecodeError(L, p, "expected `,` or `]`");
    }
  }
  if (c == '"') {
    ++p.pos;
    DecodeString(L, p);
    return;
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    DecodeNumber(L, p);
    return;
  }
  if (Match(p, "true")) {
    lua_pushboolean(L, 1);
    return;
  }
  if (Match(p, "false")) {
    lua_pushboolean(L, 0);
    return;
  }
  if (Match(p, "null")) {
    PushNullSentinel(L);
    return;
  }
  DecodeError(L, p, "expected value");
}

}  // namespace

int JsonDecode(lua_State* L) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  lua_settop(L, 1);
  Parser p{s, len, 0};
  DecodeValue(L, p, 0);
  SkipSpace(p);
  if (p.pos != p.len) DecodeError(L, p, "trailing characters");
  return 1;
}

}  // namespace luaskills
