// Pieces shared by the vulcan.process sources (process_module.cc registers them).
#pragma once

#include <string>

#include "../lua_headers.h"

namespace luaskills {

class VmCore;
class ChildProcess;

// process.exec(spec) — process_exec.cc.
int ProcessExec(lua_State* L);

// process.session.open(spec) and the session userdata's metatable — process_session.cc.
int ProcessSessionOpen(lua_State* L);
// Creates the metatable (may raise: call with no C++ object alive).
void RegisterProcessSessionType(lua_State* L);

// Rust's Display of an f64 (finite): shortest round-trip digits, never an exponent ("1", "0.5",
// "100000000000000000000", "0.0000001").
std::string RustFloatText(double value);

// Pushes a table built by fill(L, data) inside a protected call; false leaves the error on the
// stack (to raise once the caller's C++ objects are gone).
bool PushTableProtected(lua_State* L, lua_CFunction fill, void* data);

}  // namespace luaskills
