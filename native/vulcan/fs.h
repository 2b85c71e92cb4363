// vulcan.fs (native): registers package.preload["luaskills.fs"].
#pragma once

#include "../lua_headers.h"

namespace luaskills {

// Runs inside a protected call at VM creation.
void InstallFs(lua_State* L);

}  // namespace luaskills
