// Typed containers: tables marked as JSON objects or arrays by protected metatables, and the
// null sentinel (a NULL light userdata, equal to cjson.null). They keep {} / [] / null distinct
// across the bridge and are what vulcan.json builds on.
#pragma once

#include "lua_headers.h"

namespace luaskills {

enum class ContainerKind { kNone, kObject, kArray };

// Creates the two marker metatables in the registry and registers package.preload
// ["luaskills.types"]. Runs inside a protected call.
void InstallTypedContainers(lua_State* L);

// Which marker the table at idx carries. Never raises, never allocates.
ContainerKind ContainerKindOf(lua_State* L, int idx);

// Sets the marker metatable on the table at idx. May raise (memory).
void MarkContainer(lua_State* L, int idx, ContainerKind kind);

inline bool IsNullSentinel(lua_State* L, int idx) {
  return lua_type(L, idx) == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == nullptr;
}
inline void PushNullSentinel(lua_State* L) { lua_pushlightuserdata(L, nullptr); }

}  // namespace luaskills
