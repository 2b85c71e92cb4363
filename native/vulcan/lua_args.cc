#include "lua_args.h"

#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../convert.h"
#include "../preload.h"

namespace luaskills {

namespace {

int PushStringProtected(lua_State* L) {
  const auto* text = static_cast<const std::string*>(lua_touserdata(L, 1));
  lua_pushlstring(L, text->data(), text->size());
  return 1;
}

bool IsBlank(const char* s, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    const char c = s[i];
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f' && c != '\v') return false;
  }
  return true;
}

}  // namespace

const char* LuaTypeName(lua_State* L, int idx) {
  switch (lua_type(L, idx)) {
    case LUA_TNUMBER: return lua_isinteger(L, idx) ? "integer" : "number";
    case LUA_TLIGHTUSERDATA: return "lightuserdata";
    default: return luaL_typename(L, idx);
  }
}

bool CheckStringArg(lua_State* L, int idx, const char* fn, const char* param, bool allow_blank, std::string* out,
                    std::string* error) {
  if (lua_type(L, idx) != LUA_TSTRING) {
    *error = std::string(fn) + ": " + param + " must be a string, got " + LuaTypeName(L, idx);
    return false;
  }
  size_t len = 0;
  const char* s = lua_tolstring(L, idx, &len);
  if (ClassifyUtf8(s, len) == Utf8Kind::kInvalid) {
    *error = std::string(fn) + ": " + param + " must be a valid UTF-8 string";
    return false;
  }
  if (!allow_blank && IsBlank(s, len)) {
    *error = std::string(fn) + ": " + param + " must not be empty";
    return false;
  }
  if (std::memchr(s, '\0', len) != nullptr) {
    *error = std::string(fn) + ": " + param + " must not contain NUL bytes";
    return false;
  }
  out->assign(s, len);
  return true;
}

bool CheckPathArg(lua_State* L, int idx, const char* fn, const char* param, std::string* out, std::string* error) {
  if (!CheckStringArg(L, idx, fn, param, false, out, error)) return false;
  for (const char* kind : {"table: 0x", "function: 0x", "thread: 0x", "userdata: 0x"}) {
    if (out->rfind(kind, 0) == 0) {
      *error = std::string(fn) + ": " + param + " looks like a coerced Lua object string `" + *out + "`";
      return false;
    }
  }
  return true;
}

bool CheckOptionsArg(lua_State* L, int idx, const char* fn, std::string* error) {
  const int t = lua_type(L, idx);
  if (t == LUA_TNONE || t == LUA_TNIL || t == LUA_TTABLE) return true;
  *error = std::string(fn) + ": options must be a table, got " + LuaTypeName(L, idx);
  return false;
}

bool OptionalBoolField(lua_State* L, int idx, const char* fn, const char* field, bool dflt, bool* out,
                       std::string* error) {
  *out = dflt;
  if (lua_type(L, idx) != LUA_TTABLE) return true;
  if (!lua_checkstack(L, 2)) {
    *error = std::string(fn) + ": stack overflow";
    return false;
  }
  // lua_next allocates nothing and runs no metamethod, so no Lua error can skip the caller's
  // C++ strings here.
  const int table = lua_absindex(L, idx);
  const size_t field_len = std::strlen(field);
  lua_pushnil(L);
  while (lua_next(L, table) != 0) {
    size_t key_len = 0;
    const char* key = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &key_len) : nullptr;
    if (key != nullptr && key_len == field_len && std::memcmp(key, field, key_len) == 0) {
      const bool ok = lua_type(L, -1) == LUA_TBOOLEAN;
      if (ok) {
        *out = lua_toboolean(L, -1) != 0;
      } else {
        *error = std::string(fn) + ": options." + field + " must be a boolean when provided: " + LuaTypeName(L, -1);
      }
      lua_pop(L, 2);
      return ok;
    }
    lua_pop(L, 1);
  }
  return true;
}

bool PushText(lua_State* L, const std::string& text) {
  if (!lua_checkstack(L, 2)) return false;
  lua_pushcfunction(L, PushStringProtected);
  lua_pushlightuserdata(L, const_cast<std::string*>(&text));
  return lua_pcall(L, 1, 1, 0) == LUA_OK;
}

}  // namespace luaskills

namespace luaskills {

namespace {

// The registry slot's key: an address, so reading it allocates nothing.
const char kCwdKey = 0;

int SetCwd(lua_State* L) {
  if (lua_isnoneornil(L, 1)) {
    lua_pushnil(L);
  } else {
    luaL_checktype(L, 1, LUA_TSTRING);
    lua_pushvalue(L, 1);
  }
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kCwdKey);
  return 0;
}

int GetCwd(lua_State* L) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &kCwdKey);
  return 1;
}

// The logical cwd when set, else the process's (what vulcan.runtime.cwd() reports).
int EffectiveCwd(lua_State* L) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &kCwdKey);
  if (lua_type(L, -1) == LUA_TSTRING) return 1;
  char buffer[PATH_MAX];
  if (getcwd(buffer, sizeof buffer) == nullptr) return luaL_error(L, "vulcan.runtime.cwd: %s", std::strerror(errno));
  lua_pushstring(L, buffer);
  return 1;
}

int OpenCwd(lua_State* L) {
  const luaL_Reg fns[] = {{"set", SetCwd}, {"get", GetCwd}, {"effective", EffectiveCwd}, {nullptr, nullptr}};
  luaL_newlib(L, fns);
  return 1;
}

}  // namespace

std::string LogicalCwd(lua_State* L) {
  if (!lua_checkstack(L, 1)) return std::string();
  lua_rawgetp(L, LUA_REGISTRYINDEX, &kCwdKey);
  size_t len = 0;
  const char* s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : nullptr;
  std::string out = s != nullptr ? std::string(s, len) : std::string();
  lua_pop(L, 1);
  return out;
}

std::string ResolveAgainstCwd(lua_State* L, const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  std::string cwd = LogicalCwd(L);
  if (cwd.empty()) return path;
  if (cwd.back() != '/') cwd += '/';
  return cwd + path;
}

void InstallLogicalCwd(lua_State* L) {
  RegisterPreload(L, "luaskills.cwd", OpenCwd);
}

}  // namespace luaskills
