#include "coroutine_hooks.h"

#include "vm_core.h"

namespace luaskills {

namespace {

// Same contract as Lua's own auxresume (lcorolib.c): returns the number of results moved to L,
// or -1 with the error value on L's top.
int ResumeWithHook(lua_State* L, lua_State* co, int narg) {
  if (!lua_checkstack(co, narg)) {
    lua_pushliteral(L, "too many arguments to resume");
    return -1;
  }
  VmCore* core = VmCore::From(L);
  core->SyncHook(co);
  lua_xmove(L, co, narg);
  int nres = 0;
  lua_State* caller = core->SwapCurrentThread(co);
  int status = lua_resume(co, L, narg, &nres);
  core->SwapCurrentThread(caller);
  if (status == LUA_OK || status == LUA_YIELD) {
    if (!lua_checkstack(L, nres + 1)) {
      lua_pop(co, nres);
      lua_pushliteral(L, "too many results to resume");
      return -1;
    }
    lua_xmove(co, L, nres);
    return nres;
  }
  lua_xmove(co, L, 1);
  return -1;
}

int CoResume(lua_State* L) {
  lua_State* co = lua_tothread(L, 1);
  luaL_argexpected(L, co != nullptr, 1, "coroutine");
  int r = ResumeWithHook(L, co, lua_gettop(L) - 1);
  if (r < 0) {
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushboolean(L, 1);
  lua_insert(L, -(r + 1));
  return r + 1;
}

int AuxWrap(lua_State* L) {
  lua_State* co = lua_tothread(L, lua_upvalueindex(1));
  int r = ResumeWithHook(L, co, lua_gettop(L));
  if (r < 0) {
    int stat = lua_status(co);
    if (stat != LUA_OK && stat != LUA_YIELD) {
      stat = lua_resetthread(co);  // close its to-be-closed variables
      lua_xmove(co, L, 1);
    }
    if (stat != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
      luaL_where(L, 1);
      lua_insert(L, -2);
      lua_concat(L, 2);
    }
    return lua_error(L);
  }
  return r;
}

int CoWrap(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_State* co = lua_newthread(L);
  lua_pushvalue(L, 1);
  lua_xmove(L, co, 1);
  lua_pushcclosure(L, AuxWrap, 1);
  return 1;
}

}  // namespace

void InstallCoroutineHooks(lua_State* L) {
  lua_getglobal(L, "coroutine");
  if (lua_type(L, -1) == LUA_TTABLE) {
    lua_pushcfunction(L, CoResume);
    lua_setfield(L, -2, "resume");
    lua_pushcfunction(L, CoWrap);
    lua_setfield(L, -2, "wrap");
  }
  lua_pop(L, 1);
}

}  // namespace luaskills
