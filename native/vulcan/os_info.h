// vulcan.os (native): registers package.preload["luaskills.os"].
#pragma once

#include "../lua_headers.h"

namespace luaskills {

// Runs inside a protected call at VM creation.
void InstallOs(lua_State* L);

}  // namespace luaskills
