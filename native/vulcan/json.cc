// vulcan.json: the luaskills.json module, encode / decode on the Lua thread, byte-compatible
// with upstream's output and with the 0.5.3 typed containers (json_encode.cc, json_decode.cc);
// the module also re-exports luaskills.types' object, array and null.
#include "json.h"

#include "json_codec.h"
#include "../preload.h"

namespace luaskills {

namespace {

int OpenJson(lua_State* L) {
  const luaL_Reg fns[] = {{"encode", JsonEncode}, {"decode", JsonDecode}, {nullptr, nullptr}};
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
