// The Lua C API, with C linkage: Lua is compiled as C so its errors are longjmps, and every
// C++ function Lua calls keeps only trivially destructible objects alive across API calls that
// can raise.
#pragma once

extern "C" {
#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"
}
