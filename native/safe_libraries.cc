#include "safe_libraries.h"

namespace luaskills {

namespace {

// load() with the mode forced to "t": a precompiled chunk is unchecked bytecode and can crash
// the process. Upvalue 1: the original load. An absent env stays absent (load then uses the
// global table), so only the first three slots are padded.
int TextOnlyLoad(lua_State* L) {
  if (lua_gettop(L) < 3) lua_settop(L, 3);
  lua_pushliteral(L, "t");
  lua_replace(L, 3);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// setmetatable() that refuses a metatable with __gc. Finalizers still pending when the state is
// closed run inside lua_close on the closing thread, where no hook or deadline can stop them; an
// object is only ever finalized if its metatable had __gc when it was set, so checking here is
// enough. Upvalue 1: the original setmetatable.
int SetMetatableWithoutGc(lua_State* L) {
  if (lua_type(L, 2) == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, 2) != LUA_TNIL) {
      return luaL_error(L, "setmetatable: __gc metamethods are not available in this state");
    }
    lua_pop(L, 1);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

void WrapGlobal(lua_State* L, const char* name, lua_CFunction wrapper) {
  lua_getglobal(L, name);
  lua_pushcclosure(L, wrapper, 1);
  lua_setglobal(L, name);
}

}  // namespace

void OpenSafeLibraries(lua_State* L) {
  const luaL_Reg libs[] = {
      {LUA_GNAME, luaopen_base},       {LUA_STRLIBNAME, luaopen_string},
      {LUA_TABLIBNAME, luaopen_table}, {LUA_MATHLIBNAME, luaopen_math},
      {LUA_UTF8LIBNAME, luaopen_utf8}, {nullptr, nullptr},
  };
  for (const luaL_Reg* lib = libs; lib->func != nullptr; ++lib) {
    luaL_requiref(L, lib->name, lib->func, 1);
    lua_pop(L, 1);
  }
  // dofile/loadfile read files; print and warn write to the process's stdout/stderr, and stdout
  // may be a protocol channel (MCP over stdio).
  const char* const removed[] = {"dofile", "loadfile", "print", "warn"};
  for (const char* name : removed) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }
  WrapGlobal(L, "load", TextOnlyLoad);
  WrapGlobal(L, "setmetatable", SetMetatableWithoutGc);
}

}  // namespace luaskills
