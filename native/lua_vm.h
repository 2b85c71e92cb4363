// LuaVm: the JS face of one Lua state. Sync methods run Lua on the calling JS thread; async
// methods run it on the VM's own thread (VmThread), one job at a time. The JS thread and the VM
// thread never touch the state at the same time: ownership is handed over with a mutex.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "chunk_cache.h"
#include "convert.h"
#include "host_call.h"
#include "vm_core.h"
#include "vm_thread.h"

namespace luaskills {

// What a job runs: a chunk of code or a named global function.
struct JobSpec {
  bool is_chunk = true;
  int ref = LUA_NOREF;     // a function held in the registry (getFunction), instead of a name
  std::string code;        // chunk source, or the global's name
  std::string chunk_name;  // normalized ("=exec")
  bool with_args = false;  // chunk: expose `args`
  int nargs = 0;
  std::string cache_key;          // chunk: key in the ChunkCache ("" = not cacheable)
  int cached_ref = LUA_NOREF;     // chunk: compiled closure found in the cache
  int new_ref = LUA_NOREF;        // chunk: freshly compiled closure to add to the cache
  // Sync jobs convert their JS arguments inside the driver's protected call.
  const napi_value* js_args = nullptr;
  JsToLua* converter = nullptr;
};

// A message from the VM thread to the JS thread: a host call, or (call == nullptr) job done.
struct VmMessage {
  std::shared_ptr<HostCall> call;
};

// The lua_CFunction behind every registered host function (upvalue 1: its id).
int HostTrampoline(lua_State* L);
// The lua_CFunction every job runs protected: [JobSpec*, args...] -> the job's results.
int JobDriver(lua_State* L);

class LuaVm : public Napi::ObjectWrap<LuaVm> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit LuaVm(const Napi::CallbackInfo& info);
  ~LuaVm() override;

  // Called by the host-function trampoline; runs on the Lua thread. Returns the number of
  // results pushed, kHostFailed (message in host_error()) or kHostInterrupted.
  int CallHost(lua_State* L, int id);
  static constexpr int kHostFailed = -1;
  static constexpr int kHostInterrupted = -2;
  const std::string& host_error() const { return host_error_; }
  VmCore* core() const { return core_.get(); }

 private:
  // JS methods (all run on the JS thread).
  Napi::Value ExecSync(const Napi::CallbackInfo& info);
  Napi::Value Exec(const Napi::CallbackInfo& info);
  Napi::Value CallSync(const Napi::CallbackInfo& info);
  Napi::Value Call(const Napi::CallbackInfo& info);
  Napi::Value RefFunction(const Napi::CallbackInfo& info);
  Napi::Value UnrefFunction(const Napi::CallbackInfo& info);
  Napi::Value BindRef(const Napi::CallbackInfo& info);
  static napi_value BoundRefCall(napi_env env, napi_callback_info cbinfo);
  Napi::Value SetGlobal(const Napi::CallbackInfo& info);
  Napi::Value GetGlobal(const Napi::CallbackInfo& info);
  Napi::Value RegisterHostFunction(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Interrupt(const Napi::CallbackInfo& info);
  Napi::Value MemoryUsed(const Napi::CallbackInfo& info);
  Napi::Value Gc(const Napi::CallbackInfo& info);
  Napi::Value IsClosed(const Napi::CallbackInfo& info);
  Napi::Value IsBusy(const Napi::CallbackInfo& info);

  // The JS arguments info[first..], without a heap allocation for the usual few.
  class ArgList {
   public:
    ArgList(const Napi::CallbackInfo& info, size_t first);
    const napi_value* data() const { return heap_.empty() ? inline_ : heap_.data(); }
    int size() const { return static_cast<int>(size_); }

   private:
    napi_value inline_[8];
    std::vector<napi_value> heap_;
    size_t size_ = 0;
  };
  // Small protected operations on an idle state (globals, references): BeginStep checks the VM
  // and stack space; FinishStep runs the pushed function and throws Lua's error, if any.
  lua_State* BeginStep(Napi::Env env, int slots);
  void FinishStep(Napi::Env env, int base, int nargs, int nresults);
  // Chunk jobs: look the source up in the cache before the job, record it after.
  void LookUpChunk(JobSpec& spec);
  void RememberChunk(JobSpec& spec);
  // Shared by ExecSync / CallSync: runs the job on this thread.
  Napi::Value RunSync(Napi::Env env, JobSpec& spec, const napi_value* args, double timeout_ms,
                      bool all_results);
  // Shared by Exec / Call: pushes arguments here, runs the job on the VM thread.
  Napi::Value RunAsync(Napi::Env env, std::unique_ptr<JobSpec> spec, const napi_value* args,
                       double timeout_ms, bool all_results);
  // Converts a finished job's results (or failure) into a JS value / error. Clears the stack.
  bool FinishJob(Napi::Env env, int status, int base, bool all_results, Napi::Value* result,
                 Napi::Value* error);
  Napi::Value MakeError(Napi::Env env, ErrorCode code, const std::string& message);
  Napi::Value MakeFailure(Napi::Env env, const FailureInfo& info, int value_idx);
  bool CheckUsable(Napi::Env env, Napi::Value* error);
  // Pushes JS values inside a protected call; false with *error on failure.
  bool PushJsValues(napi_env env, lua_State* L, const napi_value* values, size_t count,
                    std::string* error);

  // Async plumbing.
  void EnsureThread(Napi::Env env);
  static void OnMessage(Napi::Env env, Napi::Function, LuaVm* vm, VmMessage* msg);
  void CompleteAsync(Napi::Env env);
  void ServeHostCall(Napi::Env env, const std::shared_ptr<HostCall>& call);
  void AwaitHostPromise(Napi::Env env, const std::shared_ptr<HostCall>& call, napi_value result);
  // Pushes a host function's result, or records why it failed. JS thread, state claimed.
  void SettleHostCall(napi_env env, HostCall& call, bool ok, napi_value value);
  // Converts the arguments at 1..nargs, calls host function id. JS thread. Returns false with
  // *error set when the function threw or an argument could not be converted.
  bool InvokeHost(napi_env env, lua_State* L, int id, int nargs, napi_value* result,
                  std::string* error);
  void RecordHostThrow(napi_env env, int id, napi_value exception, std::string* error);
  int CallHostOnJsThread(lua_State* L, int id);
  int CallHostFromWorker(lua_State* L, int id);
  // Releases the state and the thread. Safe to call more than once.
  void Destroy();
  static void EnvCleanup(void* arg);

  std::unique_ptr<VmCore> core_;
  ConvertOptions convert_;
  ChunkCache chunks_;
  bool closed_ = false;
  bool busy_ = false;
  bool on_worker_ = false;  // the running job executes on the VM thread

  // Host functions, by id (the trampoline's upvalue).
  std::vector<Napi::FunctionReference> host_fns_;
  std::vector<std::string> host_names_;
  std::string host_error_;          // message of the last failed host call
  std::string conversion_error_;    // why a sync job's argument did not convert
  Napi::Reference<Napi::Value> host_cause_;  // what JS threw, attached as `cause`

  // The running async job.
  std::unique_ptr<JobSpec> async_spec_;
  Napi::Promise::Deferred* deferred_ = nullptr;
  int async_base_ = 0;
  int async_status_ = LUA_OK;
  bool async_all_results_ = false;

  std::unique_ptr<VmThread> thread_;
  Napi::TypedThreadSafeFunction<LuaVm, VmMessage, &LuaVm::OnMessage> tsfn_;
  bool tsfn_live_ = false;
  bool cleanup_registered_ = false;
  napi_env env_ = nullptr;
};

}  // namespace luaskills
