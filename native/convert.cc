#include "convert.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "tape_decoder.h"
#include "typed_containers.h"

namespace luaskills {

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1
constexpr size_t kMaxBuilderArgs = 8192;  // arguments per builder call (V8 copies them to the stack)
constexpr int kSmallStringBytes = 256;

constexpr size_t kMaxPathChars = 120;

// Deep paths are cut in the middle: the first and last segments say where to look.
std::string ShortPath(const std::string& path) {
  if (path.size() <= kMaxPathChars) return path;
  return path.substr(0, kMaxPathChars / 2) + "..." + path.substr(path.size() - kMaxPathChars / 2);
}

std::string IndexSegment(lua_Integer i) { return "[" + std::to_string(i) + "]"; }

std::string KeySegment(const char* key, size_t len) {
  std::string seg = ".";
  seg.append(key, len);
  return seg;
}

// Lua -> JS, one recursion per table level. Never raises.
class LuaToJsConverter {
 public:
  LuaToJsConverter(napi_env env, lua_State* L, const ConvertOptions& opts)
      : env_(env), L_(L), opts_(opts) {}

  bool Convert(int idx, int depth, bool nested, napi_value* out);
  std::string error;
  std::string error_path;

 private:
  bool ConvertTable(int idx, int depth, napi_value* out);
  bool ConvertString(int idx, napi_value* out);
  bool ConvertInteger(lua_Integer v, napi_value* out);
  bool FillArray(int idx, lua_Integer length, int depth, bool strict, napi_value* out);
  bool FillObject(int idx, int depth, bool strict, napi_value* out);
  bool KeyToString(int idx, bool strict, napi_value* out);
  enum class BuilderKind { kArray, kObject };
  bool MakeJsString(const char* s, size_t len, napi_value* out);
  bool Build(size_t start, BuilderKind kind, napi_value* out);
  bool Fail(const std::string& what) {
    error = what;
    return false;
  }
  bool NapiFail() { return Fail("a JS value could not be created (N-API call failed)"); }

  static constexpr size_t kCacheSlots = 256;
  static constexpr size_t kCachedStringMax = 64;
  struct KeyCacheEntry {
    const char* text = nullptr;
    napi_value value = nullptr;
  };

  napi_env env_;
  lua_State* L_;
  const ConvertOptions& opts_;
  std::vector<const void*> path_;
  std::vector<napi_value> values_;  // children of the tables being built, a stack of ranges
  std::vector<napi_value> chunk_;
  JsBuilders builders_;
  KeyCacheEntry cache_[kCacheSlots];
};

bool LuaToJsConverter::Convert(int idx, int depth, bool nested, napi_value* out) {
  switch (lua_type(L_, idx)) {
    case LUA_TNIL:
    case LUA_TNONE:
      return (nested ? napi_get_null(env_, out) : napi_get_undefined(env_, out)) == napi_ok ||
             NapiFail();
    case LUA_TBOOLEAN:
      return napi_get_boolean(env_, lua_toboolean(L_, idx) != 0, out) == napi_ok || NapiFail();
    case LUA_TNUMBER:
      if (lua_isinteger(L_, idx)) return ConvertInteger(lua_tointeger(L_, idx), out);
      return napi_create_double(env_, lua_tonumber(L_, idx), out) == napi_ok || NapiFail();
    case LUA_TSTRING:
      return ConvertString(idx, out);
    case LUA_TTABLE:
      return ConvertTable(idx, depth, out);
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L_, idx) == nullptr) {
        return napi_get_null(env_, out) == napi_ok || NapiFail();
      }
      return Fail("cannot convert a Lua light userdata to JS");
    default:
      return Fail(std::string("cannot convert a Lua ") + lua_typename(L_, lua_type(L_, idx)) +
                  " to JS");
  }
}

bool LuaToJsConverter::ConvertInteger(lua_Integer v, napi_value* out) {
  const double d = static_cast<double>(v);
  if (d >= -kMaxSafeInteger && d <= kMaxSafeInteger) {
    return napi_create_double(env_, d, out) == napi_ok || NapiFail();
  }
  if (!opts_.bigint_for_large_integers) {
    return Fail("the Lua integer " + std::to_string(v) +
                " is outside the safe integer range of JS numbers");
  }
  return napi_create_bigint_int64(env_, static_cast<int64_t>(v), out) == napi_ok || NapiFail();
}

bool LuaToJsConverter::ConvertString(int idx, napi_value* out) {
  size_t len = 0;
  const char* s = lua_tolstring(L_, idx, &len);  // a string already: no conversion, no allocation
  if (MakeJsString(s, len, out)) return true;
  if (!error.empty()) return false;
  if (!opts_.buffer_for_invalid_utf8) {
    return Fail("a Lua string of " + std::to_string(len) + " bytes is not valid UTF-8");
  }
  void* data = nullptr;
  return napi_create_buffer_copy(env_, len, s, &data, out) == napi_ok || NapiFail();
}

bool LuaToJsConverter::ConvertTable(int idx, int depth, napi_value* out) {
  if (depth >= opts_.max_depth) {
    return Fail("a Lua table nests deeper than " + std::to_string(opts_.max_depth) + " levels");
  }
  const void* self = lua_topointer(L_, idx);
  for (const void* p : path_) {
    if (p == self) return Fail("a Lua table contains itself (a cycle)");
  }
  if (!lua_checkstack(L_, 4)) return Fail("the Lua stack cannot grow");
  path_.push_back(self);
  bool ok = false;
  const ContainerKind kind = ContainerKindOf(L_, idx);
  if (kind == ContainerKind::kObject) {
    ok = FillObject(idx, depth, true, out);
  } else if (kind == ContainerKind::kArray) {
    ok = FillArray(idx, static_cast<lua_Integer>(lua_rawlen(L_, idx)), depth, true, out);
  } else {
    // Unmarked: all keys positive integers and dense enough -> array (holes become null);
    // otherwise an object. An empty table is [] (upstream compatible).
    lua_Integer count = 0;
    lua_Integer max_key = 0;
    bool all_int = true;
    lua_pushnil(L_);
    while (lua_next(L_, idx) != 0) {
      lua_pop(L_, 1);
      ++count;
      if (all_int && lua_isinteger(L_, -1)) {
        lua_Integer k = lua_tointeger(L_, -1);
        if (k < 1) all_int = false;
        else if (k > max_key) max_key = k;
      } else {
        all_int = false;
      }
    }
    if (all_int && (max_key <= count * 2 || max_key <= 10)) {
      ok = FillArray(idx, max_key, depth, false, out);
    } else {
      ok = FillObject(idx, depth, false, out);
    }
  }
  path_.pop_back();
  return ok;
}

bool LuaToJsConverter::FillArray(int idx, lua_Integer length, int depth, bool strict,
                                 napi_value* out) {
  if (strict) {
    // An array-marked table may only hold the keys 1..#t.
    lua_pushnil(L_);
    while (lua_next(L_, idx) != 0) {
      lua_pop(L_, 1);
      if (!lua_isinteger(L_, -1) || lua_tointeger(L_, -1) < 1 ||
          lua_tointeger(L_, -1) > length) {
        lua_pop(L_, 1);
        return Fail("an array-marked Lua table has a key that is not an index 1..#t");
      }
    }
  }
  if (length > 0xFFFFFFF) return Fail("a Lua array is too long for JS");
  const size_t start = values_.size();
  for (lua_Integer i = 1; i <= length; ++i) {
    lua_rawgeti(L_, idx, i);
    napi_value item;
    bool ok = Convert(lua_gettop(L_), depth + 1, true, &item);
    lua_pop(L_, 1);
    if (!ok) {
      values_.resize(start);
      error_path = IndexSegment(i - 1) + error_path;
      return false;
    }
    values_.push_back(item);
  }
  const bool ok = Build(start, BuilderKind::kArray, out);
  values_.resize(start);
  return ok;
}

// Builds the array or object from values_[start..] with one call into a JS builder per chunk:
// N-API has no batch setter, and a property or element set costs more than the call.
bool LuaToJsConverter::Build(size_t start, BuilderKind kind, napi_value* out) {
  if (!builders_.ready && !builders_.Load(env_)) return Fail("the value builders are not installed");
  const size_t count = values_.size() - start;
  const bool array = kind == BuilderKind::kArray;
  const size_t first = count < kMaxBuilderArgs ? count : kMaxBuilderArgs;
  if (napi_call_function(env_, builders_.recv, array ? builders_.make_array : builders_.make_object,
                         first, values_.data() + start, out) != napi_ok) {
    return NapiFail();
  }
  for (size_t done = first; done < count;) {
    const size_t n = count - done < kMaxBuilderArgs ? count - done : kMaxBuilderArgs;
    chunk_.assign(1, *out);
    chunk_.insert(chunk_.end(), values_.begin() + static_cast<std::ptrdiff_t>(start + done),
                  values_.begin() + static_cast<std::ptrdiff_t>(start + done + n));
    napi_value ignored;
    if (napi_call_function(env_, builders_.recv, array ? builders_.append_items : builders_.append_props,
                           chunk_.size(), chunk_.data(), &ignored) != napi_ok) {
      return NapiFail();
    }
    done += n;
  }
  return true;
}

// Creates the JS string for the Lua string s. Repeated strings (object keys above all) are
// created once per conversion: Lua interns them, so the pointer identifies the text, and
// nothing in Lua allocates or collects while a conversion runs. Returns false without an
// error when s is not UTF-8.
bool LuaToJsConverter::MakeJsString(const char* s, size_t len, napi_value* out) {
  const bool cacheable = len <= kCachedStringMax;
  KeyCacheEntry* slot = nullptr;
  if (cacheable) {
    slot = &cache_[(reinterpret_cast<uintptr_t>(s) >> 4) % kCacheSlots];
    if (slot->text == s) {
      *out = slot->value;
      return true;
    }
  }
  const Utf8Kind kind = ClassifyUtf8(s, len);
  if (kind == Utf8Kind::kInvalid) return false;
  const napi_status st = kind == Utf8Kind::kAscii ? napi_create_string_latin1(env_, s, len, out)
                                                  : napi_create_string_utf8(env_, s, len, out);
  if (st != napi_ok) return NapiFail();
  if (slot != nullptr) {
    slot->text = s;
    slot->value = *out;
  }
  return true;
}

bool LuaToJsConverter::KeyToString(int idx, bool strict, napi_value* out) {
  char buf[64];
  switch (lua_type(L_, idx)) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L_, idx, &len);
      if (MakeJsString(s, len, out)) return true;
      return error.empty() ? Fail("a Lua table key is not valid UTF-8") : false;
    }
    case LUA_TNUMBER:
      if (strict) return Fail("an object-marked Lua table has a non-string key");
      if (lua_isinteger(L_, idx)) {
        std::snprintf(buf, sizeof buf, LUA_INTEGER_FMT, static_cast<LUAI_UACINT>(lua_tointeger(L_, idx)));
      } else {
        std::snprintf(buf, sizeof buf, LUA_NUMBER_FMT, static_cast<LUAI_UACNUMBER>(lua_tonumber(L_, idx)));
      }
      return napi_create_string_utf8(env_, buf, std::strlen(buf), out) == napi_ok || NapiFail();
    default:
      return Fail(std::string("a Lua table key of type ") + lua_typename(L_, lua_type(L_, idx)) +
                  " cannot become a JS property name");
  }
}

bool LuaToJsConverter::FillObject(int idx, int depth, bool strict, napi_value* out) {
  const size_t start = values_.size();
  lua_pushnil(L_);
  while (lua_next(L_, idx) != 0) {
    napi_value key;
    napi_value val;
    if (!KeyToString(lua_gettop(L_) - 1, strict, &key)) {
      lua_pop(L_, 2);
      values_.resize(start);
      return false;
    }
    if (!Convert(lua_gettop(L_), depth + 1, true, &val)) {
      if (lua_type(L_, -2) == LUA_TSTRING) {
        size_t len = 0;
        const char* k = lua_tolstring(L_, -2, &len);
        error_path = KeySegment(k, len) + error_path;
      } else if (lua_isinteger(L_, -2)) {
        error_path = IndexSegment(lua_tointeger(L_, -2)) + error_path;
      }
      lua_pop(L_, 2);
      values_.resize(start);
      return false;
    }
    lua_pop(L_, 1);
    values_.push_back(key);
    values_.push_back(val);
  }
  const bool ok = Build(start, BuilderKind::kObject, out);
  values_.resize(start);
  return ok;
}

}  // namespace

bool LuaToJs(napi_env env, lua_State* L, int idx, const ConvertOptions& opts, napi_value* out,
             std::string* error) {
  // Numbers and booleans, the common results of small calls, skip building a converter.
  switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
      if (!lua_isinteger(L, idx)) return napi_create_double(env, lua_tonumber(L, idx), out) == napi_ok;
      if (const lua_Integer v = lua_tointeger(L, idx); v >= -9007199254740991LL && v <= 9007199254740991LL) {
        return napi_create_double(env, static_cast<double>(v), out) == napi_ok;
      }
      break;
    case LUA_TBOOLEAN:
      return napi_get_boolean(env, lua_toboolean(L, idx) != 0, out) == napi_ok;
    default:
      break;
  }
  LuaToJsConverter conv(env, L, opts);
  if (conv.Convert(lua_absindex(L, idx), 0, false, out)) return true;
  *error = conv.error_path.empty() ? conv.error
                                   : conv.error + " (at " + ShortPath(conv.error_path) + ")";
  return false;
}

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

bool IsValidUtf8(const char* str, size_t len) { return ClassifyUtf8(str, len) != Utf8Kind::kInvalid; }

Utf8Kind ClassifyUtf8(const char* str, size_t len) {
  const auto* s = reinterpret_cast<const unsigned char*>(str);
  bool ascii = true;
  size_t i = 0;
  while (i < len) {
    // ASCII fast path, 8 bytes at a time.
    if (i + 8 <= len) {
      uint64_t chunk;
      std::memcpy(&chunk, s + i, 8);
      if ((chunk & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    ascii = false;
    size_t n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return Utf8Kind::kInvalid;
    }
    if (i + n >= len) return Utf8Kind::kInvalid;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return Utf8Kind::kInvalid;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Reject overlong forms, surrogates and values beyond U+10FFFF.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return Utf8Kind::kInvalid;
    }
    i += n + 1;
  }
  return ascii ? Utf8Kind::kAscii : Utf8Kind::kUtf8;
}

}  // namespace luaskills
