// Restores the Lua stack top on scope exit. Never use across a call that can raise: a longjmp
// skips destructors, so guards belong in frames that only call non-raising API functions.
#pragma once

#include "lua_headers.h"

namespace luaskills {

class StackGuard {
 public:
  explicit StackGuard(lua_State* L) : L_(L), top_(lua_gettop(L)) {}
  ~StackGuard() { lua_settop(L_, top_); }
  StackGuard(const StackGuard&) = delete;
  StackGuard& operator=(const StackGuard&) = delete;
  int top() const { return top_; }

 private:
  lua_State* L_;
  int top_;
};

}  // namespace luaskills
