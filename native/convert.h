// The value bridge: JS <-> Lua directly, no JSON text in between. The rules are the table in
// docs/values.md; both directions report a conversion error naming the path of the bad value.
#pragma once

#include <node_api.h>

#include <string>
#include <vector>

#include "lua_headers.h"

namespace luaskills {

// The JS functions that build arrays and objects from many values in one call (lib/native.ts
// installs them; they live in the environment's AddonData).
struct JsBuilders {
  bool ready = false;
  napi_value recv = nullptr;
  napi_value make_array = nullptr;
  napi_value append_items = nullptr;
  napi_value make_object = nullptr;
  napi_value append_props = nullptr;
  napi_value encode = nullptr;  // JS -> tape for arrays and objects
  bool Load(napi_env env);
};

struct ConvertOptions {
  bool bigint_for_large_integers = true;  // else: integers beyond +-(2^53-1) are an error
  bool buffer_for_invalid_utf8 = true;    // else: a string that is not UTF-8 is an error
  int max_depth = 256;
};

// Lua -> JS. Only calls Lua API functions that never raise, so it may run outside a protected
// call. Returns false and fills *error on a conversion failure.
bool LuaToJs(napi_env env, lua_State* L, int idx, const ConvertOptions& opts, napi_value* out,
             std::string* error);

// JS -> Lua: pushes one value. Primitives convert here; arrays and objects are encoded by
// lib/vm/tape.ts and decoded in one pass. Must run inside a protected call: Lua may raise
// (memory), which is why every frame below keeps only trivially destructible locals. Returns
// false and fills *error on a conversion failure (nothing pushed).
class JsToLua {
 public:
  JsToLua(napi_env env, lua_State* L, const ConvertOptions& opts, std::string* error)
      : env_(env), L_(L), opts_(opts), error_(error) {}
  bool Push(napi_value value) { return PushValue(value, 0); }

 private:
  bool PushValue(napi_value value, int depth);
  bool PushTyped(napi_value value, napi_valuetype type, int depth);
  bool PushObject(napi_value value, int depth);
  bool PushString(napi_value value);
  bool Fail(const char* what);
  bool FailNapi(const char* what);

  napi_env env_;
  lua_State* L_;
  const ConvertOptions& opts_;
  std::string* error_;
  JsBuilders builders_;
};

enum class Utf8Kind { kInvalid, kAscii, kUtf8 };
// Whether [s, s+len) is ASCII, other well-formed UTF-8, or not UTF-8.
Utf8Kind ClassifyUtf8(const char* s, size_t len);

}  // namespace luaskills
