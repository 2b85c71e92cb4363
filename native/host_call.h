// A host-function call made by Lua running on the VM thread. The VM thread parks while the JS
// thread converts the arguments, calls the JS function, awaits its promise and pushes the
// result; the state below says who may touch the lua_State at each moment.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>

#include "lua_headers.h"

namespace luaskills {

enum class HostCallState {
  kPending,    // posted; the JS thread has not started
  kJsActive,   // the JS thread is using the lua_State
  kAwaiting,   // the JS function returned a promise; nobody uses the lua_State
  kDone,       // results (or the error) are ready; the VM thread owns the state again
  kAbandoned,  // the VM thread gave up (timeout, cancel, close); the JS side drops the result
};

struct HostCall {
  lua_State* L = nullptr;
  int id = 0;
  int nargs = 0;

  std::mutex mu;
  std::condition_variable cv;
  HostCallState state = HostCallState::kPending;
  int nresults = 0;  // pushed by the JS thread on success
  bool failed = false;
  std::string error;

  // JS thread: claims the state unless the VM thread has given up. Returns false if abandoned.
  bool Claim(HostCallState from);
  // JS thread: hands the state back (kDone) or marks it kAwaiting.
  void Release(HostCallState to);
};

}  // namespace luaskills
