#include "global_path.h"

#include <cstring>

namespace luaskills {

void PushGlobalPath(lua_State* L, const char* path) {
  lua_pushglobaltable(L);
  const char* seg = path;
  for (;;) {
    const char* dot = std::strchr(seg, '.');
    const size_t len = dot != nullptr ? static_cast<size_t>(dot - seg) : std::strlen(seg);
    if (lua_type(L, -1) != LUA_TTABLE) {
      lua_pop(L, 1);
      lua_pushnil(L);
      return;
    }
    lua_pushlstring(L, seg, len);
    lua_gettable(L, -2);
    lua_remove(L, -2);
    if (dot == nullptr) return;
    seg = dot + 1;
  }
}

void SetGlobalPath(lua_State* L, const char* path, int value_idx) {
  value_idx = lua_absindex(L, value_idx);
  lua_pushglobaltable(L);
  const char* seg = path;
  for (;;) {
    const char* dot = std::strchr(seg, '.');
    const size_t len = dot != nullptr ? static_cast<size_t>(dot - seg) : std::strlen(seg);
    if (len == 0) luaL_error(L, "invalid global path '%s': empty segment", path);
    lua_pushlstring(L, seg, len);
    if (dot == nullptr) {
      lua_pushvalue(L, value_idx);
      lua_settable(L, -3);
      lua_pop(L, 1);
      return;
    }
    lua_pushvalue(L, -1);
    const int t = lua_gettable(L, -3);
    if (t == LUA_TNIL) {
      lua_pop(L, 1);
      lua_newtable(L);
      lua_pushvalue(L, -2);  // key
      lua_pushvalue(L, -2);  // new table
      lua_settable(L, -5);
    } else if (t != LUA_TTABLE) {
      luaL_error(L, "invalid global path '%s': '%s' is a %s, not a table", path,
                 lua_tostring(L, -2), lua_typename(L, t));
    }
    lua_remove(L, -2);  // key
    lua_remove(L, -2);  // parent
    seg = dot + 1;
  }
}

}  // namespace luaskills
