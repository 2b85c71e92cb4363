// LuaVm's async jobs: the VM thread runs the protected call; its completion comes back to the
// JS thread through the thread-safe function, which also carries host calls (host_dispatch.cc).
#include "lua_vm.h"

namespace luaskills {

void LuaVm::EnsureThread(Napi::Env env) {
  if (!tsfn_live_) {
    tsfn_ = Napi::TypedThreadSafeFunction<LuaVm, VmMessage, &LuaVm::OnMessage>::New(
        env, "luaskills.LuaVm", 0, 1, this);
    tsfn_.Unref(env);
    tsfn_live_ = true;
    // Registered after the thread-safe function, so it runs before that one is torn down.
    napi_add_env_cleanup_hook(env, &LuaVm::EnvCleanup, this);
    cleanup_registered_ = true;
  }
  if (!thread_) thread_ = std::make_unique<VmThread>();
}

Napi::Value LuaVm::RunAsync(Napi::Env env, std::unique_ptr<JobSpec> spec, const napi_value* args,
                            double timeout_ms, bool all_results) {
  auto deferred = Napi::Promise::Deferred::New(env);
  Napi::Value error;
  if (!CheckUsable(env, &error)) {
    deferred.Reject(error);
    return deferred.Promise();
  }
  EnsureThread(env);
  LookUpChunk(*spec);
  lua_State* L = core_->L();
  const int base = lua_gettop(L);
  if (!lua_checkstack(L, 4)) {
    deferred.Reject(MakeError(env, ErrorCode::kLuaRuntime, "the Lua stack cannot grow"));
    return deferred.Promise();
  }
  host_cause_.Reset();
  core_->BeginJob(timeout_ms, true);
  core_->PushMessageHandler();
  lua_pushcfunction(L, JobDriver);
  lua_pushlightuserdata(L, spec.get());
  std::string why;
  if (!PushJsValues(env, L, args, static_cast<size_t>(spec->nargs), &why)) {
    core_->EndJob();
    lua_settop(L, base);
    deferred.Reject(MakeError(env, ErrorCode::kConversion, "conversion: " + why));
    return deferred.Promise();
  }
  busy_ = true;
  on_worker_ = true;
  async_spec_ = std::move(spec);
  async_base_ = base;
  async_all_results_ = all_results;
  deferred_ = new Napi::Promise::Deferred(deferred);
  Ref();  // the wrapper stays alive while its job runs
  tsfn_.Ref(env);
  const int nargs = async_spec_->nargs;
  thread_->Post([this, nargs] {
    core_->EnterLuaThread();
    async_status_ = core_->ProtectedCall(1 + nargs, LUA_MULTRET, async_base_ + 1);
    core_->LeaveLuaThread();
    tsfn_.NonBlockingCall(static_cast<VmMessage*>(nullptr));
  });
  return deferred.Promise();
}

// Runs on the JS thread for every message of the VM thread.
void LuaVm::OnMessage(Napi::Env env, Napi::Function, LuaVm* vm, VmMessage* msg) {
  if (env == nullptr) {  // the function is being torn down
    delete msg;
    return;
  }
  if (msg == nullptr) {
    // A job that ends while its environment shuts down cannot settle its promise any more:
    // node-addon-api throws then, and nothing may escape into this C callback.
    try {
      vm->CompleteAsync(env);
    } catch (const Napi::Error&) {
    }
    return;
  }
  std::shared_ptr<HostCall> call = std::move(msg->call);
  delete msg;
  vm->ServeHostCall(env, call);
}

void LuaVm::CompleteAsync(Napi::Env env) {
  Napi::HandleScope scope(env);
  Napi::Value result;
  Napi::Value error;
  bool ok = false;
  if (core_) {
    core_->EndJob();
    ok = FinishJob(env, async_status_, async_base_, async_all_results_, &result, &error);
    if (async_spec_) RememberChunk(*async_spec_);
  }
  if (closed_) {
    ok = false;
    error = MakeError(env, ErrorCode::kClosed, "closed: the Lua VM was closed while the job ran");
  }
  busy_ = false;
  on_worker_ = false;
  async_spec_.reset();
  Napi::Promise::Deferred* deferred = deferred_;
  deferred_ = nullptr;
  if (tsfn_live_) tsfn_.Unref(env);
  if (closed_) Destroy();
  if (deferred != nullptr) {
    if (ok) deferred->Resolve(result);
    else deferred->Reject(error);
    delete deferred;
  }
  Unref();  // last: the wrapper may be collected from here on
}

}  // namespace luaskills
