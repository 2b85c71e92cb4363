#include "vm_core.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "coroutine_hooks.h"
#include "interrupt_signal.h"
#include "safe_libraries.h"
#include "watchdog.h"
#include "typed_containers.h"
#include "vulcan/fs.h"
#include "vulcan/io.h"
#include "vulcan/json.h"
#include "vulcan/lua_args.h"
#include "vulcan/os_info.h"
#include "vulcan/path.h"
#include "vulcan/process.h"

namespace luaskills {

namespace {
// Room the message handler may use above the cap, so building the traceback of a memory-limit
// error cannot replace that error with another one.
constexpr size_t kErrorReserveBytes = 256 * 1024;
}  // namespace

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kLuaSyntax: return "lua_syntax";
    case ErrorCode::kLuaRuntime: return "lua_runtime";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kCancelled: return "cancelled";
    case ErrorCode::kMemoryLimit: return "memory_limit";
    case ErrorCode::kConversion: return "conversion";
    case ErrorCode::kBusy: return "busy";
    case ErrorCode::kClosed: return "closed";
  }
  return "lua_runtime";
}

VmCore::VmCore(const VmLimits& limits)
    : limit_(limits.memory_limit_bytes), hook_interval_(limits.hook_interval > 0 ? limits.hook_interval : 1000) {}

std::unique_ptr<VmCore> VmCore::Create(const VmLimits& limits, Watchdog* watchdog) {
  std::unique_ptr<VmCore> core(new (std::nothrow) VmCore(limits));
  if (!core) return nullptr;
  core->watchdog_ = watchdog;
  core->signal_mode_ = SignalInterruptsAvailable();
  lua_State* L = lua_newstate(&VmCore::Allocate, core.get());
  if (L == nullptr) return nullptr;
  core->L_ = L;
  *static_cast<VmCore**>(lua_getextraspace(L)) = core.get();
  // Opening the libraries allocates and may hit a tiny cap: do it protected.
  if (limits.safe_libraries) {
    lua_pushcfunction(L, [](lua_State* S) -> int {
      OpenSafeLibraries(S);
      // The markers only: JS objects and arrays passed in keep their kind. The module that
      // exposes them is a preload entry, unreachable without require.
      InstallTypedContainers(S);
      return 0;
    });
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) return nullptr;
    return core;
  }
  lua_pushcfunction(L, [](lua_State* S) -> int {
    luaL_openlibs(S);
    InstallTypedContainers(S);
    InstallJson(S);
    InstallPath(S);
    InstallIo(S);
    InstallProcess(S);
    InstallOs(S);
    InstallLogicalCwd(S);
    InstallFs(S);
    InstallCoroutineHooks(S);
    return 0;
  });
  if (lua_pcall(L, 0, 0, 0) != LUA_OK) return nullptr;  // destructor closes the state
  return core;
}

VmCore::~VmCore() {
  // A job torn down with its environment never reached EndJob: the watchdog must forget it.
  if (watchdog_ticket_ != 0) watchdog_->Disarm(watchdog_ticket_);
  if (L_ != nullptr) {
    // __gc metamethods run here; nothing may interrupt them.
    lua_sethook(L_, nullptr, 0, 0);
    interrupt_.store(0);
    lua_close(L_);
    L_ = nullptr;
  }
}

// Runs on whichever thread owns the state. Lua assumes shrinking never fails, and passes the
// block's size (osize) with every free and resize, which is how the pool finds its size class.
void* VmCore::Allocate(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* core = static_cast<VmCore*>(ud);
  const size_t old = ptr != nullptr ? osize : 0;
  const size_t used = core->used_.load(std::memory_order_relaxed);
  if (nsize == 0) {
    if (ptr != nullptr) {
      if (SmallBlockPool::Handles(old)) core->pool_.Free(ptr, old);
      else std::free(ptr);
    }
    core->used_.store(used - old, std::memory_order_relaxed);
    return nullptr;
  }
  if (core->limit_ != 0 && nsize > old) {
    const size_t cap = core->limit_ + (core->in_handler_ ? kErrorReserveBytes : 0);
    if (used - old + nsize > cap) {
      core->limit_hit_ = true;
      return nullptr;
    }
  }
  void* p;
  const bool small_new = SmallBlockPool::Handles(nsize);
  const bool small_old = SmallBlockPool::Handles(old);
  if (ptr != nullptr && small_old && small_new &&
      SmallBlockPool::ClassOf(old) == SmallBlockPool::ClassOf(nsize)) {
    p = ptr;  // same size class: the block already fits
  } else if (ptr != nullptr && !small_old && !small_new) {
    p = std::realloc(ptr, nsize);
  } else {
    p = small_new ? core->pool_.Allocate(nsize) : std::malloc(nsize);
    if (p != nullptr && ptr != nullptr) {
      std::memcpy(p, ptr, old < nsize ? old : nsize);
      if (small_old) core->pool_.Free(ptr, old);
      else std::free(ptr);
    }
  }
  if (p == nullptr) return nullptr;
  core->used_.store(used - old + nsize, std::memory_order_relaxed);
  return p;
}

void VmCore::BeginJob(double timeout_ms, bool interruptible) {
  interrupt_.store(0, std::memory_order_release);
  limit_hit_ = false;
  interrupt_raised_ = false;
  raised_reason_ = Interrupt::kNone;
  conversion_error_ = false;
  syntax_error_ = false;
  handler_ran_ = false;
  // The TS layer caps timeouts at 1e12 ms; clamp here too so the arithmetic cannot overflow.
  if (timeout_ms > 1e12) timeout_ms = 1e12;
  has_deadline_ = timeout_ms > 0;
  timeout_ms_ = timeout_ms;
  if (has_deadline_) {
    deadline_ = std::chrono::steady_clock::now() +
                std::chrono::microseconds(static_cast<long long>(timeout_ms * 1000.0));
  }
  // The count hook doubles the cost of every instruction in Lua 5.4, so it is only installed
  // when a job can be stopped from outside (timeout, cancel, close).
  hook_active_ = has_deadline_ || interruptible;
  if (!hook_active_) return;
  if (signal_mode_) {
    // No hook until a stop is requested: the watchdog fires the deadline by signal.
    if (has_deadline_ && watchdog_ != nullptr) watchdog_ticket_ = watchdog_->Arm(this, deadline_);
  } else {
    // The count hook doubles the cost of every instruction in Lua 5.4, so without signals it
    // is only installed for jobs that can be stopped from outside.
    lua_sethook(L_, &VmCore::CountHook, LUA_MASKCOUNT, hook_interval_);
  }
}

void VmCore::EndJob() {
  if (watchdog_ticket_ != 0) {
    watchdog_->Disarm(watchdog_ticket_);
    watchdog_ticket_ = 0;
  }
  if (hook_active_ || lua_gethook(L_) != nullptr) lua_sethook(L_, nullptr, 0, 0);
  hook_active_ = false;
  has_deadline_ = false;
}

void VmCore::EnterLuaThread() {
  current_L_ = L_;
  if (!signal_mode_ || !hook_active_) return;  // nothing will signal this job
  running_thread_.store(CurrentThreadId());
  outer_core_ = SetThreadCore(this);
  running_.store(true);  // seq_cst, paired with RequestInterrupt: one of the two sees the other
  if (hook_active_ && PendingInterrupt() != Interrupt::kNone) {
    lua_sethook(current_L_, &VmCore::CountHook, LUA_MASKCOUNT, 1);
  }
}

void VmCore::LeaveLuaThread() {
  if (!signal_mode_ || !hook_active_) return;
  running_.store(false);
  SetThreadCore(outer_core_);
  outer_core_ = nullptr;
}

void VmCore::OnInterruptSignal() {
  if (!running_.load() || !hook_active_) return;
  lua_State* L = current_L_;
  if (L != nullptr) lua_sethook(L, &VmCore::CountHook, LUA_MASKCOUNT, 1);
  if (L != L_) lua_sethook(L_, &VmCore::CountHook, LUA_MASKCOUNT, 1);
}

void VmCore::RequestInterrupt(Interrupt why) {
  int expected = 0;
  // The first reason wins: a timeout that fired stays a timeout even if close() follows.
  interrupt_.compare_exchange_strong(expected, static_cast<int>(why));
  if (signal_mode_ && running_.load()) SendInterruptSignal(running_thread_.load());
}

bool VmCore::ShouldStop() {
  if (interrupt_.load() != 0) return true;
  if (has_deadline_ && std::chrono::steady_clock::now() >= deadline_) {
    RequestInterrupt(Interrupt::kTimeout);
    return true;
  }
  return false;
}

std::string VmCore::InterruptMessage(Interrupt why) const {
  char buf[96];
  switch (why) {
    case Interrupt::kTimeout:
      std::snprintf(buf, sizeof buf, "timeout: Lua execution exceeded %g ms", timeout_ms_);
      return buf;
    case Interrupt::kCancelled: return "cancelled: Lua execution was cancelled";
    case Interrupt::kClosed: return "closed: the Lua VM was closed";
    case Interrupt::kNone: break;
  }
  return "interrupted";
}

void VmCore::SyncHook(lua_State* co) const {
  const bool stopping = interrupt_raised_ || PendingInterrupt() != Interrupt::kNone;
  if (hook_active_ && (!signal_mode_ || stopping)) {
    lua_sethook(co, &VmCore::CountHook, LUA_MASKCOUNT, stopping ? 1 : hook_interval_);
  } else if (lua_gethook(co) != nullptr) {
    lua_sethook(co, nullptr, 0, 0);
  }
}

void VmCore::RaiseInterrupt(lua_State* L, Interrupt why) {
  if (!interrupt_raised_ && hook_active_) {
    // From now on check every instruction: Lua code that catches the error with pcall gets
    // no further instruction before it is raised again, so the job unwinds level by level.
    lua_sethook(L, &VmCore::CountHook, LUA_MASKCOUNT, 1);
    // The main thread too, when the error is raised in a coroutine that catches it.
    if (L != L_) lua_sethook(L_, &VmCore::CountHook, LUA_MASKCOUNT, 1);
  }
  interrupt_raised_ = true;
  if (raised_reason_ == Interrupt::kNone) raised_reason_ = why;
  // The text lives in this object: no local with a destructor may be alive when Lua raises.
  interrupt_text_ = InterruptMessage(why);
  lua_pushlstring(L, interrupt_text_.data(), interrupt_text_.size());
}

// Runs on the Lua thread, every hook_interval instructions while a job is interruptible.
void VmCore::CountHook(lua_State* L, lua_Debug*) {
  VmCore* core = From(L);
  if (!core->hook_active_) {
    lua_sethook(L, nullptr, 0, 0);  // a coroutine kept a hook from an earlier job
    return;
  }
  if (!core->ShouldStop()) return;
  core->RaiseInterrupt(L, core->PendingInterrupt());
  lua_error(L);
}

// Runs inside the failing call, before unwinding: records message, position and traceback.
int VmCore::MessageHandler(lua_State* L) {
  VmCore* core = From(L);
  core->in_handler_ = true;
  core->handler_ran_ = true;
  const char* msg = nullptr;
  size_t len = 0;
  if (lua_type(L, 1) == LUA_TSTRING) {
    msg = lua_tolstring(L, 1, &len);
  } else if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) {
    msg = lua_tolstring(L, -1, &len);
  } else if (lua_type(L, 1) == LUA_TNUMBER) {
    lua_pushvalue(L, 1);
    msg = lua_tolstring(L, -1, &len);  // converts the copy, not the error value
  } else {
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    len = std::strlen(msg);
  }
  try {
    core->pending_message_.assign(msg, len);
  } catch (...) {
    core->pending_message_.clear();
  }
  core->pending_line_ = -1;
  core->pending_source_.clear();
  lua_Debug ar;
  for (int level = 1; lua_getstack(L, level, &ar) != 0; ++level) {
    if (lua_getinfo(L, "Sl", &ar) != 0 && ar.currentline > 0) {
      core->pending_line_ = ar.currentline;
      try {
        core->pending_source_ = ar.short_src;
      } catch (...) {
      }
      break;
    }
  }
  luaL_traceback(L, L, nullptr, 1);
  size_t tlen = 0;
  const char* tb = lua_tolstring(L, -1, &tlen);
  try {
    core->pending_traceback_.assign(tb, tlen);
  } catch (...) {
    core->pending_traceback_.clear();
  }
  core->in_handler_ = false;
  lua_settop(L, 1);
  return 1;  // the error value itself, unchanged
}

int VmCore::ProtectedCall(int nargs, int nresults, int msgh) {
  int status = lua_pcall(L_, nargs, nresults, msgh);
  in_handler_ = false;
  return status;
}

FailureInfo VmCore::TakeFailure(int status) {
  FailureInfo info;
  if (interrupt_raised_) {
    switch (raised_reason_) {
      case Interrupt::kTimeout: info.code = ErrorCode::kTimeout; break;
      case Interrupt::kCancelled: info.code = ErrorCode::kCancelled; break;
      default: info.code = ErrorCode::kClosed; break;
    }
    info.message = InterruptMessage(raised_reason_);
  } else if (status == LUA_ERRMEM) {
    info.code = ErrorCode::kMemoryLimit;
    info.message = limit_hit_ ? "memory_limit: the Lua VM exceeded its memory limit of " +
                                    std::to_string(limit_) + " bytes"
                              : "memory_limit: not enough memory";
  } else if (syntax_error_ || status == LUA_ERRSYNTAX) {
    info.code = ErrorCode::kLuaSyntax;
  } else if (conversion_error_) {
    info.code = ErrorCode::kConversion;
  } else {
    info.code = ErrorCode::kLuaRuntime;
  }
  if (info.message.empty()) {
    if (handler_ran_) {
      info.message = pending_message_;
    } else if (lua_type(L_, -1) == LUA_TSTRING) {
      size_t len = 0;
      const char* s = lua_tolstring(L_, -1, &len);
      info.message.assign(s, len);
    } else {
      info.message = std::string("(error object is a ") + luaL_typename(L_, -1) + " value)";
    }
  }
  if (handler_ran_) {
    info.traceback = std::move(pending_traceback_);
    info.source = std::move(pending_source_);
    info.line = pending_line_;
  }
  handler_ran_ = false;
  return info;
}

}  // namespace luaskills
