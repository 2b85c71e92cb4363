// Lua -> JS (see convert.h and docs/values.md).
#include <cstdio>
#include <cstring>

#include "convert.h"
#include "typed_containers.h"

namespace luaskills {

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1
constexpr size_t kMaxBuilderArgs = 8192;  // arguments per builder call (V8 copies them to the stack)

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

}  // namespace luaskills
