// vulcan.process: the module table (exec, which, launchers, session.open), registered as
// package.preload["luaskills.process"].
#include "process.h"

#include <string>

#include "../preload.h"
#include "lua_args.h"
#include "process_internal.h"
#include "process_launchers.h"

namespace luaskills {

namespace {

// which(program) → absolute path or nil. Relative paths and PATH entries resolve against the
// VM's logical cwd when it has one.
int LuaWhich(lua_State* L) {
  bool raise = false;
  bool found = false;
  {
    std::string program;
    std::string text;
    if (!CheckStringArg(L, 1, "process.which", "program", false, &program, &text)) {
      raise = true;
    } else {
      text = Which(program, LogicalCwd(L));
      found = !text.empty();
    }
    if ((raise || found) && !PushText(L, text)) raise = true;
  }
  if (raise) return lua_error(L);
  if (!found) lua_pushnil(L);
  return 1;
}

// launchers() → { default = "sh", shells = { "sh", ... } }.
int LuaLaunchers(lua_State* L) {
  const char* names[8];
  int count = 0;
  {
    const std::string base = LogicalCwd(L);
    for (Launcher launcher : AvailableLaunchers(base)) {
      if (count < 8) names[count++] = LauncherId(launcher);
    }
  }
  // Only static strings from here on: raising is harmless.
  lua_createtable(L, 0, 2);
  lua_pushstring(L, LauncherId(Launcher::kSh));
  lua_setfield(L, -2, "default");
  lua_createtable(L, count, 0);
  for (int i = 0; i < count; ++i) {
    lua_pushstring(L, names[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "shells");
  return 1;
}

int OpenProcess(lua_State* L) {
  RegisterProcessSessionType(L);
  const luaL_Reg fns[] = {
      {"exec", ProcessExec}, {"which", LuaWhich}, {"launchers", LuaLaunchers}, {nullptr, nullptr},
  };
  luaL_newlib(L, fns);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, ProcessSessionOpen);
  lua_setfield(L, -2, "open");
  lua_setfield(L, -2, "session");
  return 1;
}

}  // namespace

void InstallProcess(lua_State* L) {
  RegisterPreload(L, "luaskills.process", OpenProcess);
}

}  // namespace luaskills
