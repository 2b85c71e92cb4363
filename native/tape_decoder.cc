#include "tape_decoder.h"

#include <cstring>

#include "typed_containers.h"

namespace luaskills {

namespace {

enum Tag : uint8_t {
  kNil = 0,
  kNull = 1,
  kFalse = 2,
  kTrue = 3,
  kInt = 4,
  kFloat = 5,
  kString = 6,
  kArray = 7,
  kObject = 8,
};

constexpr int kMaxDepth = 300;  // the encoder stops at 256; this only guards a bad tape

struct Reader {
  const uint8_t* p;
  const uint8_t* end;

  bool Has(size_t n) const { return static_cast<size_t>(end - p) >= n; }
  uint32_t U32() {
    uint32_t v;
    std::memcpy(&v, p, 4);  // the tape is little-endian, as are the platforms we build for
    p += 4;
    return v;
  }
};

const char* PushString(lua_State* L, Reader& r) {
  if (!r.Has(4)) return "truncated tape";
  const uint32_t n = r.U32();
  if (!r.Has(n)) return "truncated tape";
  lua_pushlstring(L, reinterpret_cast<const char*>(r.p), n);
  r.p += n;
  return nullptr;
}

const char* Decode(lua_State* L, Reader& r, int depth) {
  if (!r.Has(1)) return "truncated tape";
  if (depth > kMaxDepth || !lua_checkstack(L, 3)) return "the Lua stack cannot grow";
  const uint8_t tag = *r.p++;
  switch (tag) {
    case kNil: lua_pushnil(L); return nullptr;
    case kNull: PushNullSentinel(L); return nullptr;
    case kFalse: lua_pushboolean(L, 0); return nullptr;
    case kTrue: lua_pushboolean(L, 1); return nullptr;
    case kInt: {
      if (!r.Has(8)) return "truncated tape";
      int64_t v;
      std::memcpy(&v, r.p, 8);
      r.p += 8;
      lua_pushinteger(L, static_cast<lua_Integer>(v));
      return nullptr;
    }
    case kFloat: {
      if (!r.Has(8)) return "truncated tape";
      double v;
      std::memcpy(&v, r.p, 8);
      r.p += 8;
      lua_pushnumber(L, v);
      return nullptr;
    }
    case kString:
      return PushString(L, r);
    case kArray: {
      if (!r.Has(4)) return "truncated tape";
      const uint32_t n = r.U32();
      lua_createtable(L, n > 0x7fffffff ? 0 : static_cast<int>(n), 0);
      const int table = lua_gettop(L);
      for (uint32_t i = 0; i < n; ++i) {
        if (const char* err = Decode(L, r, depth + 1)) {
          lua_settop(L, table - 1);
          return err;
        }
        lua_rawseti(L, table, static_cast<lua_Integer>(i) + 1);
      }
      MarkContainer(L, table, ContainerKind::kArray);
      return nullptr;
    }
    case kObject: {
      if (!r.Has(4)) return "truncated tape";
      const uint32_t n = r.U32();
      lua_createtable(L, 0, n > 0x7fffffff ? 0 : static_cast<int>(n));
      const int table = lua_gettop(L);
      for (uint32_t i = 0; i < n; ++i) {
        const char* err = PushString(L, r);
        if (err == nullptr) err = Decode(L, r, depth + 1);
        if (err != nullptr) {
          lua_settop(L, table - 1);
          return err;
        }
        lua_rawset(L, table);
      }
      MarkContainer(L, table, ContainerKind::kObject);
      return nullptr;
    }
    default:
      return "unknown tape tag";
  }
}

}  // namespace

const char* DecodeTape(lua_State* L, const uint8_t* data, size_t len) {
  Reader r{data, data + len};
  const int top = lua_gettop(L);
  const char* err = Decode(L, r, 0);
  if (err == nullptr && r.p != r.end) err = "trailing bytes in tape";
  if (err != nullptr) lua_settop(L, top);
  return err;
}

}  // namespace luaskills
