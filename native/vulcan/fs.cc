// vulcan.fs: upstream's file-system surface (no sandbox: skills are trusted code), with its
// argument validation and results. Relative paths resolve against the VM's logical cwd (a
// lease's cwd). The work is in fs_ops.cc; this file checks arguments and shapes results.
#include "fs.h"

#include <string>
#include <vector>

#include "../convert.h"
#include "../preload.h"
#include "../vm_core.h"
#include "encoding.h"
#include "fs_ops.h"
#include "lua_args.h"

namespace luaskills {

namespace {

// What a function returns, built in one protected call so that a failing allocation cannot
// skip the C++ destructors of the frame that computed it.
struct Result {
  enum Kind { kNothing, kNil, kBool, kString, kList, kStat } kind = kNothing;
  bool flag = false;
  std::string text;
  std::vector<std::string> list;
  struct stat st {};
};

int PushResultProtected(lua_State* L) {
  const auto* r = static_cast<const Result*>(lua_touserdata(L, 1));
  switch (r->kind) {
    case Result::kNothing: return 0;
    case Result::kNil: lua_pushnil(L); return 1;
    case Result::kBool: lua_pushboolean(L, r->flag); return 1;
    case Result::kString: lua_pushlstring(L, r->text.data(), r->text.size()); return 1;
    case Result::kList:
      lua_createtable(L, static_cast<int>(r->list.size()), 0);
      for (size_t i = 0; i < r->list.size(); ++i) {
        lua_pushlstring(L, r->list[i].data(), r->list[i].size());
        lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
      }
      return 1;
    case Result::kStat: {
      const struct stat& st = r->st;
      const bool file = S_ISREG(st.st_mode), dir = S_ISDIR(st.st_mode), link = S_ISLNK(st.st_mode);
      lua_createtable(L, 0, 7);
      lua_pushstring(L, file ? "file" : dir ? "dir" : link ? "symlink" : "other");
      lua_setfield(L, -2, "kind");
      lua_pushboolean(L, file);
      lua_setfield(L, -2, "is_file");
      lua_pushboolean(L, dir);
      lua_setfield(L, -2, "is_dir");
      lua_pushboolean(L, link);
      lua_setfield(L, -2, "is_symlink");
      // Rust's readonly(): no write bit at all in the mode.
      lua_pushboolean(L, (st.st_mode & 0222) == 0);
      lua_setfield(L, -2, "readonly");
      if (file) {
        lua_pushinteger(L, static_cast<lua_Integer>(st.st_size));
        lua_setfield(L, -2, "size");
      }
#if defined(__APPLE__)
      const struct timespec mtime = st.st_mtimespec;
#else
      const struct timespec mtime = st.st_mtim;
#endif
      if (mtime.tv_sec >= 0) {
        lua_pushinteger(L, static_cast<lua_Integer>(mtime.tv_sec) * 1000 + mtime.tv_nsec / 1000000);
        lua_setfield(L, -2, "modified_unix_ms");
      }
      return 1;
    }
  }
  return 0;
}

// An operation: checks its arguments and does its work; false with *error set to fail.
// *interrupted means the VM job was stopped (timeout, cancel) in the middle of the work.
using Op = bool (*)(lua_State* L, Result* r, std::string* error, bool* interrupted);

int Run(lua_State* L, Op op) {
  bool raise = false;
  bool interrupted = false;
  int count = 0;
  {
    Result r;
    std::string error;
    if (!op(L, &r, &error, &interrupted)) {
      raise = true;
      if (!interrupted) PushText(L, error);  // on failure the memory error is pushed instead
    } else if (!lua_checkstack(L, 3)) {
      raise = true;
      lua_pushliteral(L, "vulcan.fs: stack overflow");
    } else {
      lua_pushcfunction(L, PushResultProtected);
      lua_pushlightuserdata(L, &r);
      const int before = lua_gettop(L) - 2;
      if (lua_pcall(L, 1, LUA_MULTRET, 0) != LUA_OK) raise = true;
      count = lua_gettop(L) - before;
    }
  }
  if (interrupted) {
    VmCore::From(L)->PushInterruptError(L);
    return lua_error(L);
  }
  return raise ? lua_error(L) : count;
}

bool PathArg(lua_State* L, int idx, const char* fn, const char* param, std::string* out, std::string* error) {
  std::string raw;
  if (!CheckPathArg(L, idx, fn, param, &raw, error)) return false;
  *out = ResolveAgainstCwd(L, raw);
  return true;
}

fsops::StopCheck StopFor(lua_State* L) {
  VmCore* core = VmCore::From(L);
  return [core]() { return core->ShouldStop(); };
}

bool OpList(lua_State* L, Result* r, std::string* e, bool*) {
  std::string dir;
  if (!PathArg(L, 1, "fs.list", "path", &dir, e)) return false;
  r->kind = Result::kList;
  if (!fsops::ListDir(dir, &r->list, e)) return *e = "fs.list: " + *e, false;
  return true;
}

bool OpRead(lua_State* L, Result* r, std::string* e, bool*) {
  std::string path;
  if (!PathArg(L, 1, "fs.read", "path", &path, e)) return false;
  r->kind = Result::kString;
  if (!fsops::ReadFile(path, &r->text, e)) return *e = "fs.read: " + *e, false;
  if (ClassifyUtf8(r->text.data(), r->text.size()) == Utf8Kind::kInvalid) return *e = "fs.read: stream did not contain valid UTF-8: " + path, false;
  return true;
}

bool OpReadBytes(lua_State* L, Result* r, std::string* e, bool*) {
  std::string path, data;
  if (!PathArg(L, 1, "fs.read_bytes", "path", &path, e)) return false;
  if (!fsops::ReadFile(path, &data, e)) return *e = "fs.read_bytes: " + *e, false;
  r->kind = Result::kString;
  r->text = Base64Encode(data.data(), data.size());
  return true;
}

// Content is written byte for byte: any Lua string, empty included.
bool ContentArg(lua_State* L, int idx, const char* fn, std::string* out, std::string* e) {
  if (lua_type(L, idx) != LUA_TSTRING) {
    *e = std::string(fn) + ": content must be a string, got " + LuaTypeName(L, idx);
    return false;
  }
  size_t len = 0;
  const char* s = lua_tolstring(L, idx, &len);
  out->assign(s, len);
  return true;
}

bool OpWrite(lua_State* L, Result* r, std::string* e, bool*) {
  std::string path, content;
  if (!PathArg(L, 1, "fs.write", "path", &path, e) || !ContentArg(L, 2, "fs.write", &content, e)) return false;
  if (!fsops::WriteFile(path, content.data(), content.size(), e)) return *e = "fs.write: " + *e, false;
  r->kind = Result::kNothing;  // upstream returns nothing (its docs say true)
  return true;
}

bool OpWriteBytes(lua_State* L, Result* r, std::string* e, bool*) {
  std::string path, encoded, bytes;
  if (!PathArg(L, 1, "fs.write_bytes", "path", &path, e)) return false;
  if (!CheckStringArg(L, 2, "fs.write_bytes", "base64", true, &encoded, e)) return false;
  if (!Base64Decode(encoded.data(), encoded.size(), &bytes, e)) return *e = "fs.write_bytes: base64 decode failed: " + *e, false;
  if (!fsops::WriteFile(path, bytes.data(), bytes.size(), e)) return *e = "fs.write_bytes: " + *e, false;
  r->kind = Result::kBool;
  r->flag = true;
  return true;
}

bool OpRename(lua_State* L, Result* r, std::string* e, bool*) {
  std::string from, to;
  if (!PathArg(L, 1, "fs.rename", "from", &from, e) || !PathArg(L, 2, "fs.rename", "to", &to, e)) return false;
  if (!fsops::Rename(from, to, e)) return *e = "fs.rename: " + *e, false;
  r->kind = Result::kBool;
  r->flag = true;
  return true;
}

bool OpCopy(lua_State* L, Result* r, std::string* e, bool* interrupted) {
  std::string from, to;
  bool overwrite = false;
  if (!PathArg(L, 1, "fs.copy", "from", &from, e) || !PathArg(L, 2, "fs.copy", "to", &to, e) ||
      !CheckOptionsArg(L, 3, "fs.copy", e) || !OptionalBoolField(L, 3, "fs.copy", "overwrite", false, &overwrite, e)) {
    return false;
  }
  r->kind = Result::kBool;
  return fsops::Copy(from, to, overwrite, StopFor(L), &r->flag, interrupted, e);
}

bool OpRemove(lua_State* L, Result* r, std::string* e, bool* interrupted) {
  std::string path;
  bool recursive = false;
  if (!PathArg(L, 1, "fs.remove", "path", &path, e) || !CheckOptionsArg(L, 2, "fs.remove", e) ||
      !OptionalBoolField(L, 2, "fs.remove", "recursive", false, &recursive, e)) {
    return false;
  }
  r->kind = Result::kBool;
  if (!fsops::Remove(path, recursive, StopFor(L), &r->flag, interrupted, e)) {
    if (!*interrupted) *e = "fs.remove: " + *e;
    return false;
  }
  return true;
}

bool OpMkdir(lua_State* L, Result* r, std::string* e, bool*) {
  std::string path;
  bool recursive = false;
  if (!PathArg(L, 1, "fs.mkdir", "path", &path, e) || !CheckOptionsArg(L, 2, "fs.mkdir", e) ||
      !OptionalBoolField(L, 2, "fs.mkdir", "recursive", false, &recursive, e)) {
    return false;
  }
  r->kind = Result::kBool;
  if (!fsops::MakeDir(path, recursive, &r->flag, e)) return *e = "fs.mkdir: " + *e, false;
  return true;
}

bool OpStat(lua_State* L, Result* r, std::string* e, bool*) {
  std::string path;
  if (!PathArg(L, 1, "fs.stat", "path", &path, e)) return false;
  bool exists = false;
  if (!fsops::LStat(path, &r->st, &exists, e)) return *e = "fs.stat: " + *e, false;
  r->kind = exists ? Result::kStat : Result::kNil;
  return true;
}

// exists / is_dir follow symbolic links: a dangling link does not exist.
bool OpExists(lua_State* L, Result* r, std::string* e, bool*) {
  std::string path;
  if (!PathArg(L, 1, "fs.exists", "path", &path, e)) return false;
  r->kind = Result::kBool;
  r->flag = stat(path.c_str(), &r->st) == 0;
  return true;
}

bool OpIsDir(lua_State* L, Result* r, std::string* e, bool*) {
  std::string path;
  if (!PathArg(L, 1, "fs.is_dir", "path", &path, e)) return false;
  r->kind = Result::kBool;
  r->flag = stat(path.c_str(), &r->st) == 0 && S_ISDIR(r->st.st_mode);
  return true;
}

int List(lua_State* L) { return Run(L, OpList); }
int Read(lua_State* L) { return Run(L, OpRead); }
int Write(lua_State* L) { return Run(L, OpWrite); }
int ReadBytes(lua_State* L) { return Run(L, OpReadBytes); }
int WriteBytes(lua_State* L) { return Run(L, OpWriteBytes); }
int Rename(lua_State* L) { return Run(L, OpRename); }
int Copy(lua_State* L) { return Run(L, OpCopy); }
int Remove(lua_State* L) { return Run(L, OpRemove); }
int Mkdir(lua_State* L) { return Run(L, OpMkdir); }
int Stat(lua_State* L) { return Run(L, OpStat); }
int Exists(lua_State* L) { return Run(L, OpExists); }
int IsDir(lua_State* L) { return Run(L, OpIsDir); }

int OpenFs(lua_State* L) {
  const luaL_Reg fns[] = {
      {"list", List},     {"read", Read},     {"write", Write}, {"read_bytes", ReadBytes}, {"write_bytes", WriteBytes},
      {"rename", Rename}, {"copy", Copy},     {"remove", Remove}, {"mkdir", Mkdir},        {"stat", Stat},
      {"exists", Exists}, {"is_dir", IsDir},  {nullptr, nullptr},
  };
  luaL_newlib(L, fns);
  return 1;
}

}  // namespace

void InstallFs(lua_State* L) {
  RegisterPreload(L, "luaskills.fs", OpenFs);
}

}  // namespace luaskills
