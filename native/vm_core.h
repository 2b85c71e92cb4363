// VmCore: one lua_State with its allocator, limits and error capture. No N-API in here: the
// core is driven from the JS thread (sync jobs) or from its VmThread (async jobs), never both
// at once; the owner (LuaVm) enforces that.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "lua_headers.h"
#include "small_block_pool.h"

namespace luaskills {

// Stable error codes; the strings are part of the public API (lib/vm/errors.ts).
enum class ErrorCode {
  kLuaSyntax,
  kLuaRuntime,
  kTimeout,
  kCancelled,
  kMemoryLimit,
  kConversion,
  kBusy,
  kClosed,
};
const char* ErrorCodeName(ErrorCode code);

// Why a running job must stop. Set from any thread; read by the count hook.
enum class Interrupt : int { kNone = 0, kTimeout = 1, kCancelled = 2, kClosed = 3 };

// What a failed job reports. Filled by the message handler before the stack unwinds, so sync and
// async runs report the same traceback.
struct FailureInfo {
  ErrorCode code = ErrorCode::kLuaRuntime;
  std::string message;
  std::string traceback;
  std::string source;  // short_src of the innermost Lua frame, when known
  int line = -1;
};

struct VmLimits {
  size_t memory_limit_bytes = 0;  // 0: no cap
  int hook_interval = 1000;       // instructions between limit checks
  bool safe_libraries = false;    // only the pure libraries of safe_libraries.h, no vulcan modules
};

class Watchdog;

class VmCore {
 public:
  // Returns nullptr when even the empty state does not fit the memory cap. The watchdog fires
  // deadlines; it must outlive the core.
  static std::unique_ptr<VmCore> Create(const VmLimits& limits, Watchdog* watchdog);
  ~VmCore();
  VmCore(const VmCore&) = delete;
  VmCore& operator=(const VmCore&) = delete;

  lua_State* L() const { return L_; }
  static VmCore* From(lua_State* L) { return *static_cast<VmCore**>(lua_getextraspace(L)); }

  // The object that owns this core (a LuaVm), for callbacks that only get the lua_State.
  void* host() const { return host_; }
  void set_host(void* host) { host_ = host; }
  // Pushes the error for the pending interrupt and records it as raised (the caller raises).
  void PushInterruptError(lua_State* L) { RaiseInterrupt(L, PendingInterrupt()); }

  size_t MemoryUsed() const { return used_.load(std::memory_order_relaxed); }
  size_t MemoryLimit() const { return limit_; }

  // Starts a job: arms the deadline (timeout_ms <= 0: none) and prepares the interrupt path
  // when something may need to stop it. Runs on the thread that owns the state.
  void BeginJob(double timeout_ms, bool interruptible);
  void EndJob();
  // The calling thread starts (or resumes, after a host call) running this job's Lua code, or
  // stops doing so. Interrupt signals reach only a thread between Enter and Leave.
  void EnterLuaThread();
  void LeaveLuaThread();
  // Signal handler side of RequestInterrupt (see interrupt_signal.h). Async-signal-safe.
  void OnInterruptSignal();
  // The coroutine now running (coroutine.resume keeps it current for the signal handler).
  lua_State* SwapCurrentThread(lua_State* L) {
    lua_State* previous = current_L_;
    current_L_ = L;
    return previous;
  }
  // Asks the running job to stop. Safe from any thread.
  void RequestInterrupt(Interrupt why);
  Interrupt PendingInterrupt() const {
    return static_cast<Interrupt>(interrupt_.load());
  }
  // Checks the deadline and the interrupt flag; true when the job must stop now.
  bool ShouldStop();
  // The message to raise for an interrupt.
  std::string InterruptMessage(Interrupt why) const;

  // lua_pcall with the traceback-capturing message handler. The handler must be at msgh.
  int ProtectedCall(int nargs, int nresults, int msgh);
  // Pushes the message handler (a light C function: never allocates).
  void PushMessageHandler() { lua_pushcfunction(L_, &MessageHandler); }
  // Classifies a failed status; the error value is on the top of the stack.
  FailureInfo TakeFailure(int status);

  // Marks the next error as a conversion failure (raised by the bridge).
  void MarkConversionError() { conversion_error_ = true; }
  void MarkSyntaxError() { syntax_error_ = true; }

  // Keeps the hook state of a coroutine in step with the running job (see coroutine_hooks.cc).
  void SyncHook(lua_State* co) const;
  bool HookActive() const { return hook_active_; }
  // True once the running job raised an interrupt, even if Lua code caught it: the job failed.
  bool InterruptRaised() const { return interrupt_raised_; }

 private:
  explicit VmCore(const VmLimits& limits);
  static void* Allocate(void* ud, void* ptr, size_t osize, size_t nsize);
  static void CountHook(lua_State* L, lua_Debug* ar);
  static int MessageHandler(lua_State* L);
  void RaiseInterrupt(lua_State* L, Interrupt why);

  // Declared before L_'s owner logic runs: destroyed after lua_close (see ~VmCore).
  SmallBlockPool pool_;
  lua_State* L_ = nullptr;
  void* host_ = nullptr;
  std::atomic<size_t> used_{0};
  size_t limit_ = 0;
  bool limit_hit_ = false;
  bool in_handler_ = false;  // the message handler may use the error reserve
  int hook_interval_ = 1000;

  std::atomic<int> interrupt_{0};
  Watchdog* watchdog_ = nullptr;
  uint64_t watchdog_ticket_ = 0;
  bool signal_mode_ = false;              // interrupts arrive by signal, not a permanent hook
  std::atomic<bool> running_{false};      // a thread is between EnterLuaThread and LeaveLuaThread
  std::atomic<unsigned long> running_thread_{0};
  lua_State* volatile current_L_ = nullptr;
  VmCore* outer_core_ = nullptr;  // the core this thread ran before (a host function's nested job)
  bool has_deadline_ = false;
  double timeout_ms_ = 0;
  std::chrono::steady_clock::time_point deadline_;
  bool hook_active_ = false;
  bool interrupt_raised_ = false;
  Interrupt raised_reason_ = Interrupt::kNone;
  bool conversion_error_ = false;
  bool syntax_error_ = false;
  std::string interrupt_text_;

  // Captured by the message handler.
  std::string pending_message_;
  std::string pending_traceback_;
  std::string pending_source_;
  int pending_line_ = -1;
  bool handler_ran_ = false;
};

}  // namespace luaskills
