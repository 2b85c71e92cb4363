// Module entry: one AddonData per environment (main thread or worker), the LuaVm class, and a
// baseline probe the benchmarks compare VM creation against.
#include <napi.h>

#include <chrono>

#include "addon_data.h"
#include "convert.h"
#include "lua_headers.h"
#include "lua_vm.h"

namespace luaskills {

namespace {

// nativeBaseline(kind, iterations) -> nanoseconds per op. kind: "newstate" (luaL_newstate +
// lua_close) or "openlibs" (the same plus luaL_openlibs).
Napi::Value NativeBaseline(const Napi::CallbackInfo& info) {
  const std::string kind = info[0].As<Napi::String>().Utf8Value();
  const int iterations = info[1].As<Napi::Number>().Int32Value();
  const bool openlibs = kind == "openlibs";
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    lua_State* L = luaL_newstate();
    if (openlibs) luaL_openlibs(L);
    lua_close(L);
  }
  const auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  return Napi::Number::New(info.Env(), ns / iterations);
}

// setBuilders(makeArray, appendItems, makeObject, appendProps, encodeTape): called once by lib/native.ts.
Napi::Value SetBuilders(const Napi::CallbackInfo& info) {
  AddonData* data = AddonData::From(info.Env());
  data->make_array = Napi::Persistent(info[0].As<Napi::Function>());
  data->append_items = Napi::Persistent(info[1].As<Napi::Function>());
  data->make_object = Napi::Persistent(info[2].As<Napi::Function>());
  data->append_props = Napi::Persistent(info[3].As<Napi::Function>());
  data->encode = Napi::Persistent(info[4].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);
  Napi::Function vm = LuaVm::Init(env);
  data->vm_constructor = Napi::Persistent(vm);
  exports.Set("LuaVm", vm);
  exports.Set("nativeBaseline", Napi::Function::New(env, NativeBaseline, "nativeBaseline"));
  exports.Set("luaVersion", Napi::String::New(env, LUA_RELEASE));
  exports.Set("setBuilders", Napi::Function::New(env, SetBuilders, "setBuilders"));
  return exports;
}

}  // namespace

bool JsBuilders::Load(napi_env env) {
  AddonData* data = AddonData::From(env);
  if (data == nullptr || data->make_array.IsEmpty()) return false;
  napi_get_undefined(env, &recv);
  make_array = data->make_array.Value();
  append_items = data->append_items.Value();
  make_object = data->make_object.Value();
  append_props = data->append_props.Value();
  encode = data->encode.Value();
  ready = true;
  return true;
}

}  // namespace luaskills

static Napi::Object InitLuaskills(Napi::Env env, Napi::Object exports) {
  return luaskills::Init(env, exports);
}

NODE_API_MODULE(luaskills, InitLuaskills)
