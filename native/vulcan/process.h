// vulcan.process (native): registers package.preload["luaskills.process"] — exec, which,
// launchers and session.open.
#pragma once

#include "../lua_headers.h"

namespace luaskills {

// Runs inside a protected call at VM creation.
void InstallProcess(lua_State* L);

}  // namespace luaskills
