// Built-in Lua modules are registered in package.preload: a VM pays for a module only when Lua
// code requires it.
#pragma once

#include "lua_headers.h"

namespace luaskills {

// package.preload[name] = open. May raise (memory); runs inside a protected call.
inline void RegisterPreload(lua_State* L, const char* name, lua_CFunction open) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  lua_pushcfunction(L, open);
  lua_setfield(L, -2, name);
  lua_pop(L, 1);
}

}  // namespace luaskills
