// The library set of a restricted state (LuaVm option `libraries: 'safe'`): pure computation
// only, for code that must not reach files, the process, the host or other skills, such as a
// skill's config_validator.
#pragma once

#include "lua_headers.h"

namespace luaskills {

// Opens base, string, table, math and utf8; removes dofile, loadfile, print and warn from base and
// makes load text-only and setmetatable refuse __gc (no finalizers run at close). Runs inside
// a protected call (it allocates).
void OpenSafeLibraries(lua_State* L);

}  // namespace luaskills
