// The JS-facing job methods of LuaVm: exec, call, function references, globals, host functions.
#include <cstring>

#include "chunk_loader.h"
#include "global_path.h"
#include "lua_vm.h"

namespace luaskills {

namespace {

// What a bound function (bindRef) carries: its VM, kept alive, and the function's reference.
struct BoundRef {
  LuaVm* vm;
  int ref;
  napi_ref keep;  // strong reference to the VM's JS object
};

void FinalizeBoundRef(napi_env env, void* data, void*) {
  auto* bound = static_cast<BoundRef*>(data);
  napi_delete_reference(env, bound->keep);
  delete bound;
}

// undefined: the default name, without reading a string.
std::string ChunkNameOf(const Napi::Value& name) {
  if (name.IsUndefined()) return "=exec";
  return NormalizeChunkName(name.As<Napi::String>().Utf8Value());
}

int SetPathDriver(lua_State* L) {
  const char* path = static_cast<const char*>(lua_touserdata(L, 1));
  SetGlobalPath(L, path, 2);
  return 0;
}

}  // namespace

Napi::Value LuaVm::ExecSync(const Napi::CallbackInfo& info) {
  // execSync(code, chunkName, timeoutMs, allResults, hasArgs, args)
  JobSpec spec;
  spec.code = info[0].As<Napi::String>().Utf8Value();
  spec.chunk_name = ChunkNameOf(info[1]);
  spec.with_args = info[4].As<Napi::Boolean>().Value();
  spec.nargs = spec.with_args ? 1 : 0;
  napi_value args[1] = {info[5]};
  return RunSync(info.Env(), spec, args, info[2].As<Napi::Number>().DoubleValue(),
                 info[3].As<Napi::Boolean>().Value());
}

Napi::Value LuaVm::Exec(const Napi::CallbackInfo& info) {
  auto spec = std::make_unique<JobSpec>();
  spec->code = info[0].As<Napi::String>().Utf8Value();
  spec->chunk_name = ChunkNameOf(info[1]);
  spec->with_args = info[4].As<Napi::Boolean>().Value();
  spec->nargs = spec->with_args ? 1 : 0;
  napi_value args[1] = {info[5]};
  return RunAsync(info.Env(), std::move(spec), args, info[2].As<Napi::Number>().DoubleValue(),
                  info[3].As<Napi::Boolean>().Value());
}

LuaVm::ArgList::ArgList(const Napi::CallbackInfo& info, size_t first) {
  size_ = info.Length() > first ? info.Length() - first : 0;
  napi_value* out = inline_;
  if (size_ > 8) {
    heap_.resize(size_);
    out = heap_.data();
  }
  for (size_t i = 0; i < size_; ++i) out[i] = info[first + i];
}

// The function a call targets: a global path (string) or a getFunction reference (number).
void SetCallTarget(JobSpec& spec, const Napi::Value& target) {
  spec.is_chunk = false;
  if (target.IsNumber()) spec.ref = target.As<Napi::Number>().Int32Value();
  else spec.code = target.As<Napi::String>().Utf8Value();
}

// callSync(target, timeoutMs, allResults, ...args): arguments are read straight from the call.
Napi::Value LuaVm::CallSync(const Napi::CallbackInfo& info) {
  JobSpec spec;
  SetCallTarget(spec, info[0]);
  ArgList args(info, 3);
  spec.nargs = args.size();
  return RunSync(info.Env(), spec, args.data(), info[1].As<Napi::Number>().DoubleValue(),
                 info[2].As<Napi::Boolean>().Value());
}

// call(target, timeoutMs, allResults, ...args)
Napi::Value LuaVm::Call(const Napi::CallbackInfo& info) {
  auto spec = std::make_unique<JobSpec>();
  SetCallTarget(*spec, info[0]);
  ArgList args(info, 3);
  spec->nargs = args.size();
  return RunAsync(info.Env(), std::move(spec), args.data(),
                  info[1].As<Napi::Number>().DoubleValue(), info[2].As<Napi::Boolean>().Value());
}

// refFunction(name) -> registry reference to the callable at the global path.
Napi::Value LuaVm::RefFunction(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  lua_State* L = BeginStep(env, 4);
  const int base = lua_gettop(L);
  lua_pushcfunction(L, [](lua_State* S) -> int {
    const char* p = static_cast<const char*>(lua_touserdata(S, 1));
    PushGlobalPath(S, p);
    const int t = lua_type(S, -1);
    if (t != LUA_TFUNCTION) {
      if (luaL_getmetafield(S, -1, "__call") == LUA_TNIL) {
        return luaL_error(S, "global '%s' is not a function (a %s value)", p, lua_typename(S, t));
      }
      lua_pop(S, 1);
    }
    lua_pushinteger(S, luaL_ref(S, LUA_REGISTRYINDEX));
    return 1;
  });
  lua_pushlightuserdata(L, const_cast<char*>(path.c_str()));
  FinishStep(env, base, 1, 1);
  const int ref = static_cast<int>(lua_tointeger(L, -1));
  lua_settop(L, base);
  return Napi::Number::New(env, ref);
}

// bindRef(ref) -> a plain JS function calling ref synchronously with its arguments. The
// repeated-call fast path of LuaFunction: no unwrap, no option arguments to read.
Napi::Value LuaVm::BindRef(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* bound = new BoundRef{this, info[0].As<Napi::Number>().Int32Value(), nullptr};
  napi_value fn;
  if (napi_create_reference(env, info.This(), 1, &bound->keep) != napi_ok ||
      napi_create_function(env, "callSync", NAPI_AUTO_LENGTH, &LuaVm::BoundRefCall, bound, &fn) != napi_ok ||
      napi_add_finalizer(env, fn, bound, FinalizeBoundRef, nullptr, nullptr) != napi_ok) {
    if (bound->keep != nullptr) napi_delete_reference(env, bound->keep);
    delete bound;
    throw Napi::Error::New(env, "bindRef failed");
  }
  return Napi::Value(env, fn);
}

napi_value LuaVm::BoundRefCall(napi_env env, napi_callback_info cbinfo) {
  napi_value small[8];
  size_t argc = 8;
  void* data = nullptr;
  if (napi_get_cb_info(env, cbinfo, &argc, small, nullptr, &data) != napi_ok) return nullptr;
  std::vector<napi_value> large;
  const napi_value* argv = small;
  if (argc > 8) {
    large.resize(argc);
    napi_get_cb_info(env, cbinfo, &argc, large.data(), nullptr, nullptr);
    argv = large.data();
  }
  auto* bound = static_cast<BoundRef*>(data);
  JobSpec spec;
  spec.is_chunk = false;
  spec.ref = bound->ref;
  spec.nargs = static_cast<int>(argc);
  try {
    return bound->vm->RunSync(Napi::Env(env), spec, argv, 0, false);
  } catch (const Napi::Error& err) {
    err.ThrowAsJavaScriptException();
  } catch (const std::exception& err) {
    napi_throw_error(env, nullptr, err.what());
  }
  return nullptr;
}

// unref(ref): releases a reference; a no-op once the VM is closed or while it is busy with
// another job (the slot is then released at close).
Napi::Value LuaVm::UnrefFunction(const Napi::CallbackInfo& info) {
  if (core_ && !busy_) luaL_unref(core_->L(), LUA_REGISTRYINDEX, info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

lua_State* LuaVm::BeginStep(Napi::Env env, int slots) {
  Napi::Value error;
  if (!CheckUsable(env, &error)) throw Napi::Error(env, error);
  lua_State* L = core_->L();
  if (!lua_checkstack(L, slots)) {
    throw Napi::Error(env, MakeError(env, ErrorCode::kLuaRuntime, "the Lua stack cannot grow"));
  }
  return L;
}

// Runs the C function pushed above base (with its arguments) protected; on failure clears the
// stack and throws a lua_runtime error with Lua's message.
void LuaVm::FinishStep(Napi::Env env, int base, int nargs, int nresults) {
  lua_State* L = core_->L();
  if (lua_pcall(L, nargs, nresults, 0) == LUA_OK) return;
  size_t len = 0;
  const char* msg = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : nullptr;
  const std::string why = msg != nullptr ? std::string(msg, len) : "the operation failed";
  lua_settop(L, base);
  throw Napi::Error(env, MakeError(env, ErrorCode::kLuaRuntime, why));
}

Napi::Value LuaVm::SetGlobal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  lua_State* L = BeginStep(env, 4);
  const int base = lua_gettop(L);
  napi_value value = info[1];
  std::string why;
  lua_pushcfunction(L, SetPathDriver);
  lua_pushlightuserdata(L, const_cast<char*>(path.c_str()));
  if (!PushJsValues(env, L, &value, 1, &why)) {
    lua_settop(L, base);
    throw Napi::Error(env, MakeError(env, ErrorCode::kConversion, "conversion: " + why));
  }
  FinishStep(env, base, 2, 0);
  return env.Undefined();
}

Napi::Value LuaVm::GetGlobal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  lua_State* L = BeginStep(env, 4);
  const int base = lua_gettop(L);
  lua_pushcfunction(L, [](lua_State* S) -> int {
    PushGlobalPath(S, static_cast<const char*>(lua_touserdata(S, 1)));
    return 1;
  });
  lua_pushlightuserdata(L, const_cast<char*>(path.c_str()));
  FinishStep(env, base, 1, 1);
  std::string why;
  napi_value out = nullptr;
  const bool ok = LuaToJs(env, L, -1, convert_, &out, &why);
  lua_settop(L, base);
  if (!ok) throw Napi::Error(env, MakeError(env, ErrorCode::kConversion, "conversion: " + why));
  return Napi::Value(env, out);
}

Napi::Value LuaVm::RegisterHostFunction(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  lua_State* L = BeginStep(env, 4);
  const int base = lua_gettop(L);
  const int id = static_cast<int>(host_fns_.size());
  host_fns_.push_back(Napi::Persistent(info[1].As<Napi::Function>()));
  host_names_.push_back(path);
  lua_pushcfunction(L, [](lua_State* S) -> int {
    const char* p = static_cast<const char*>(lua_touserdata(S, 1));
    lua_pushinteger(S, lua_tointeger(S, 2));
    lua_pushcclosure(S, HostTrampoline, 1);
    SetGlobalPath(S, p, lua_gettop(S));
    return 0;
  });
  lua_pushlightuserdata(L, const_cast<char*>(path.c_str()));
  lua_pushinteger(L, id);
  FinishStep(env, base, 2, 0);
  return env.Undefined();
}

}  // namespace luaskills
