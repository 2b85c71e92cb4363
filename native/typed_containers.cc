#include "typed_containers.h"
#include "preload.h"

namespace luaskills {

namespace {

// Registry keys: the addresses are unique, their contents unused.
char kObjectMetaKey;
char kArrayMetaKey;

const char* const kObjectName = "luaskills.object";
const char* const kArrayName = "luaskills.array";

void* KeyFor(ContainerKind kind) {
  return kind == ContainerKind::kObject ? static_cast<void*>(&kObjectMetaKey)
                                        : static_cast<void*>(&kArrayMetaKey);
}

void NewMarkerMeta(lua_State* L, ContainerKind kind, const char* name) {
  lua_createtable(L, 0, 2);
  // A protected metatable: getmetatable() returns the name, setmetatable() refuses to replace it.
  lua_pushstring(L, name);
  lua_setfield(L, -2, "__metatable");
  lua_pushstring(L, name);
  lua_setfield(L, -2, "__name");
  lua_rawsetp(L, LUA_REGISTRYINDEX, KeyFor(kind));
}

// Lua: types.object([t]) / types.array([t]) mark t (or a new table) and return it.
int MarkFromLua(lua_State* L, ContainerKind kind) {
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  } else {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    ContainerKind current = ContainerKindOf(L, 1);
    if (current == kind) return 1;
    if (lua_getmetatable(L, 1) != 0) {
      return luaL_error(L, "cannot mark a table that already has a metatable as %s",
                        kind == ContainerKind::kObject ? "an object" : "an array");
    }
  }
  MarkContainer(L, 1, kind);
  return 1;
}

int LuaObject(lua_State* L) { return MarkFromLua(L, ContainerKind::kObject); }
int LuaArray(lua_State* L) { return MarkFromLua(L, ContainerKind::kArray); }

int LuaIsObject(lua_State* L) {
  lua_pushboolean(L, ContainerKindOf(L, 1) == ContainerKind::kObject);
  return 1;
}
int LuaIsArray(lua_State* L) {
  lua_pushboolean(L, ContainerKindOf(L, 1) == ContainerKind::kArray);
  return 1;
}
int LuaIsNull(lua_State* L) {
  lua_pushboolean(L, IsNullSentinel(L, 1));
  return 1;
}
// types.kind(v): "object" | "array" | "null" | nil
int LuaKind(lua_State* L) {
  if (IsNullSentinel(L, 1)) {
    lua_pushliteral(L, "null");
    return 1;
  }
  switch (ContainerKindOf(L, 1)) {
    case ContainerKind::kObject: lua_pushliteral(L, "object"); return 1;
    case ContainerKind::kArray: lua_pushliteral(L, "array"); return 1;
    case ContainerKind::kNone: break;
  }
  lua_pushnil(L);
  return 1;
}

int OpenTypes(lua_State* L) {
  const luaL_Reg fns[] = {
      {"object", LuaObject}, {"array", LuaArray}, {"is_object", LuaIsObject},
      {"is_array", LuaIsArray}, {"is_null", LuaIsNull}, {"kind", LuaKind},
      {"null", nullptr},       {nullptr, nullptr},
  };
  luaL_newlib(L, fns);
  PushNullSentinel(L);
  lua_setfield(L, -2, "null");
  return 1;
}

}  // namespace

void InstallTypedContainers(lua_State* L) {
  NewMarkerMeta(L, ContainerKind::kObject, kObjectName);
  NewMarkerMeta(L, ContainerKind::kArray, kArrayName);
  RegisterPreload(L, "luaskills.types", OpenTypes);
}

ContainerKind ContainerKindOf(lua_State* L, int idx) {
  if (lua_type(L, idx) != LUA_TTABLE || !lua_checkstack(L, 2)) return ContainerKind::kNone;
  if (lua_getmetatable(L, idx) == 0) return ContainerKind::kNone;
  ContainerKind kind = ContainerKind::kNone;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &kObjectMetaKey);
  if (lua_rawequal(L, -1, -2)) {
    kind = ContainerKind::kObject;
  } else {
    lua_pop(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &kArrayMetaKey);
    if (lua_rawequal(L, -1, -2)) kind = ContainerKind::kArray;
  }
  lua_pop(L, 2);
  return kind;
}

void MarkContainer(lua_State* L, int idx, ContainerKind kind) {
  if (kind == ContainerKind::kNone) return;
  idx = lua_absindex(L, idx);
  lua_rawgetp(L, LUA_REGISTRYINDEX, KeyFor(kind));
  lua_setmetatable(L, idx);
}

}  // namespace luaskills
