// Turns a tape written by lib/vm/tape.ts into Lua values (tags in step with that file).
#pragma once

#include <cstddef>
#include <cstdint>

#include "lua_headers.h"

namespace luaskills {

// Pushes the one value encoded in [data, data+len). Runs inside a protected call: Lua may raise
// (memory), so it keeps only trivially destructible locals. Returns nullptr on success, or a
// static message when the tape is malformed (nothing pushed).
const char* DecodeTape(lua_State* L, const uint8_t* data, size_t len);

}  // namespace luaskills
