// luaskills.io_compat: upstream's managed `io` compatibility table (install_managed_io_compat).
// require("luaskills.io_compat") returns install(options?); install replaces the global `io`,
// package.loaded.io and package.preload.io by a table with open/lines/popen/tmpfile (those of
// vulcan.io) and input/output/read/write/flush/close/type over a default input and output.
// io.write without an output goes to the runtime log: options.log(line) is called with
// "[LuaSkill:stdout] <text>" (without options.log the text is dropped).
#include <cstdio>
#include <memory>
#include <string>

#include "io.h"
#include "io_file.h"
#include "io_support.h"
#include "lua_args.h"

namespace luaskills {

namespace {

// Errors carry no position, as upstream's (mlua runtime errors): lua_error, not luaL_error.

// Upvalue 1 of every stateful function: { input = file, output = file, log = function }.
int StateIndex() { return lua_upvalueindex(1); }

// io.input / io.output: no argument → the current file (or nil); a path → a new file (read
// or truncating write, UTF-8 text); a managed file → that file.
int SetOrGet(lua_State* L, const char* fn, const char* field, IoModeKind kind) {
  lua_settop(L, 1);
  const int t = lua_type(L, 1);
  if (t == LUA_TNIL) {
    lua_getfield(L, StateIndex(), field);
    return 1;
  }
  if (t == LUA_TUSERDATA && TestIoFile(L, 1) != nullptr) {
    lua_pushvalue(L, 1);
    lua_setfield(L, StateIndex(), field);
    return 1;
  }
  if (t != LUA_TSTRING) {
    lua_pushfstring(L, "%s expected path string or managed file, got %s", fn, IoTypeName(L, 1));
    return lua_error(L);
  }
  int n;
  {
    IoOutcome out;
    std::string path;
    std::string error;
    if (!IoPathArg(L, 1, fn, "file", &path, &error)) {
      out.Fail(error);
    } else {
      std::unique_ptr<IoFileState> file =
          OpenIoFile(ResolveAgainstCwd(L, path), kind, false, false, TextEncoding::kUtf8, &error);
      if (file) out.AddFile(std::move(file));
      else out.Fail(error);
    }
    n = PushIoOutcome(L, &out);
  }
  if (n < 0) return lua_error(L);
  lua_pushvalue(L, -1);
  lua_setfield(L, StateIndex(), field);
  return 1;
}

int Input(lua_State* L) { return SetOrGet(L, "io.input", "input", IoModeKind::kRead); }
int Output(lua_State* L) { return SetOrGet(L, "io.output", "output", IoModeKind::kWrite); }

int Read(lua_State* L) {
  lua_getfield(L, StateIndex(), "input");
  if (lua_isnil(L, -1)) {
    lua_pushliteral(L, "io.read has no managed input; call io.input(path_or_file) first");
    return lua_error(L);
  }
  lua_insert(L, 1);
  return IoFileRead(L, 1, 2);
}

// One value as upstream's lua_value_to_display_text shows it (other values: "<type>: 0x…").
void AppendDisplay(lua_State* L, int idx, std::string* text) {
  switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, idx, &len);
      bool replaced = false;
      *text += Utf8Lossy(s, len, &replaced);
      break;
    }
    case LUA_TNUMBER: *text += IoNumberText(L, idx); break;
    case LUA_TBOOLEAN: *text += lua_toboolean(L, idx) ? "true" : "false"; break;
    case LUA_TNIL:
    case LUA_TNONE: *text += "nil"; break;
    default: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%s: %p", IoTypeName(L, idx), lua_topointer(L, idx));
      *text += buf;
    }
  }
}

int Write(lua_State* L) {
  const int top = lua_gettop(L);
  lua_getfield(L, StateIndex(), "output");
  if (!lua_isnil(L, -1)) {
    lua_insert(L, 1);
    return IoFileWrite(L, 1, 2);
  }
  lua_pop(L, 1);
  lua_getfield(L, StateIndex(), "log");
  const bool has_log = lua_isfunction(L, -1);
  bool raise = false;
  {
    std::string line = "[LuaSkill:stdout] ";
    for (int idx = 1; idx <= top; ++idx) AppendDisplay(L, idx, &line);
    if (has_log && !PushText(L, line)) raise = true;
  }
  if (raise) return lua_error(L);
  if (has_log) lua_call(L, 1, 0);
  lua_pushboolean(L, 1);
  return 1;
}

int Flush(lua_State* L) {
  lua_settop(L, 0);
  lua_getfield(L, StateIndex(), "output");
  if (lua_isnil(L, 1)) {
    lua_pushboolean(L, 1);
    return 1;
  }
  return IoFileFlush(L, 1);
}

// No argument: closes the default output and forgets it (true when there is none).
int Close(lua_State* L) {
  lua_settop(L, 1);
  if (lua_isnil(L, 1)) {
    lua_getfield(L, StateIndex(), "output");
    lua_pushnil(L);
    lua_setfield(L, StateIndex(), "output");
    if (lua_isnil(L, 2)) {
      lua_pushboolean(L, 1);
      return 1;
    }
    return IoFileClose(L, 2);
  }
  if (TestIoFile(L, 1) == nullptr) {
    lua_pushfstring(L, "io.close expected managed file, got %s", IoTypeName(L, 1));
    return lua_error(L);
  }
  return IoFileClose(L, 1);
}

// "file", "closed file", or the string "nil" for anything else (upstream returns a string).
int Type(lua_State* L) {
  IoFileBox* box = TestIoFile(L, 1);
  if (box == nullptr) lua_pushliteral(L, "nil");
  else if (box->state == nullptr) lua_pushliteral(L, "closed file");
  else lua_pushliteral(L, "file");
  return 1;
}

int ReturnUpvalue(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  return 1;
}

int Install(lua_State* L) {
  lua_settop(L, 1);
  if (!lua_isnil(L, 1)) luaL_checktype(L, 1, LUA_TTABLE);
  luaL_requiref(L, "luaskills.io", OpenIoModule, 0);  // 2: vulcan.io
  lua_createtable(L, 0, 3);                           // 3: state
  if (lua_istable(L, 1)) {
    lua_getfield(L, 1, "log");
    if (!lua_isnil(L, -1)) luaL_checktype(L, -1, LUA_TFUNCTION);
    lua_setfield(L, 3, "log");
  }
  lua_createtable(L, 0, 12);  // 4: the io table
  for (const char* name : {"open", "lines", "popen", "tmpfile"}) {
    lua_getfield(L, 2, name);
    lua_setfield(L, 4, name);
  }
  const luaL_Reg stateful[] = {
      {"input", Input}, {"output", Output}, {"read", Read},   {"write", Write},
      {"flush", Flush}, {"close", Close},   {nullptr, nullptr},
  };
  lua_pushvalue(L, 3);
  luaL_setfuncs(L, stateful, 1);
  lua_pushcfunction(L, Type);
  lua_setfield(L, 4, "type");

  lua_pushvalue(L, 4);
  lua_setglobal(L, "io");
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_pushvalue(L, 4);
  lua_setfield(L, -2, "io");
  lua_pop(L, 1);
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  lua_pushvalue(L, 4);
  lua_pushcclosure(L, ReturnUpvalue, 1);
  lua_setfield(L, -2, "io");
  lua_pop(L, 1);
  lua_pushvalue(L, 4);
  return 1;
}

}  // namespace

int OpenIoCompat(lua_State* L) {
  lua_pushcfunction(L, Install);
  return 1;
}

}  // namespace luaskills
