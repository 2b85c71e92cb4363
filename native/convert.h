// The value bridge: JS <-> Lua directly, no JSON text in between. The rules are the table in
// docs/values.md; both directions report a conversion error naming the path of the bad value.
#pragma once

#include <node_api.h>

#include <string>
#include <vector>

#include "lua_headers.h"

namespace luaskills {

struct ConvertOptions {
  bool bigint_for_large_integers = true;  // else: integers beyond +-(2^53-1) are an error
  bool buffer_for_invalid_utf8 = true;    // else: a string that is not UTF-8 is an error
  int max_depth = 256;
};

// Lua -> JS. Only calls Lua API functions that never raise, so it may run outside a protected
// call. Returns false and fills *error on a conversion failure.
bool LuaToJs(napi_env env, lua_State* L, int idx, const ConvertOptions& opts, napi_value* out,
             std::string* error);

// JS -> Lua: pushes one value. Must run inside a protected call: Lua may raise (memory), which
// is why every frame below keeps only trivially destructible locals. Returns false and fills
// *error on a conversion failure (nothing pushed). A pending JS exception (a throwing getter)
// is cleared and reported in *error.
class JsToLua {
 public:
  JsToLua(napi_env env, lua_State* L, const ConvertOptions& opts, std::string* error)
      : env_(env), L_(L), opts_(opts), error_(error) {}
  bool Push(napi_value value) { return PushValue(value, 0); }

 private:
  bool PushValue(napi_value value, int depth);
  bool PushObject(napi_value value, int depth);
  bool PushArray(napi_value value, uint32_t length, int depth);
  bool PushPlainObject(napi_value value, int depth);
  bool PushString(napi_value value);
  bool Fail(const char* what);
  bool FailNapi(const char* what);
  void PrefixPath(const std::string& segment);
  bool InPath(napi_value value);

  napi_env env_;
  lua_State* L_;
  const ConvertOptions& opts_;
  std::string* error_;
  std::vector<napi_value> path_;
};

// True when [s, s+len) is well-formed UTF-8.
bool IsValidUtf8(const char* s, size_t len);

}  // namespace luaskills
