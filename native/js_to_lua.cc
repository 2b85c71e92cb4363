// JS -> Lua (see convert.h and docs/values.md). Arrays and objects arrive as a tape.
#include <cmath>
#include <cstring>

#include "convert.h"
#include "tape_decoder.h"
#include "typed_containers.h"

namespace luaskills {

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1
constexpr int kSmallStringBytes = 256;

}  // namespace

bool JsToLua::Fail(const char* what) {
  try {
    *error_ = what;
  } catch (...) {
  }
  return false;
}

bool JsToLua::FailNapi(const char* what) {
  bool pending = false;
  napi_is_exception_pending(env_, &pending);
  if (!pending) return Fail(what);
  // The encoder reports conversion failures by throwing an Error with the full message.
  napi_value exception;
  napi_get_and_clear_last_exception(env_, &exception);
  napi_value message;
  bool has = false;
  char buf[1024];
  size_t len = 0;
  if (napi_has_named_property(env_, exception, "message", &has) == napi_ok && has &&
      napi_get_named_property(env_, exception, "message", &message) == napi_ok &&
      napi_get_value_string_utf8(env_, message, buf, sizeof buf, &len) == napi_ok) {
    try {
      error_->assign(buf, len);
    } catch (...) {
    }
    return false;
  }
  return Fail("reading a JS value threw an exception");
}

bool JsToLua::PushValue(napi_value value, int depth) {
  napi_valuetype type;
  if (napi_typeof(env_, value, &type) != napi_ok) return FailNapi("a JS value has no type");
  return PushTyped(value, type, depth);
}

bool JsToLua::PushTyped(napi_value value, napi_valuetype type, int depth) {
  switch (type) {
    case napi_undefined:
    case napi_null:
      // Top level: nil. Inside a container: the null sentinel, so arrays keep their length.
      if (depth == 0) lua_pushnil(L_);
      else PushNullSentinel(L_);
      return true;
    case napi_boolean: {
      bool b = false;
      napi_get_value_bool(env_, value, &b);
      lua_pushboolean(L_, b);
      return true;
    }
    case napi_number: {
      double d = 0;
      napi_get_value_double(env_, value, &d);
      // Safe integers become Lua integers; -0 stays a float so its sign survives.
      if (d == std::trunc(d) && std::fabs(d) <= kMaxSafeInteger && !(d == 0 && std::signbit(d))) {
        lua_pushinteger(L_, static_cast<lua_Integer>(d));
      } else {
        lua_pushnumber(L_, d);
      }
      return true;
    }
    case napi_bigint: {
      int64_t v = 0;
      bool lossless = false;
      napi_get_value_bigint_int64(env_, value, &v, &lossless);
      if (!lossless) return Fail("a BigInt is outside the 64-bit integer range of Lua");
      lua_pushinteger(L_, static_cast<lua_Integer>(v));
      return true;
    }
    case napi_string:
      return PushString(value);
    case napi_object:
      return PushObject(value, depth);
    case napi_function:
      return Fail("cannot convert a JS function to Lua (use registerHostFunction)");
    case napi_symbol:
      return Fail("cannot convert a JS symbol to Lua");
    case napi_external:
      return Fail("cannot convert a JS external to Lua");
  }
  return Fail("cannot convert this JS value to Lua");
}

// Kept out of line: luaL_Buffer is large and PushValue recurses.
bool JsToLua::PushString(napi_value value) {
  // Most strings fit the stack buffer: read them in one call. napi writes whole characters
  // only, so a result shorter than the buffer minus one UTF-8 sequence is complete.
  char buf[kSmallStringBytes];
  size_t written = 0;
  if (napi_get_value_string_utf8(env_, value, buf, sizeof buf, &written) != napi_ok) {
    return FailNapi("a JS string could not be read");
  }
  if (written < sizeof buf - 4) {
    lua_pushlstring(L_, buf, written);
    return true;
  }
  size_t len = 0;
  napi_get_value_string_utf8(env_, value, nullptr, 0, &len);
  luaL_Buffer b;
  char* dst = luaL_buffinitsize(L_, &b, len + 1);
  napi_get_value_string_utf8(env_, value, dst, len + 1, &written);
  luaL_pushresultsize(&b, written);
  return true;
}

bool JsToLua::PushObject(napi_value value, int depth) {
  bool is_array = false;
  if (napi_is_array(env_, value, &is_array) != napi_ok) return FailNapi("a JS object has no type");
  bool is = false;
  if (!is_array && napi_is_typedarray(env_, value, &is) == napi_ok && is) {
    napi_typedarray_type t;
    size_t length = 0;
    void* data = nullptr;
    napi_get_typedarray_info(env_, value, &t, &length, &data, nullptr, nullptr);
    if (t != napi_uint8_array && t != napi_int8_array && t != napi_uint8_clamped_array) {
      return Fail("only byte arrays (Uint8Array, Buffer) convert to Lua strings");
    }
    lua_pushlstring(L_, static_cast<const char*>(data), length);
    return true;
  }
  // Arrays and objects are walked in JS (lib/vm/tape.ts) and arrive as one tape.
  if (!builders_.ready && !builders_.Load(env_)) return Fail("the value encoder is not installed");
  napi_value argv[2] = {value, nullptr};
  napi_value tape;
  size_t length = 0;
  void* data = nullptr;
  if (napi_create_int32(env_, depth, &argv[1]) != napi_ok ||
      napi_call_function(env_, builders_.recv, builders_.encode, 2, argv, &tape) != napi_ok ||
      napi_get_typedarray_info(env_, tape, nullptr, &length, &data, nullptr, nullptr) != napi_ok) {
    return FailNapi("the value encoder failed");
  }
  if (const char* err = DecodeTape(L_, static_cast<const uint8_t*>(data), length)) return Fail(err);
  return true;
}

}  // namespace luaskills
