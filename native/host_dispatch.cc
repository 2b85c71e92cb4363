// Lua -> JS host calls. When Lua runs on the JS thread the JS function is called directly; when
// it runs on the VM thread the call is posted to the JS thread and the VM thread waits, still
// honouring its deadline and interrupts.
#include <chrono>

#include "lua_vm.h"

namespace luaskills {

namespace {

constexpr auto kHostWaitSlice = std::chrono::milliseconds(5);

bool IsPromise(napi_env env, napi_value value) {
  bool is = false;
  return napi_is_promise(env, value, &is) == napi_ok && is;
}

// The message of whatever JS threw: err.message for errors, String(value) otherwise.
std::string DescribeThrown(napi_env env, napi_value value) {
  napi_valuetype t;
  if (napi_typeof(env, value, &t) != napi_ok) return "unknown error";
  if (t == napi_undefined) return "undefined";
  if (t == napi_object) {
    napi_value msg;
    bool has = false;
    if (napi_has_named_property(env, value, "message", &has) == napi_ok && has &&
        napi_get_named_property(env, value, "message", &msg) == napi_ok) {
      value = msg;
    }
  }
  napi_value str;
  if (napi_coerce_to_string(env, value, &str) != napi_ok) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
    return "an error that cannot be turned into a string";
  }
  size_t len = 0;
  napi_get_value_string_utf8(env, str, nullptr, 0, &len);
  std::string out(len, '\0');
  napi_get_value_string_utf8(env, str, out.data(), len + 1, &len);
  return out;
}

}  // namespace

int LuaVm::CallHost(lua_State* L, int id) {
  try {
    if (closed_ || id < 0 || id >= static_cast<int>(host_fns_.size())) {
      if (core_->PendingInterrupt() != Interrupt::kNone) return kHostInterrupted;
      host_error_ = "closed: the Lua VM is closed; host functions are unavailable";
      return kHostFailed;
    }
    const int n = on_worker_ ? CallHostFromWorker(L, id) : CallHostOnJsThread(L, id);
    // close() or an abort may have come from inside the host function.
    if (n >= 0 && core_->PendingInterrupt() != Interrupt::kNone) return kHostInterrupted;
    return n;
  } catch (const std::exception& e) {
    host_error_ = e.what();
  } catch (...) {
    host_error_ = "host function failed";
  }
  return kHostFailed;
}

void LuaVm::RecordHostThrow(napi_env env, int id, napi_value exception, std::string* error) {
  napi_valuetype t;
  napi_typeof(env, exception, &t);
  const std::string& name = host_names_[static_cast<size_t>(id)];
  if (t == napi_undefined || t == napi_null) {
    *error = "host function '" + name + "' threw " + (t == napi_null ? "null" : "undefined");
    return;
  }
  *error = DescribeThrown(env, exception);
  host_cause_ = Napi::Persistent(Napi::Value(env, exception));
  if (error->empty()) *error = "host function '" + name + "' failed";
}

bool LuaVm::InvokeHost(napi_env env, lua_State* L, int id, int nargs, napi_value* result,
                       std::string* error) {
  std::vector<napi_value> argv(static_cast<size_t>(nargs));
  for (int i = 0; i < nargs; ++i) {
    std::string why;
    if (!LuaToJs(env, L, i + 1, convert_, &argv[static_cast<size_t>(i)], &why)) {
      *error = "host function '" + host_names_[static_cast<size_t>(id)] + "': argument " +
               std::to_string(i + 1) + ": " + why;
      return false;
    }
  }
  napi_value fn = host_fns_[static_cast<size_t>(id)].Value();
  napi_value recv;
  napi_get_undefined(env, &recv);
  napi_status status = napi_call_function(env, recv, fn, argv.size(), argv.data(), result);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    RecordHostThrow(env, id, exception, error);
    return false;
  }
  if (status != napi_ok) {
    *error = "host function '" + host_names_[static_cast<size_t>(id)] + "' could not be called";
    return false;
  }
  return true;
}

// Lua runs on the JS thread (execSync / callSync): call the function right here.
int LuaVm::CallHostOnJsThread(lua_State* L, int id) {
  napi_env env = env_;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);  // one per call: a long loop must not pile up handles
  const int nargs = lua_gettop(L);
  const int top_before = nargs;
  napi_value result = nullptr;
  int n = kHostFailed;
  if (!InvokeHost(env, L, id, nargs, &result, &host_error_)) {
    n = kHostFailed;
  } else if (IsPromise(env, result)) {
    host_error_ = "host function '" + host_names_[static_cast<size_t>(id)] +
                  "' returned a Promise; await it by running the Lua code with exec() or call()";
    n = kHostFailed;
  } else {
    std::string why;
    if (PushJsValues(env, L, &result, 1, &why)) {
      n = lua_gettop(L) - top_before;
    } else {
      host_error_ = "host function '" + host_names_[static_cast<size_t>(id)] +
                    "' returned a value Lua cannot hold: " + why;
      n = kHostFailed;
    }
  }
  napi_close_handle_scope(env, scope);
  return n;
}

// Lua runs on the VM thread: post the call to the JS thread and wait for it.
int LuaVm::CallHostFromWorker(lua_State* L, int id) {
  auto call = std::make_shared<HostCall>();
  call->L = L;
  call->id = id;
  call->nargs = lua_gettop(L);
  // The JS thread is about to use the state: no interrupt signal may touch it meanwhile.
  core_->LeaveLuaThread();
  if (tsfn_.NonBlockingCall(new VmMessage{call}) != napi_ok) {
    core_->EnterLuaThread();
    host_error_ = "closed: the JS environment is shutting down";
    return kHostFailed;
  }
  std::unique_lock<std::mutex> lock(call->mu);
  while (call->state != HostCallState::kDone) {
    if ((call->state == HostCallState::kPending || call->state == HostCallState::kAwaiting) &&
        core_->ShouldStop()) {
      call->state = HostCallState::kAbandoned;
      lock.unlock();
      core_->EnterLuaThread();
      return kHostInterrupted;
    }
    call->cv.wait_for(lock, kHostWaitSlice);
  }
  lock.unlock();
  core_->EnterLuaThread();
  if (call->failed) {
    host_error_ = std::move(call->error);
    return kHostFailed;
  }
  return call->nresults;
}

// JS thread: the VM thread asked for a host call.
// node-addon-api throws Napi::Error when JavaScript can no longer run (a worker being
// terminated, the environment shutting down). Nothing may escape into the thread-safe function
// callback that called us: the host call fails instead, and the waiting VM thread moves on.
constexpr const char* kEnvGone = "closed: the JavaScript environment is shutting down";

void LuaVm::ServeHostCall(Napi::Env env, const std::shared_ptr<HostCall>& call) {
  if (!call->Claim(HostCallState::kPending)) return;  // abandoned meanwhile
  bool awaiting = false;
  try {
    Napi::HandleScope scope(env);
    napi_value result = nullptr;
    std::string error;
    if (closed_ || !InvokeHost(env, call->L, call->id, call->nargs, &result, &error)) {
      call->failed = true;
      call->error = closed_ ? "closed: the Lua VM was closed" : std::move(error);
      call->Release(HostCallState::kDone);
      return;
    }
    if (!IsPromise(env, result)) {
      SettleHostCall(env, *call, true, result);
      return;
    }
    awaiting = true;
    AwaitHostPromise(env, call, result);
  } catch (const Napi::Error&) {
    // Before the hand-over to the promise the call is still ours; after it, whoever claims it.
    if (awaiting ? call->Claim(HostCallState::kAwaiting) : true) {
      call->failed = true;
      call->error = kEnvGone;
      call->Release(HostCallState::kDone);
    }
  }
}

// The host function returned a promise: settle the call when it settles. Runs in the caller's
// handle scope.
void LuaVm::AwaitHostPromise(Napi::Env env, const std::shared_ptr<HostCall>& call, napi_value result) {
  // Await the promise: the VM thread keeps waiting, nobody touches the state meanwhile.
  call->Release(HostCallState::kAwaiting);
  std::shared_ptr<HostCall> keep = call;
  auto settle = [this, keep](bool ok) {
    return [this, keep, ok](const Napi::CallbackInfo& info) {
      if (!keep->Claim(HostCallState::kAwaiting)) return;
      if (closed_ || !core_) {
        keep->failed = true;
        keep->error = "closed: the Lua VM was closed";
        keep->Release(HostCallState::kDone);
        return;
      }
      SettleHostCall(info.Env(), *keep, ok, info[0]);
    };
  };
  Napi::Object promise = Napi::Value(env, result).As<Napi::Object>();
  Napi::Function then = promise.Get("then").As<Napi::Function>();
  then.Call(promise, {Napi::Function::New(env, settle(true), "onHostResolved"),
                      Napi::Function::New(env, settle(false), "onHostRejected")});
}

void LuaVm::SettleHostCall(napi_env env, HostCall& call, bool ok, napi_value value) {
  if (ok) {
    std::string why;
    const int before = lua_gettop(call.L);
    if (PushJsValues(env, call.L, &value, 1, &why)) {
      call.nresults = lua_gettop(call.L) - before;
    } else {
      call.failed = true;
      call.error = "host function '" + host_names_[static_cast<size_t>(call.id)] +
                   "' returned a value Lua cannot hold: " + why;
    }
  } else {
    call.failed = true;
    RecordHostThrow(env, call.id, value, &call.error);
  }
  call.Release(HostCallState::kDone);
}

}  // namespace luaskills
