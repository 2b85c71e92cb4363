#include "lua_vm.h"

#include <chrono>
#include <utility>

#include "addon_data.h"
#include "chunk_loader.h"
#include "global_path.h"

namespace luaskills {

// Runs inside the job's protected call, on the Lua thread. Stack: [spec, args...].
int JobDriver(lua_State* L) {
  auto* spec = static_cast<JobSpec*>(lua_touserdata(L, 1));
  lua_remove(L, 1);
  VmCore* core = VmCore::From(L);
  if (spec->converter != nullptr) {
    luaL_checkstack(L, spec->nargs + LUA_MINSTACK, "too many arguments");
    for (int i = 0; i < spec->nargs; ++i) {
      if (!spec->converter->Push(spec->js_args[i])) {
        core->MarkConversionError();
        lua_pushfstring(L, "argument %d: ", i + 1);
        return lua_error(L);  // the converter's message is appended by FinishJob
      }
    }
  }
  if (spec->is_chunk && spec->cached_ref != LUA_NOREF) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, spec->cached_ref);
    lua_pushglobaltable(L);
    lua_setupvalue(L, -2, 1);  // _ENV, as a fresh load would have it
  } else if (spec->is_chunk) {
    if (LoadChunk(L, spec->code.data(), spec->code.size(), spec->chunk_name.c_str(),
                  spec->with_args) != LUA_OK) {
      core->MarkSyntaxError();
      return lua_error(L);
    }
    if (!spec->cache_key.empty()) {
      lua_pushvalue(L, -1);
      spec->new_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
  } else if (spec->ref != LUA_NOREF) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, spec->ref);
  } else {
    PushGlobalPath(L, spec->code.c_str());
    const int t = lua_type(L, -1);
    if (t != LUA_TFUNCTION && !(luaL_getmetafield(L, -1, "__call") != LUA_TNIL)) {
      return luaL_error(L, "global '%s' is not a function (a %s value)", spec->code.c_str(),
                        lua_typename(L, t));
    }
    if (t != LUA_TFUNCTION) lua_pop(L, 1);  // the __call field
  }
  lua_insert(L, 1);
  lua_call(L, spec->nargs, LUA_MULTRET);
  return lua_gettop(L);
}

// Host-function trampoline: a C closure with the host function's id as upvalue.
// Runs on the Lua thread; only trivially destructible locals are alive when it raises.
int HostTrampoline(lua_State* L) {
  auto* vm = static_cast<LuaVm*>(VmCore::From(L)->host());
  const int id = static_cast<int>(lua_tointeger(L, lua_upvalueindex(1)));
  const int n = vm->CallHost(L, id);
  if (n >= 0) return n;
  if (n == LuaVm::kHostInterrupted) {
    vm->core()->PushInterruptError(L);
  } else {
    lua_pushlstring(L, vm->host_error().data(), vm->host_error().size());
  }
  return lua_error(L);
}

namespace {

struct PushContext {
  JsToLua* converter;
  const napi_value* values;
  size_t count;
  bool failed;
};

int PushDriver(lua_State* L) {
  auto* ctx = static_cast<PushContext*>(lua_touserdata(L, 1));
  lua_pop(L, 1);
  luaL_checkstack(L, static_cast<int>(ctx->count) + LUA_MINSTACK, "too many values");
  for (size_t i = 0; i < ctx->count; ++i) {
    if (!ctx->converter->Push(ctx->values[i])) {
      ctx->failed = true;
      return 0;
    }
  }
  return static_cast<int>(ctx->count);
}

// Keeps the caller's line of the syntax error: Lua only reports it inside the message.
int SyntaxErrorLine(const std::string& message) {
  size_t colon = message.find(':');
  while (colon != std::string::npos) {
    size_t end = colon + 1;
    while (end < message.size() && message[end] >= '0' && message[end] <= '9') ++end;
    if (end > colon + 1 && end < message.size() && message[end] == ':') {
      return std::stoi(message.substr(colon + 1, end - colon - 1));
    }
    colon = message.find(':', colon + 1);
  }
  return -1;
}

}  // namespace

Napi::Function LuaVm::Init(Napi::Env env) {
  return DefineClass(
      env, "NativeLuaVm",
      {
          InstanceMethod<&LuaVm::ExecSync>("execSync"),
          InstanceMethod<&LuaVm::Exec>("exec"),
          InstanceMethod<&LuaVm::CallSync>("callSync"),
          InstanceMethod<&LuaVm::Call>("call"),
          InstanceMethod<&LuaVm::RefFunction>("refFunction"),
          InstanceMethod<&LuaVm::UnrefFunction>("unref"),
          InstanceMethod<&LuaVm::BindRef>("bindRef"),
          InstanceMethod<&LuaVm::SetGlobal>("setGlobal"),
          InstanceMethod<&LuaVm::GetGlobal>("getGlobal"),
          InstanceMethod<&LuaVm::RegisterHostFunction>("registerHostFunction"),
          InstanceMethod<&LuaVm::Close>("close"),
          InstanceMethod<&LuaVm::Interrupt>("interrupt"),
          InstanceMethod<&LuaVm::MemoryUsed>("memoryUsed"),
          InstanceMethod<&LuaVm::Gc>("gc"),
          InstanceAccessor<&LuaVm::IsClosed>("closed"),
          InstanceAccessor<&LuaVm::IsBusy>("busy"),
      });
}

// new NativeLuaVm(memoryLimitBytes, hookInterval, bigintForLargeIntegers, bufferForInvalidUtf8,
//                 safeLibraries)
// The TS layer validates and fills every argument.
LuaVm::LuaVm(const Napi::CallbackInfo& info) : Napi::ObjectWrap<LuaVm>(info) {
  Napi::Env env = info.Env();
  env_ = env;
  VmLimits limits;
  limits.memory_limit_bytes = static_cast<size_t>(info[0].As<Napi::Number>().DoubleValue());
  limits.hook_interval = info[1].As<Napi::Number>().Int32Value();
  convert_.bigint_for_large_integers = info[2].As<Napi::Boolean>().Value();
  convert_.buffer_for_invalid_utf8 = info[3].As<Napi::Boolean>().Value();
  limits.safe_libraries = info[4].As<Napi::Boolean>().Value();
  core_ = VmCore::Create(limits, &AddonData::From(env)->watchdog);
  if (!core_) {
    Napi::Value err = MakeError(
        env, ErrorCode::kMemoryLimit,
        "memory_limit: a Lua state does not fit in " + std::to_string(limits.memory_limit_bytes) +
            " bytes");
    throw Napi::Error(env, err);
  }
  core_->set_host(this);
}

LuaVm::~LuaVm() {
  if (core_) core_->RequestInterrupt(Interrupt::kClosed);
  closed_ = true;
  Destroy();
}

void LuaVm::Destroy() {
  if (thread_) {
    thread_->Stop();
    thread_.reset();
  }
  host_cause_.Reset();
  core_.reset();  // lua_close: __gc metamethods see closed_ and cannot reach JS
  host_fns_.clear();
  if (tsfn_live_) {
    tsfn_.Release();
    tsfn_live_ = false;
  }
  if (cleanup_registered_) {
    napi_remove_env_cleanup_hook(env_, &LuaVm::EnvCleanup, this);
    cleanup_registered_ = false;
  }
}

// The environment is going away (process exit, worker.terminate()): stop the job, join the
// thread, close the state, before the thread-safe function is torn down.
void LuaVm::EnvCleanup(void* arg) {
  auto* vm = static_cast<LuaVm*>(arg);
  vm->cleanup_registered_ = false;
  vm->closed_ = true;
  if (vm->core_) vm->core_->RequestInterrupt(Interrupt::kClosed);
  vm->Destroy();
  delete vm->deferred_;
  vm->deferred_ = nullptr;
}

Napi::Value LuaVm::MakeError(Napi::Env env, ErrorCode code, const std::string& message) {
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("code", Napi::String::New(env, ErrorCodeName(code)));
  return err.Value();
}

Napi::Value LuaVm::MakeFailure(Napi::Env env, const FailureInfo& info, int value_idx) {
  Napi::Error err = Napi::Error::New(env, info.message);
  Napi::Object obj = err.Value();
  obj.Set("code", Napi::String::New(env, ErrorCodeName(info.code)));
  obj.Set("traceback", Napi::String::New(env, info.traceback));
  int line = info.line;
  if (info.code == ErrorCode::kLuaSyntax) line = SyntaxErrorLine(info.message);
  if (line > 0) obj.Set("line", Napi::Number::New(env, line));
  if (!info.source.empty()) obj.Set("source", Napi::String::New(env, info.source));
  lua_State* L = core_->L();
  if (value_idx > 0 && lua_type(L, value_idx) != LUA_TSTRING) {
    // A table, number or nil raised with error(): hand it over as `value` when it converts.
    napi_value value;
    std::string ignored;
    if (LuaToJs(env, L, value_idx, convert_, &value, &ignored)) obj.Set("value", value);
  }
  if (info.code == ErrorCode::kLuaRuntime && !host_cause_.IsEmpty()) {
    obj.Set("cause", host_cause_.Value());
  }
  return obj;
}

bool LuaVm::CheckUsable(Napi::Env env, Napi::Value* error) {
  if (closed_ || !core_) {
    *error = MakeError(env, ErrorCode::kClosed, "closed: the Lua VM is closed");
    return false;
  }
  if (busy_) {
    *error = MakeError(env, ErrorCode::kBusy, "busy: the Lua VM is already running a job");
    return false;
  }
  return true;
}

bool LuaVm::PushJsValues(napi_env env, lua_State* L, const napi_value* values, size_t count,
                         std::string* error) {
  if (!lua_checkstack(L, 3)) {
    *error = "the Lua stack cannot grow";
    return false;
  }
  JsToLua converter(env, L, convert_, error);
  PushContext ctx{&converter, values, count, false};
  const int top = lua_gettop(L);
  lua_pushcfunction(L, PushDriver);
  lua_pushlightuserdata(L, &ctx);
  const int status = lua_pcall(L, 1, LUA_MULTRET, 0);
  if (status != LUA_OK) {
    *error = status == LUA_ERRMEM ? "memory_limit: not enough memory to convert a value"
                                  : "a value could not be pushed to Lua";
    lua_settop(L, top);
    return false;
  }
  if (ctx.failed) {
    lua_settop(L, top);
    return false;
  }
  return true;
}

bool LuaVm::FinishJob(Napi::Env env, int status, int base, bool all_results, Napi::Value* result,
                      Napi::Value* error) {
  lua_State* L = core_->L();
  // An interrupt that Lua caught (pcall, coroutine.resume) still ends the job.
  const bool caught_interrupt = status == LUA_OK && core_->InterruptRaised();
  if (caught_interrupt) status = LUA_ERRRUN;
  bool ok = status == LUA_OK;
  if (ok) {
    const int first = base + 2;  // base + 1 holds the message handler
    const int top = lua_gettop(L);
    std::string why;
    napi_value value = nullptr;
    if (all_results) {
      Napi::Array arr = Napi::Array::New(env, static_cast<size_t>(top >= first ? top - first + 1 : 0));
      for (int i = first; ok && i <= top; ++i) {
        ok = LuaToJs(env, L, i, convert_, &value, &why);
        if (ok) arr.Set(static_cast<uint32_t>(i - first), Napi::Value(env, value));
        else why = "result " + std::to_string(i - first + 1) + ": " + why;
      }
      *result = arr;
    } else if (top >= first) {
      ok = LuaToJs(env, L, first, convert_, &value, &why);
      if (ok) *result = Napi::Value(env, value);
    } else {
      *result = env.Undefined();
    }
    if (!ok) *error = MakeError(env, ErrorCode::kConversion, "conversion: " + why);
  } else {
    FailureInfo info = core_->TakeFailure(status);
    if (info.code == ErrorCode::kConversion) info.message = "conversion: " + info.message + conversion_error_;
    *error = MakeFailure(env, info, caught_interrupt ? 0 : lua_gettop(L));
  }
  lua_settop(L, base);
  return ok;
}

void LuaVm::LookUpChunk(JobSpec& spec) {
  if (!spec.is_chunk) return;
  spec.cache_key = ChunkCache::KeyFor(spec.with_args, spec.chunk_name, spec.code);
  bool keep = false;
  spec.cached_ref = chunks_.Find(spec.cache_key, &keep);
  if (!keep) spec.cache_key.clear();  // nothing to add afterwards
}

void LuaVm::RememberChunk(JobSpec& spec) {
  if (spec.new_ref == LUA_NOREF || !core_) return;
  chunks_.Insert(core_->L(), std::move(spec.cache_key), spec.new_ref);
  spec.new_ref = LUA_NOREF;
}

Napi::Value LuaVm::RunSync(Napi::Env env, JobSpec& spec, const napi_value* args,
                           double timeout_ms, bool all_results) {
  Napi::Value error;
  if (!CheckUsable(env, &error)) throw Napi::Error(env, error);
  LookUpChunk(spec);
  lua_State* L = core_->L();
  if (!lua_checkstack(L, 4)) {
    throw Napi::Error(env, MakeError(env, ErrorCode::kLuaRuntime, "the Lua stack cannot grow"));
  }
  conversion_error_.clear();
  JsToLua converter(env, L, convert_, &conversion_error_);
  spec.js_args = args;
  spec.converter = &converter;
  busy_ = true;
  on_worker_ = false;
  host_cause_.Reset();
  const int base = lua_gettop(L);
  core_->BeginJob(timeout_ms, false);
  core_->PushMessageHandler();
  lua_pushcfunction(L, JobDriver);
  lua_pushlightuserdata(L, &spec);
  core_->EnterLuaThread();
  const int status = core_->ProtectedCall(1, LUA_MULTRET, base + 1);
  core_->LeaveLuaThread();
  core_->EndJob();
  Napi::Value result;
  const bool ok = FinishJob(env, status, base, all_results, &result, &error);
  RememberChunk(spec);
  busy_ = false;
  if (closed_) Destroy();  // close() was called by a host function during the job
  if (!ok) throw Napi::Error(env, error);
  return result;
}

Napi::Value LuaVm::Close(const Napi::CallbackInfo& info) {
  if (closed_) return info.Env().Undefined();
  closed_ = true;
  if (busy_) {
    // The job stops at its next check; its completion destroys the state.
    if (core_) core_->RequestInterrupt(Interrupt::kClosed);
  } else {
    Destroy();
  }
  return info.Env().Undefined();
}

Napi::Value LuaVm::Interrupt(const Napi::CallbackInfo& info) {
  // interrupt(reason): 'cancelled' | 'timeout'
  if (busy_ && core_) {
    const std::string why = info[0].As<Napi::String>().Utf8Value();
    core_->RequestInterrupt(why == "timeout" ? Interrupt::kTimeout : Interrupt::kCancelled);
  }
  return info.Env().Undefined();
}

Napi::Value LuaVm::MemoryUsed(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), core_ ? static_cast<double>(core_->MemoryUsed()) : 0.0);
}

Napi::Value LuaVm::Gc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Value error;
  if (!CheckUsable(env, &error)) throw Napi::Error(env, error);
  lua_gc(core_->L(), LUA_GCCOLLECT);
  return Napi::Number::New(env, static_cast<double>(core_->MemoryUsed()));
}

Napi::Value LuaVm::IsClosed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), closed_);
}

Napi::Value LuaVm::IsBusy(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), busy_);
}

}  // namespace luaskills
