// Dotted global paths ("vulcan.log"), used by setGlobal / getGlobal / registerHostFunction.
#pragma once

#include "lua_headers.h"

namespace luaskills {

// Pushes the value at path (nil when a segment is missing). May raise (metamethods).
void PushGlobalPath(lua_State* L, const char* path);
// Sets path to the value at value_idx, creating intermediate tables. Raises on an empty
// segment or a non-table intermediate.
void SetGlobalPath(lua_State* L, const char* path, int value_idx);

}  // namespace luaskills
