// vulcan.json: encode / decode on the Lua thread, byte-compatible with upstream's output
// (compact, object keys sorted by bytes, `/` not escaped, non-ASCII raw, integral floats written
// as integers, an unmarked empty table as `[]`) and with the 0.5.3 typed containers: decoded
// objects and arrays carry the marker metatables, JSON null is the null sentinel.
//
// Everything here may raise Lua errors (longjmp), so no local with a destructor is alive across
// a Lua API call; scratch memory (the sorted key list) lives in Lua userdata.
#include "json.h"

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "../convert.h"
#include "../typed_containers.h"
#include "../preload.h"

namespace luaskills {

namespace {

constexpr int kMaxDepth = 256;

// ---------------------------------------------------------------------------------- encode

struct KeyRef {
  const char* data;
  size_t len;
};

// The encoder's output: a byte buffer in a userdata kept at a fixed stack slot (a luaL_Buffer
// needs its slot at the top of the stack, and the encoder pushes values while it writes).
struct OutBuf {
  lua_State* L;
  int slot;
  char* data;
  size_t len;
  size_t cap;
};

void Reserve(OutBuf* b, size_t more) {
  if (b->cap - b->len >= more) return;
  size_t cap = b->cap * 2;
  while (cap - b->len < more) cap *= 2;
  char* grown = static_cast<char*>(lua_newuserdatauv(b->L, cap, 0));
  std::memcpy(grown, b->data, b->len);
  lua_replace(b->L, b->slot);  // the old buffer is garbage now
  b->data = grown;
  b->cap = cap;
}

void Add(OutBuf* b, const char* s, size_t n) {
  Reserve(b, n);
  std::memcpy(b->data + b->len, s, n);
  b->len += n;
}

void AddStr(OutBuf* b, const char* s) { Add(b, s, std::strlen(s)); }
void AddChar(OutBuf* b, char c) { Add(b, &c, 1); }

void EncodeValue(lua_State* L, OutBuf* b, int idx, int depth);

void EncodeString(OutBuf* b, const char* s, size_t len) {
  if (ClassifyUtf8(s, len) == Utf8Kind::kInvalid) {
    AddStr(b, "\"\"");  // upstream writes invalid UTF-8 as an empty string
    return;
  }
  AddChar(b, '"');
  size_t run = 0;  // bytes copied in one go while nothing needs escaping
  for (size_t i = 0; i < len; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    Add(b, s + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': AddStr(b, "\\\""); break;
      case '\\': AddStr(b, "\\\\"); break;
      case '\n': AddStr(b, "\\n"); break;
      case '\r': AddStr(b, "\\r"); break;
      case '\t': AddStr(b, "\\t"); break;
      case '\b': AddStr(b, "\\b"); break;
      case '\f': AddStr(b, "\\f"); break;
      default: {
        char esc[8];
        std::snprintf(esc, sizeof esc, "\\u%04x", c);
        AddStr(b, esc);
      }
    }
  }
  Add(b, s + run, len - run);
  AddChar(b, '"');
}

// Decimal digits of v at the end of buf (no sign handling); returns the first digit.
char* WriteDigits(char* end, unsigned long long v) {
  do {
    *--end = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  return end;
}

void AddInteger(OutBuf* b, long long v) {
  char buf[24];
  char* end = buf + sizeof buf;
  const unsigned long long mag = v < 0 ? 0ULL - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
  char* p = WriteDigits(end, mag);
  if (v < 0) *--p = '-';
  Add(b, p, static_cast<size_t>(end - p));
}

void EncodeNumber(lua_State* L, OutBuf* b, int idx) {
  if (lua_isinteger(L, idx)) {
    AddInteger(b, static_cast<long long>(lua_tointeger(L, idx)));
    return;
  }
  const double d = lua_tonumber(L, idx);
  if (!std::isfinite(d)) {
    AddStr(b, "null");
    return;
  }
  if (d == std::trunc(d) && std::fabs(d) < 9.2e18) {
    // One number type upstream (LuaJIT): whole floats are written as integers.
    AddInteger(b, static_cast<long long>(d));
    return;
  }
  // The shortest text that reads back as the same double, in printf's %g layout with at least
  // 15 significant digits, exponent written as serde_json writes it (`1e300`, `1e-7`: no plus
  // sign, no leading zeros). The shortest digit count comes from to_chars (Ryu), so no
  // print-and-parse loop is needed.
  char buf[40];
  char sci[40];
  const auto shortest = std::to_chars(sci, sci + sizeof sci, d, std::chars_format::scientific);
  int digits = 0;
  for (const char* p = sci; p < shortest.ptr && *p != 'e'; ++p) {
    if (*p >= '0' && *p <= '9') ++digits;
  }
  const auto out = std::to_chars(buf, buf + sizeof buf - 1, d, std::chars_format::general, std::max(digits, 15));
  *out.ptr = '\0';
  char* e = std::strchr(buf, 'e');
  if (e != nullptr) {
    char* exp = e + 1;
    if (*exp == '+') std::memmove(exp, exp + 1, std::strlen(exp));
    if (*exp == '-') ++exp;
    while (exp[0] == '0' && exp[1] != '\0') std::memmove(exp, exp + 1, std::strlen(exp));
  }
  AddStr(b, buf);
}

void EncodeArray(lua_State* L, OutBuf* b, int idx, lua_Integer n, int depth) {
  AddChar(b, '[');
  for (lua_Integer i = 1; i <= n; ++i) {
    if (i > 1) AddChar(b, ',');
    lua_rawgeti(L, idx, i);
    EncodeValue(L, b, lua_gettop(L), depth + 1);
    lua_pop(L, 1);
  }
  AddChar(b, ']');
}

// Objects: keys collected into a userdata array (freed by the GC even if we raise), sorted by
// bytes, then written with their values.
void EncodeObject(lua_State* L, OutBuf* b, int idx, int depth, bool strict) {
  size_t count = 0;
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    lua_pop(L, 1);
    ++count;
  }
  auto* keys = static_cast<KeyRef*>(lua_newuserdatauv(L, sizeof(KeyRef) * (count ? count : 1), 1));
  const int keys_idx = lua_gettop(L);
  // Number keys become their text; those strings must stay alive: keep them in a side table.
  lua_newtable(L);
  lua_setiuservalue(L, keys_idx, 1);
  size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    lua_pop(L, 1);
    const int kt = lua_type(L, -1);
    if (kt == LUA_TSTRING) {
      keys[n].data = lua_tolstring(L, -1, &keys[n].len);
    } else if (kt == LUA_TNUMBER && !strict) {
      lua_getiuservalue(L, keys_idx, 1);
      lua_pushvalue(L, -2);
      const char* text = lua_tolstring(L, -1, &keys[n].len);  // converts the copy
      keys[n].data = text;
      lua_rawseti(L, -2, static_cast<lua_Integer>(n) + 1);
      lua_pop(L, 1);
    } else {
      luaL_error(L, "json.encode: %s key of type %s", strict ? "an object-marked table has a" : "a table has a",
                 lua_typename(L, kt));
    }
    ++n;
  }
  std::sort(keys, keys + n, [](const KeyRef& a, const KeyRef& c) {
    const int r = std::memcmp(a.data, c.data, a.len < c.len ? a.len : c.len);
    return r != 0 ? r < 0 : a.len < c.len;
  });
  AddChar(b, '{');
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) AddChar(b, ',');
    EncodeString(b, keys[i].data, keys[i].len);
    AddChar(b, ':');
    lua_pushlstring(L, keys[i].data, keys[i].len);
    // A number key was stored as text: look the value up by the original key.
    if (lua_rawget(L, idx) == LUA_TNIL) {
      lua_pop(L, 1);
      lua_pushlstring(L, keys[i].data, keys[i].len);
      if (lua_stringtonumber(L, keys[i].data) != 0) {
        lua_rawget(L, idx);
        lua_remove(L, -2);
      }
    }
    EncodeValue(L, b, lua_gettop(L), depth + 1);
    lua_pop(L, 1);
  }
  AddChar(b, '}');
  lua_remove(L, keys_idx);
}

void EncodeTable(lua_State* L, OutBuf* b, int idx, int depth) {
  if (depth > kMaxDepth) luaL_error(L, "json.encode: nesting deeper than %d levels", kMaxDepth);
  luaL_checkstack(L, 6, "json.encode: nesting too deep");
  switch (ContainerKindOf(L, idx)) {
    case ContainerKind::kObject:
      EncodeObject(L, b, idx, depth, true);
      return;
    case ContainerKind::kArray: {
      const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, idx));
      lua_pushnil(L);
      while (lua_next(L, idx) != 0) {
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > n) {
          luaL_error(L, "json.encode: an array-marked table has a key that is not an index 1..#t");
        }
      }
      for (lua_Integer i = 1; i <= n; ++i) {
        if (lua_rawgeti(L, idx, i) == LUA_TNIL) luaL_error(L, "json.encode: an array-marked table has a hole at %d", static_cast<int>(i));
        lua_pop(L, 1);
      }
      EncodeArray(L, b, idx, n, depth);
      return;
    }
    case ContainerKind::kNone:
      break;
  }
  const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, idx));
  if (n > 0) {
    EncodeArray(L, b, idx, n, depth);  // other keys are ignored, as upstream
    return;
  }
  lua_pushnil(L);
  if (lua_next(L, idx) == 0) {
    AddStr(b, "[]");  // unmarked empty table
    return;
  }
  lua_pop(L, 2);
  EncodeObject(L, b, idx, depth, false);
}

void EncodeValue(lua_State* L, OutBuf* b, int idx, int depth) {
  switch (lua_type(L, idx)) {
    case LUA_TNIL: AddStr(b, "null"); return;
    case LUA_TBOOLEAN: AddStr(b, lua_toboolean(L, idx) ? "true" : "false"); return;
    case LUA_TNUMBER: EncodeNumber(L, b, idx); return;
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, idx, &len);
      EncodeString(b, s, len);
      return;
    }
    case LUA_TTABLE: EncodeTable(L, b, idx, depth); return;
    case LUA_TLIGHTUSERDATA:
      if (IsNullSentinel(L, idx)) {
        AddStr(b, "null");
        return;
      }
      break;
    default: break;
  }
  luaL_error(L, "json.encode: Cannot convert a Lua %s to JSON", luaL_typename(L, idx));
}

int Encode(lua_State* L) {
  luaL_checkany(L, 1);
  lua_settop(L, 1);
  OutBuf b{L, 2, static_cast<char*>(lua_newuserdatauv(L, 256, 0)), 0, 256};
  EncodeValue(L, &b, 1, 0);
  lua_pushlstring(L, b.data, b.len);
  return 1;
}

// ---------------------------------------------------------------------------------- decode

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
  if (depth > kMaxDepth) DecodeError(L, p, "recursion limit exceeded");
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

int Decode(lua_State* L) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  lua_settop(L, 1);
  Parser p{s, len, 0};
  DecodeValue(L, p, 0);
  SkipSpace(p);
  if (p.pos != p.len) DecodeError(L, p, "trailing characters");
  return 1;
}

int OpenJson(lua_State* L) {
  const luaL_Reg fns[] = {{"encode", Encode}, {"decode", Decode}, {nullptr, nullptr}};
  luaL_newlib(L, fns);
  // The typed containers are the ones of luaskills.types.
  lua_getglobal(L, "require");
  lua_pushliteral(L, "luaskills.types");
  lua_call(L, 1, 1);
  lua_getfield(L, -1, "object");
  lua_setfield(L, -3, "object");
  lua_getfield(L, -1, "array");
  lua_setfield(L, -3, "array");
  lua_getfield(L, -1, "null");
  lua_setfield(L, -3, "null");
  lua_pop(L, 1);
  return 1;
}

}  // namespace

void InstallJson(lua_State* L) {
  RegisterPreload(L, "luaskills.json", OpenJson);
}

}  // namespace luaskills
