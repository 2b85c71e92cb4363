// process.exec(spec): upstream's parse_exec_request (field order, checks and messages), then
// process_run.cc, then the result table. Invalid specs raise; a process that cannot be started
// is an ok=false result.
//
// Lua errors are longjmps: the spec is read inside a protected call that keeps its C++ data in
// the caller's ExecSpec, and every error is raised once this frame's C++ objects are gone.
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "../convert.h"
#include "../vm_core.h"
#include "lua_args.h"
#include "process_internal.h"
#include "process_launchers.h"
#include "process_run.h"

namespace luaskills {

namespace {

constexpr const char* kFn = "process.exec";

enum class ShellSetting { kNone, kDefault, kDisabled, kSelected };

struct ExecSpec {
  std::string base_dir;  // the VM's logical cwd ("" = the process cwd)
  bool has_command = false;
  std::string command;
  bool has_program = false;
  std::string program;
  std::vector<std::string> args;
  bool has_cwd = false;
  std::string cwd;
  std::vector<std::pair<std::string, std::string>> env;
  ShellSetting shell = ShellSetting::kNone;
  Launcher launcher = Launcher::kSh;
  std::string scratch;  // field text being read
  std::string key;      // env key being read
  ExecPlan plan;
  std::string error;  // a validation failure: raised by the caller
};

bool Fail(ExecSpec* spec, const std::string& message) {
  spec->error = message;
  return false;
}

// upstream require_exec_scalar_text: strings as checked strings, numbers and booleans as Rust
// prints them, anything else refused.
bool ScalarText(lua_State* L, int idx, const std::string& param, bool allow_blank, std::string* out, ExecSpec* spec) {
  switch (lua_type(L, idx)) {
    case LUA_TSTRING: return CheckStringArg(L, idx, kFn, param.c_str(), allow_blank, out, &spec->error);
    case LUA_TBOOLEAN: *out = lua_toboolean(L, idx) ? "true" : "false"; return true;
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        *out = std::to_string(static_cast<long long>(lua_tointeger(L, idx)));
        return true;
      }
      if (!std::isfinite(lua_tonumber(L, idx))) return Fail(spec, std::string(kFn) + ": " + param + " must be a finite number");
      *out = RustFloatText(lua_tonumber(L, idx));
      return true;
    default: return Fail(spec, std::string(kFn) + ": " + param + " must be a string: " + LuaTypeName(L, idx));
  }
}

// Optional string field (the value is popped again). *present says whether it was given.
bool StringField(lua_State* L, const char* field, bool allow_blank, bool* present, std::string* out, ExecSpec* spec) {
  lua_getfield(L, 2, field);
  bool ok = true;
  *present = !lua_isnil(L, -1);
  if (*present) ok = CheckStringArg(L, -1, kFn, field, allow_blank, out, &spec->error);
  lua_pop(L, 1);
  return ok;
}

bool EncodingField(lua_State* L, const char* field, TextEncoding fallback, TextEncoding* out, ExecSpec* spec) {
  bool present = false;
  if (!StringField(L, field, false, &present, &spec->scratch, spec)) return false;
  *out = fallback;
  if (!present) return true;
  std::string why;
  if (!ParseTextEncoding(spec->scratch, out, &why)) return Fail(spec, std::string(kFn) + ": " + field + ": " + why);
  return true;
}

bool ArgsField(lua_State* L, ExecSpec* spec) {
  lua_getfield(L, 2, "args");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return true;
  }
  if (!lua_istable(L, -1)) {
    Fail(spec, std::string(kFn) + ": args must be a table, got " + LuaTypeName(L, -1));
    lua_pop(L, 1);
    return false;
  }
  for (lua_Integer i = 1;; ++i) {
    if (lua_geti(L, -1, i) == LUA_TNIL) break;
    if (!ScalarText(L, -1, "args[" + std::to_string(static_cast<long long>(i)) + "]", true, &spec->scratch, spec)) {
      lua_pop(L, 2);
      return false;
    }
    spec->args.push_back(spec->scratch);
    lua_pop(L, 1);
  }
  lua_pop(L, 2);
  return true;
}

bool EnvField(lua_State* L, ExecSpec* spec) {
  lua_getfield(L, 2, "env");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return true;
  }
  if (!lua_istable(L, -1)) {
    Fail(spec, std::string(kFn) + ": env must be a table, got " + LuaTypeName(L, -1));
    lua_pop(L, 1);
    return false;
  }
  const int table = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, table) != 0) {
    if (!CheckStringArg(L, -2, kFn, "env.<key>", false, &spec->key, &spec->error) ||
        !ScalarText(L, -1, "env." + spec->key, true, &spec->scratch, spec)) {
      lua_pop(L, 3);
      return false;
    }
    spec->env.emplace_back(spec->key, spec->scratch);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return true;
}

bool TimeoutField(lua_State* L, ExecSpec* spec) {
  lua_getfield(L, 2, "timeout_ms");
  bool ok = true;
  if (lua_isinteger(L, -1) && lua_tointeger(L, -1) > 0) {
    spec->plan.has_timeout = true;
    spec->plan.timeout_ms = static_cast<uint64_t>(lua_tointeger(L, -1));
  } else if (lua_type(L, -1) == LUA_TNUMBER && !lua_isinteger(L, -1)) {
    const double d = lua_tonumber(L, -1);
    ok = std::isfinite(d) && d > 0 && std::floor(d) == d;
    if (ok) {
      spec->plan.has_timeout = true;
      spec->plan.timeout_ms = d >= 1.8e19 ? UINT64_MAX : static_cast<uint64_t>(d);
    }
  } else if (!lua_isnil(L, -1)) {
    ok = false;
  }
  if (!ok) Fail(spec, std::string(kFn) + ": timeout_ms must be a positive integer in milliseconds: " + LuaTypeName(L, -1));
  lua_pop(L, 1);
  return ok;
}

bool ShellField(lua_State* L, ExecSpec* spec) {
  lua_getfield(L, 2, "shell");
  bool ok = true;
  const int type = lua_type(L, -1);
  if (type == LUA_TBOOLEAN) {
    spec->shell = lua_toboolean(L, -1) ? ShellSetting::kDefault : ShellSetting::kDisabled;
  } else if (type == LUA_TSTRING) {
    size_t len = 0;
    const char* s = lua_tolstring(L, -1, &len);
    if (ClassifyUtf8(s, len) == Utf8Kind::kInvalid) {
      ok = Fail(spec, std::string(kFn) + ": shell must be a valid UTF-8 string when provided");
    } else {
      spec->scratch.assign(s, len);
    }
  } else if (type != LUA_TNIL) {
    ok = Fail(spec, std::string(kFn) + ": shell must be a boolean or string when provided: " + LuaTypeName(L, -1));
  }
  lua_pop(L, 1);
  if (!ok || type != LUA_TSTRING) return ok;
  // trim + ASCII lowercase, then a known id that must also be available here.
  std::string label = spec->scratch;
  const size_t b = label.find_first_not_of(" \t\r\n\f\v");
  const size_t e = label.find_last_not_of(" \t\r\n\f\v");
  label = b == std::string::npos ? std::string() : label.substr(b, e - b + 1);
  for (char& c : label) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Launcher launcher = Launcher::kSh;
  const bool known = ParseLauncherId(label, &launcher);
  if (!known && label != "cmd") return Fail(spec, std::string(kFn) + ": shell must be one of: " + AvailableLauncherNames(spec->base_dir));
  bool available = false;
  if (known) {
    for (Launcher l : AvailableLaunchers(spec->base_dir)) available = available || l == launcher;
  }
  if (!available) {
    return Fail(spec, std::string(kFn) + ": shell `" + label + "` is not available in the current host; available shell values: " +
                          AvailableLauncherNames(spec->base_dir));
  }
  spec->shell = ShellSetting::kSelected;
  spec->launcher = launcher;
  return true;
}

bool ParseTable(lua_State* L, ExecSpec* spec) {
  ExecPlan& plan = spec->plan;
  TextEncoding encoding = TextEncoding::kUtf8;
  bool has_stdin = false;
  if (!StringField(L, "command", false, &spec->has_command, &spec->command, spec) ||
      !StringField(L, "program", false, &spec->has_program, &spec->program, spec) || !ArgsField(L, spec) ||
      !StringField(L, "cwd", false, &spec->has_cwd, &spec->cwd, spec) || !EnvField(L, spec) ||
      !StringField(L, "stdin", true, &has_stdin, &plan.stdin_text, spec) || !TimeoutField(L, spec) ||
      !ShellField(L, spec) || !EncodingField(L, "encoding", TextEncoding::kUtf8, &encoding, spec) ||
      !EncodingField(L, "stdout_encoding", encoding, &plan.stdout_encoding, spec) ||
      !EncodingField(L, "stderr_encoding", encoding, &plan.stderr_encoding, spec) ||
      !EncodingField(L, "stdin_encoding", encoding, &plan.stdin_encoding, spec)) {
    return false;
  }
  plan.has_stdin = has_stdin;
  if (spec->has_cwd) {
    for (const char* kind : {"table: 0x", "function: 0x", "thread: 0x", "userdata: 0x"}) {
      if (spec->cwd.rfind(kind, 0) == 0) {
        return Fail(spec, std::string(kFn) + ": cwd looks like a coerced Lua object string `" + spec->cwd + "`");
      }
    }
  }
  if (spec->has_command && spec->has_program) return Fail(spec, std::string(kFn) + ": command and program are mutually exclusive");
  if (!spec->has_command && !spec->has_program) {
    return Fail(spec, std::string(kFn) + ": expected a string command or a table with command");
  }
  if (spec->has_command) {
    if (spec->shell == ShellSetting::kDisabled) return Fail(spec, std::string(kFn) + ": shell=false cannot be used with command mode");
    if (!spec->args.empty()) return Fail(spec, std::string(kFn) + ": args is only supported with program mode");
    if (spec->shell != ShellSetting::kSelected) spec->launcher = Launcher::kSh;
    return true;
  }
  if (spec->shell == ShellSetting::kDefault) return Fail(spec, std::string(kFn) + ": shell=true requires command mode");
  if (spec->shell == ShellSetting::kSelected) {
    return Fail(spec, std::string(kFn) + ": shell=\"" + LauncherId(spec->launcher) + "\" requires command mode");
  }
  return true;
}

// Protected: (spec*, value). Fills the spec or its error; Lua errors (memory) propagate.
int ParseProtected(lua_State* L) {
  ExecSpec* spec = static_cast<ExecSpec*>(lua_touserdata(L, 1));
  const int type = lua_type(L, 2);
  if (type == LUA_TSTRING) {
    spec->has_command = CheckStringArg(L, 2, kFn, "command", false, &spec->command, &spec->error);
    spec->launcher = Launcher::kSh;
    return 0;
  }
  if (type != LUA_TTABLE) {
    Fail(spec, std::string(kFn) + ": expected a string or table, got " + LuaTypeName(L, 2));
    return 0;
  }
  ParseTable(L, spec);
  return 0;
}

// The spawn request of a parsed spec; the child's cwd follows the VM's logical cwd.
void BuildPlan(lua_State* L, ExecSpec* spec) {
  SpawnRequest& req = spec->plan.spawn;
  if (spec->has_command) {
    req.program = LauncherProgram(spec->launcher, spec->base_dir);
    if (req.program.empty()) {
      spec->plan.spawn_error = std::string(kFn) + ": shell `" + LauncherId(spec->launcher) + "` is not available in the current host";
    }
    req.args = LauncherArgs(spec->launcher, spec->command);
  } else {
    req.program = spec->program;
    req.args = spec->args;
  }
  req.cwd = spec->has_cwd ? ResolveAgainstCwd(L, spec->cwd) : spec->base_dir;
  req.env = spec->env;
}

int FillResult(lua_State* L) {
  const ExecOutcome* r = static_cast<const ExecOutcome*>(lua_touserdata(L, 1));
  lua_createtable(L, 0, 13);
  lua_pushboolean(L, r->success);
  lua_setfield(L, -2, "ok");
  lua_pushboolean(L, r->success);
  lua_setfield(L, -2, "success");
  if (r->has_code) {
    lua_pushinteger(L, r->code);
    lua_setfield(L, -2, "code");
  }
  lua_pushlstring(L, r->out.text.data(), r->out.text.size());
  lua_setfield(L, -2, "stdout");
  lua_pushlstring(L, r->err.text.data(), r->err.text.size());
  lua_setfield(L, -2, "stderr");
  lua_pushstring(L, r->out.encoding.c_str());
  lua_setfield(L, -2, "stdout_encoding");
  lua_pushstring(L, r->err.encoding.c_str());
  lua_setfield(L, -2, "stderr_encoding");
  lua_pushboolean(L, r->out.lossy);
  lua_setfield(L, -2, "stdout_lossy");
  lua_pushboolean(L, r->err.lossy);
  lua_setfield(L, -2, "stderr_lossy");
  if (r->out.has_base64) {
    lua_pushlstring(L, r->out.base64.data(), r->out.base64.size());
    lua_setfield(L, -2, "stdout_base64");
  }
  if (r->err.has_base64) {
    lua_pushlstring(L, r->err.base64.data(), r->err.base64.size());
    lua_setfield(L, -2, "stderr_base64");
  }
  lua_pushboolean(L, r->timed_out);
  lua_setfield(L, -2, "timed_out");
  if (r->has_error) {
    lua_pushlstring(L, r->error.data(), r->error.size());
    lua_setfield(L, -2, "error");
  }
  return 1;
}

}  // namespace

bool PushTableProtected(lua_State* L, lua_CFunction fill, void* data) {
  if (!lua_checkstack(L, 3)) return false;
  lua_pushcfunction(L, fill);
  lua_pushlightuserdata(L, data);
  return lua_pcall(L, 1, 1, 0) == LUA_OK;
}

std::string RustFloatText(double value) {
  if (value == 0) return std::signbit(value) ? "-0" : "0";
  // The shortest %e form that reads back exactly.
  char buf[64];
  for (int precision = 0; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  std::string text(buf);
  std::string sign;
  if (text[0] == '-') {
    sign = "-";
    text.erase(0, 1);
  }
  const size_t e_at = text.find('e');
  const int exponent = std::atoi(text.c_str() + e_at + 1);
  std::string digits;
  for (size_t i = 0; i < e_at; ++i) {
    if (text[i] != '.') digits += text[i];
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  const int count = static_cast<int>(digits.size());
  std::string out;
  if (exponent >= count - 1) {
    out = digits + std::string(static_cast<size_t>(exponent - (count - 1)), '0');
  } else if (exponent >= 0) {
    out = digits.substr(0, static_cast<size_t>(exponent + 1)) + "." + digits.substr(static_cast<size_t>(exponent + 1));
  } else {
    out = "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  }
  return sign + out;
}

int ProcessExec(lua_State* L) {
  if (!lua_checkstack(L, 8)) return luaL_error(L, "%s: stack overflow", kFn);
  lua_settop(L, 1);
  VmCore* core = VmCore::From(L);
  enum class End { kResult, kRaise, kInterrupt } end = End::kResult;
  {
    ExecSpec spec;
    spec.base_dir = LogicalCwd(L);
    lua_pushcfunction(L, ParseProtected);
    lua_pushlightuserdata(L, &spec);
    lua_pushvalue(L, 1);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
      end = End::kRaise;
    } else if (!spec.error.empty()) {
      end = End::kRaise;
      PushText(L, spec.error);  // on failure the memory error is what gets raised
    } else {
      BuildPlan(L, &spec);
      ExecOutcome outcome;
      if (!RunExec(spec.plan, core, &outcome)) {
        end = End::kInterrupt;
      } else if (!PushTableProtected(L, FillResult, &outcome)) {
        end = End::kRaise;
      }
    }
  }
  if (end == End::kInterrupt) {
    core->PushInterruptError(L);
    return lua_error(L);
  }
  if (end == End::kRaise) return lua_error(L);
  return 1;
}

}  // namespace luaskills
