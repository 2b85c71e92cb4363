// vulcan.path (native): registers package.preload["luaskills.path"].
#pragma once

#include "../lua_headers.h"

namespace luaskills {

// Runs inside a protected call at VM creation.
void InstallPath(lua_State* L);

}  // namespace luaskills
