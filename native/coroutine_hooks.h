// coroutine.resume / coroutine.wrap that carry the running job's count hook into the coroutine.
// Lua hooks are per coroutine and only inherited at creation, so a coroutine created in one job
// and resumed in a later one would otherwise escape that job's timeout.
#pragma once

#include "lua_headers.h"

namespace luaskills {

// Replaces coroutine.resume and coroutine.wrap. Runs inside a protected call.
void InstallCoroutineHooks(lua_State* L);

}  // namespace luaskills
