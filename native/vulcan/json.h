// vulcan.json (native): registers package.preload["luaskills.json"].
#pragma once

#include "../lua_headers.h"

namespace luaskills {

// Runs inside a protected call at VM creation.
void InstallJson(lua_State* L);

}  // namespace luaskills
