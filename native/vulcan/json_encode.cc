// vulcan.json's encoder: compact, object keys sorted by bytes, `/` not escaped, non-ASCII raw,
// integral floats written as integers, an unmarked empty table as `[]`, typed containers and the
// null sentinel honoured (upstream's output, byte for byte).
//
// Everything here may raise Lua errors (longjmp), so no local with a destructor is alive across
// a Lua API call; scratch memory (the sorted key list) lives in Lua userdata. The whole encoder
// is one translation unit so its helpers stay internal and inlinable.
#include "json_codec.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "../convert.h"
#include "../typed_containers.h"

namespace luaskills {

namespace {

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
  if (depth > kJsonMaxDepth) luaL_error(L, "json.encode: nesting deeper than %d levels", kJsonMaxDepth);
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

}  // namespace

int JsonEncode(lua_State* L) {
  luaL_checkany(L, 1);
  lua_settop(L, 1);
  OutBuf b{L, 2, static_cast<char*>(lua_newuserdatauv(L, 256, 0)), 0, 256};
  EncodeValue(L, &b, 1, 0);
  lua_pushlstring(L, b.data, b.len);
  return 1;
}

}  // namespace luaskills
