// vulcan.path: lexical path helpers with Rust's std::path semantics on POSIX (upstream is Rust):
// join replaces the prefix when a later segment is absolute; dirname of a bare name is ".";
// normalize folds "." and ".." without touching the file system. Arguments must be real,
// non-blank strings without NUL (a number or a coerced "table: 0x…" is refused).
#include "path.h"

#include <cstring>
#include <string>
#include <vector>

#include "../preload.h"

namespace luaskills {

namespace {

// Components as Rust yields them: an optional root, then "." only at the start, "..", names.
struct Parsed {
  bool root = false;
  bool leading_curdir = false;
  std::vector<std::string> parts;  // names and ".."
};

Parsed Parse(const std::string& p) {
  Parsed out;
  size_t i = 0;
  if (!p.empty() && p[0] == '/') {
    out.root = true;
    while (i < p.size() && p[i] == '/') ++i;
  }
  bool first = true;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    const std::string part = p.substr(i, j - i);
    if (part == ".") {
      if (first && !out.root) out.leading_curdir = true;
    } else if (!part.empty()) {
      out.parts.push_back(part);
    }
    first = false;
    i = j + 1;
  }
  return out;
}

std::string Render(bool root, const std::vector<std::string>& parts, size_t count) {
  std::string s = root ? "/" : "";
  for (size_t k = 0; k < count; ++k) {
    if (k > 0) s += '/';
    s += parts[k];
  }
  return s;
}

// Checks argument `arg` of `fn`; fills out or returns an error message.
bool CheckSegment(lua_State* L, int arg, const char* fn, std::string* out, std::string* error) {
  if (lua_type(L, arg) != LUA_TSTRING) {
    *error = std::string("path.") + fn + ": argument " + std::to_string(arg) + " must be a string, got " +
             luaL_typename(L, arg);
    return false;
  }
  size_t len = 0;
  const char* s = lua_tolstring(L, arg, &len);
  if (std::memchr(s, '\0', len) != nullptr) {
    *error = std::string("path.") + fn + ": argument " + std::to_string(arg) + " must not contain NUL bytes";
    return false;
  }
  std::string value(s, len);
  const size_t start = value.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) {
    *error = std::string("path.") + fn + ": argument " + std::to_string(arg) + " must not be blank";
    return false;
  }
  for (const char* kind : {"table: 0x", "function: 0x", "userdata: 0x", "thread: 0x"}) {
    if (value.rfind(kind, 0) == 0) {
      *error = std::string("path.") + fn + ": argument " + std::to_string(arg) +
               " is a Lua value turned into text (" + value + "), not a path";
      return false;
    }
  }
  // Upstream strips Windows verbatim prefixes from what it returns; accept them on input too.
  if (value.rfind("\\\\?\\UNC\\", 0) == 0) value = "\\\\" + value.substr(8);
  else if (value.rfind("\\\\?\\", 0) == 0) value = value.substr(4);
  *out = std::move(value);
  return true;
}

int PushStringProtected(lua_State* L) {
  const auto* text = static_cast<const std::string*>(lua_touserdata(L, 1));
  lua_pushlstring(L, text->data(), text->size());
  return 1;
}

// Pushes text without letting Lua raise past the caller's C++ strings: on failure the error
// (out of memory) is what gets pushed, and false says to raise it once the strings are gone.
bool PushText(lua_State* L, const std::string& text) {
  if (!lua_checkstack(L, 2)) return false;
  lua_pushcfunction(L, PushStringProtected);
  lua_pushlightuserdata(L, const_cast<std::string*>(&text));
  return lua_pcall(L, 1, 1, 0) == LUA_OK;
}

// One-argument functions: check, compute, push the result or the error; raise only after every
// C++ string of this frame is destroyed.
using PathFn = void (*)(const std::string& p, std::string* result);

int RunUnary(lua_State* L, const char* name, PathFn fn) {
  bool raise = false;
  {
    std::string p;
    std::string text;
    if (CheckSegment(L, 1, name, &p, &text)) {
      fn(p, &text);
    } else {
      raise = true;
    }
    if (!PushText(L, text)) raise = true;
  }
  return raise ? lua_error(L) : 1;
}

void Dirname(const std::string& p, std::string* out) {
  const Parsed c = Parse(p);
  if (c.parts.empty()) {
    *out = c.root ? "/" : ".";
    return;
  }
  if (c.parts.size() == 1) {
    *out = c.root ? "/" : ".";
    return;
  }
  *out = Render(c.root, c.parts, c.parts.size() - 1);
}

std::string FileName(const std::string& p) {
  const Parsed c = Parse(p);
  if (c.parts.empty() || c.parts.back() == "..") return "";
  return c.parts.back();
}

void Basename(const std::string& p, std::string* out) {
  *out = FileName(p);
}

// Rust's rsplit at the last dot: ".hidden" has no extension; "a." has an empty one.
void SplitStem(const std::string& name, std::string* stem, bool* has_ext, std::string* ext) {
  const size_t dot = name.rfind('.');
  if (name.empty() || dot == std::string::npos || dot == 0) {
    *stem = name;
    *has_ext = false;
    return;
  }
  *stem = name.substr(0, dot);
  *ext = name.substr(dot + 1);
  *has_ext = true;
}

void Stem(const std::string& p, std::string* out) {
  bool has_ext = false;
  std::string ext;
  SplitStem(FileName(p), out, &has_ext, &ext);
}

void Extname(const std::string& p, std::string* out) {
  std::string stem;
  std::string ext;
  bool has_ext = false;
  SplitStem(FileName(p), &stem, &has_ext, &ext);
  *out = has_ext ? "." + ext : "";
}

void Normalize(const std::string& p, std::string* out) {
  const Parsed c = Parse(p);
  std::vector<std::string> stack;
  for (const std::string& part : c.parts) {
    if (part == "..") {
      if (!stack.empty() && stack.back() != "..") stack.pop_back();
      else if (!c.root) stack.push_back("..");  // above a relative start: kept
    } else {
      stack.push_back(part);
    }
  }
  *out = Render(c.root, stack, stack.size());
  if (out->empty()) *out = ".";
}

int LuaDirname(lua_State* L) { return RunUnary(L, "dirname", Dirname); }
int LuaBasename(lua_State* L) { return RunUnary(L, "basename", Basename); }
int LuaStem(lua_State* L) { return RunUnary(L, "stem", Stem); }
int LuaExtname(lua_State* L) { return RunUnary(L, "extname", Extname); }
int LuaNormalize(lua_State* L) { return RunUnary(L, "normalize", Normalize); }

int IsAbs(lua_State* L) {
  bool raise = false;
  {
    std::string p;
    std::string error;
    if (CheckSegment(L, 1, "is_abs", &p, &error)) {
      lua_pushboolean(L, !p.empty() && p[0] == '/');  // a boolean: pushing cannot fail
    } else {
      raise = true;
      if (!PushText(L, error)) raise = true;
    }
  }
  return raise ? lua_error(L) : 1;
}

// PathBuf::push for every segment: an absolute segment replaces what came before.
int Join(lua_State* L) {
  const int n = lua_gettop(L);
  bool raise = false;
  {
    std::string text;
    if (n == 0) {
      text = "path.join: expected at least one path segment";
      raise = true;
    } else {
      std::string seg;
      std::string error;
      for (int i = 1; i <= n && !raise; ++i) {
        if (!CheckSegment(L, i, "join", &seg, &error)) {
          text = error;
          raise = true;
        } else if (seg[0] == '/' || text.empty()) {
          text = seg;
        } else {
          if (text.back() != '/') text += '/';
          text += seg;
        }
      }
    }
    if (!PushText(L, text)) raise = true;
  }
  return raise ? lua_error(L) : 1;
}

int OpenPath(lua_State* L) {
  const luaL_Reg fns[] = {
      {"join", Join},          {"dirname", LuaDirname},     {"basename", LuaBasename},
      {"stem", LuaStem},       {"extname", LuaExtname},     {"normalize", LuaNormalize},
      {"is_abs", IsAbs},       {nullptr, nullptr},
  };
  luaL_newlib(L, fns);
  return 1;
}

}  // namespace

void InstallPath(lua_State* L) {
  RegisterPreload(L, "luaskills.path", OpenPath);
}

}  // namespace luaskills
