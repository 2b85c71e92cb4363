// process.session.open(spec) and the session userdata (write, read, status, close, kill, __gc),
// with upstream process_session.rs's options and messages. Its type names say "number" for
// integers too (that file has its own lua_value_type_name). The C++ state lives on the heap,
// owned through a pointer in the userdata; __gc kills the process group and joins the reader.
#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "../convert.h"
#include "../vm_core.h"
#include "io_support.h"
#include "lua_args.h"
#include "process_internal.h"
#include "process_session_state.h"

namespace luaskills {

namespace {

constexpr const char* kMeta = "luaskills.process.session";
constexpr const char* kOpen = "process.session.open";

struct SessionBox {
  SessionState* state;
};

// upstream parse_optional_u64_field on the table at `table` (the value is popped again).
bool PositiveField(lua_State* L, int table, const char* field, const char* fn, uint64_t* out, std::string* error) {
  lua_getfield(L, table, field);
  bool ok = true;
  if (lua_isinteger(L, -1)) {
    ok = lua_tointeger(L, -1) > 0;
    if (ok) *out = static_cast<uint64_t>(lua_tointeger(L, -1));
  } else if (lua_type(L, -1) == LUA_TNUMBER) {
    const double d = lua_tonumber(L, -1);
    ok = std::isfinite(d) && d > 0;
    if (ok) *out = d >= 1.8e19 ? UINT64_MAX : static_cast<uint64_t>(d);
  } else if (!lua_isnil(L, -1)) {
    ok = false;
  }
  if (!ok) *error = std::string(fn) + ": " + field + " must be a positive number, got " + IoTypeName(L, -1);
  lua_pop(L, 1);
  return ok;
}

struct OpenSpec {
  SessionOptions options;
  std::string base_dir;
  bool has_cwd = false;
  std::string cwd;
  std::string scratch;
  std::string error;
};

bool OptionalStringField(lua_State* L, const char* field, bool* present, std::string* out, OpenSpec* spec) {
  lua_getfield(L, 2, field);
  *present = !lua_isnil(L, -1);
  const bool ok = !*present || IoStringArg(L, -1, kOpen, field, false, out, &spec->error);
  lua_pop(L, 1);
  return ok;
}

bool EncodingField(lua_State* L, const char* field, TextEncoding fallback, TextEncoding* out, OpenSpec* spec) {
  *out = fallback;
  lua_getfield(L, 2, field);
  bool ok = true;
  if (lua_type(L, -1) == LUA_TSTRING) {
    size_t len = 0;
    const char* s = lua_tolstring(L, -1, &len);
    if (ClassifyUtf8(s, len) == Utf8Kind::kInvalid) {
      spec->error = std::string(kOpen) + ": " + field + " must be UTF-8";
      ok = false;
    } else {
      spec->scratch.assign(s, len);
    }
  } else if (!lua_isnil(L, -1)) {
    spec->error = std::string(kOpen) + ": " + field + " must be a string, got " + IoTypeName(L, -1);
    ok = false;
  } else {
    lua_pop(L, 1);
    return true;
  }
  lua_pop(L, 1);
  std::string why;
  if (ok && !ParseTextEncoding(spec->scratch, out, &why)) {
    spec->error = std::string(kOpen) + ": " + why;
    ok = false;
  }
  return ok;
}

bool ArgsField(lua_State* L, OpenSpec* spec) {
  lua_getfield(L, 2, "args");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return true;
  }
  if (!lua_istable(L, -1)) {
    spec->error = std::string(kOpen) + ": args must be an array table, got " + IoTypeName(L, -1);
    lua_pop(L, 1);
    return false;
  }
  for (lua_Integer i = 1;; ++i) {
    if (lua_geti(L, -1, i) == LUA_TNIL) break;
    if (!IoStringArg(L, -1, kOpen, "args", true, &spec->scratch, &spec->error)) {
      lua_pop(L, 2);
      return false;
    }
    spec->options.spawn.args.push_back(spec->scratch);
    lua_pop(L, 1);
  }
  lua_pop(L, 2);
  return true;
}

// Protected: (spec*, value). On success leaves an empty session userdata as the result.
int OpenProtected(lua_State* L) {
  OpenSpec* spec = static_cast<OpenSpec*>(lua_touserdata(L, 1));
  SessionOptions& o = spec->options;
  if (!lua_istable(L, 2)) {
    spec->error = std::string(kOpen) + ": spec must be a table, got " + IoTypeName(L, 2);
    return 0;
  }
  TextEncoding encoding = TextEncoding::kUtf8;
  lua_getfield(L, 2, "program");
  const bool program_ok = IoStringArg(L, -1, kOpen, "program", false, &o.spawn.program, &spec->error);
  lua_pop(L, 1);
  if (!program_ok || !ArgsField(L, spec) || !OptionalStringField(L, "cwd", &spec->has_cwd, &spec->cwd, spec) ||
      !EncodingField(L, "encoding", TextEncoding::kUtf8, &encoding, spec) ||
      !EncodingField(L, "stdout_encoding", encoding, &o.stdout_encoding, spec) ||
      !EncodingField(L, "stderr_encoding", encoding, &o.stderr_encoding, spec) ||
      !EncodingField(L, "stdin_encoding", encoding, &o.stdin_encoding, spec) ||
      !PositiveField(L, 2, "buffer_limit_bytes", kOpen, &o.buffer_limit, &spec->error)) {
    return 0;
  }
  SessionBox* box = static_cast<SessionBox*>(lua_newuserdatauv(L, sizeof(SessionBox), 0));
  box->state = nullptr;
  luaL_setmetatable(L, kMeta);
  return 1;
}

SessionState* CheckSession(lua_State* L) {
  SessionBox* box = static_cast<SessionBox*>(luaL_checkudata(L, 1, kMeta));
  if (box->state == nullptr) luaL_error(L, "process.session: the session is gone");
  return box->state;
}

// Options of read (timeout_ms, max_bytes, until_text) and close (timeout_ms).
struct MethodOptions {
  MethodOptions(const char* name, bool is_read, uint64_t default_timeout)
      : fn(name), read(is_read), timeout_ms(default_timeout) {}
  const char* fn;
  bool read;
  uint64_t timeout_ms;
  uint64_t max_bytes = 64 * 1024;
  bool has_until = false;
  std::string until;
  std::string error;
};

int OptionsProtected(lua_State* L) {
  MethodOptions* o = static_cast<MethodOptions*>(lua_touserdata(L, 1));
  if (lua_isnil(L, 2)) return 0;
  if (!lua_istable(L, 2)) {
    o->error = std::string(o->fn) + ": options must be a table, got " + IoTypeName(L, 2);
    return 0;
  }
  if (!PositiveField(L, 2, "timeout_ms", o->fn, &o->timeout_ms, &o->error) || !o->read ||
      !PositiveField(L, 2, "max_bytes", o->fn, &o->max_bytes, &o->error)) {
    return 0;
  }
  lua_getfield(L, 2, "until_text");
  o->has_until = !lua_isnil(L, -1);
  if (o->has_until) IoStringArg(L, -1, o->fn, "until_text", false, &o->until, &o->error);
  lua_pop(L, 1);
  return 0;
}

// Parses the options at index 2; false leaves the error to raise on the stack.
bool ParseOptions(lua_State* L, MethodOptions* o) {
  lua_settop(L, 2);
  lua_pushcfunction(L, OptionsProtected);
  lua_pushlightuserdata(L, o);
  lua_pushvalue(L, 2);
  if (lua_pcall(L, 2, 0, 0) != LUA_OK) return false;
  if (o->error.empty()) return true;
  PushText(L, o->error);
  return false;
}

void SetDecoded(lua_State* L, const DecodedText& d, const char* text, const char* enc, const char* lossy, const char* b64) {
  lua_pushlstring(L, d.text.data(), d.text.size());
  lua_setfield(L, -2, text);
  lua_pushstring(L, d.encoding.c_str());
  lua_setfield(L, -2, enc);
  lua_pushboolean(L, d.lossy);
  lua_setfield(L, -2, lossy);
  if (d.has_base64) {
    lua_pushlstring(L, d.base64.data(), d.base64.size());
    lua_setfield(L, -2, b64);
  }
}

int FillChunk(lua_State* L) {
  const SessionChunk* c = static_cast<const SessionChunk*>(lua_touserdata(L, 1));
  lua_createtable(L, 0, 9);
  SetDecoded(L, c->out, "stdout", "stdout_encoding", "stdout_lossy", "stdout_base64");
  SetDecoded(L, c->err, "stderr", "stderr_encoding", "stderr_lossy", "stderr_base64");
  lua_pushboolean(L, c->timed_out);
  lua_setfield(L, -2, "timed_out");
  return 1;
}

// A status table; only booleans and integers, so it is built directly (may raise: no C++
// object may be alive in the caller).
int PushStatus(lua_State* L, const SessionStatus& s) {
  lua_createtable(L, 0, 4);
  lua_pushboolean(L, s.running);
  lua_setfield(L, -2, "running");
  lua_pushboolean(L, s.exited);
  lua_setfield(L, -2, "exited");
  if (s.has_success) {
    lua_pushboolean(L, s.success);
    lua_setfield(L, -2, "success");
  }
  if (s.has_code) {
    lua_pushinteger(L, s.code);
    lua_setfield(L, -2, "code");
  }
  return 1;
}

enum class End { kOk, kRaise, kInterrupt };

int Finish(lua_State* L, End end) {
  if (end == End::kInterrupt) {
    VmCore::From(L)->PushInterruptError(L);
    return lua_error(L);
  }
  return end == End::kRaise ? lua_error(L) : 1;
}

// Upstream lua_value_to_session_text, then the stdin encoding.
bool SessionBytes(lua_State* L, int idx, TextEncoding encoding, std::string* bytes, std::string* error) {
  std::string text;
  switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, idx, &len);
      if (ClassifyUtf8(s, len) == Utf8Kind::kInvalid) {
        *error = "process.session.write: string must be valid UTF-8";
        return false;
      }
      text.assign(s, len);
      break;
    }
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        text = std::to_string(static_cast<long long>(lua_tointeger(L, idx)));
      } else {
        const double d = lua_tonumber(L, idx);
        text = std::isnan(d) ? "NaN" : std::isinf(d) ? (d > 0 ? "inf" : "-inf") : RustFloatText(d);
      }
      break;
    case LUA_TBOOLEAN: text = lua_toboolean(L, idx) ? "true" : "false"; break;
    default:
      *error = std::string("process.session.write: unsupported value ") + IoTypeName(L, idx);
      return false;
  }
  std::string encoded;
  std::string why;
  if (!EncodeText(text.data(), text.size(), encoding, &encoded, &why)) {
    *error = "process.session.write: " + why;
    return false;
  }
  bytes->append(encoded);
  return true;
}

int Write(lua_State* L) {
  SessionState* state = CheckSession(L);
  const int n = lua_gettop(L);
  End end = End::kOk;
  {
    std::string bytes;
    std::string error;
    bool ok = true;
    for (int i = 2; i <= n && ok; ++i) ok = SessionBytes(L, i, state->stdin_encoding(), &bytes, &error);
    bool interrupted = false;
    if (ok && !state->Write(bytes, VmCore::From(L), &error, &interrupted)) {
      ok = false;
      if (!interrupted) error = "process.session.write: " + error;
    }
    if (interrupted) {
      end = End::kInterrupt;
    } else if (!ok) {
      end = End::kRaise;
      PushText(L, error);
    }
  }
  if (end != End::kOk) return Finish(L, end);
  lua_pushboolean(L, 1);
  return 1;
}

int Read(lua_State* L) {
  SessionState* state = CheckSession(L);
  End end = End::kOk;
  {
    MethodOptions o("process.session.read", true, 100);
    SessionChunk chunk;
    if (!ParseOptions(L, &o)) {
      end = End::kRaise;
    } else if (!state->Read(o.timeout_ms, o.max_bytes, o.has_until ? &o.until : nullptr, VmCore::From(L), &chunk)) {
      end = End::kInterrupt;
    } else if (!PushTableProtected(L, FillChunk, &chunk)) {
      end = End::kRaise;
    }
  }
  return Finish(L, end);
}

int Status(lua_State* L) {
  const SessionStatus status = CheckSession(L)->Status();
  return PushStatus(L, status);
}

int Close(lua_State* L) {
  SessionState* state = CheckSession(L);
  End end = End::kOk;
  SessionStatus status;
  {
    MethodOptions o("process.session.close", false, 1000);
    if (!ParseOptions(L, &o)) {
      end = End::kRaise;
    } else if (!state->Close(o.timeout_ms, VmCore::From(L), &status)) {
      end = End::kInterrupt;
    }
  }
  if (end != End::kOk) return Finish(L, end);
  return PushStatus(L, status);
}

int Kill(lua_State* L) {
  CheckSession(L)->Shutdown();
  lua_pushboolean(L, 1);
  return 1;
}

int Gc(lua_State* L) {
  SessionBox* box = static_cast<SessionBox*>(luaL_checkudata(L, 1, kMeta));
  delete box->state;  // kills the process group, reaps, joins the reader
  box->state = nullptr;
  return 0;
}

}  // namespace

int ProcessSessionOpen(lua_State* L) {
  if (!lua_checkstack(L, 8)) return luaL_error(L, "%s: stack overflow", kOpen);
  lua_settop(L, 1);
  End end = End::kOk;
  {
    OpenSpec spec;
    spec.base_dir = LogicalCwd(L);
    lua_pushcfunction(L, OpenProtected);
    lua_pushlightuserdata(L, &spec);
    lua_pushvalue(L, 1);
    if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
      end = End::kRaise;
    } else if (!spec.error.empty()) {
      end = End::kRaise;
      PushText(L, spec.error);
    } else {
      spec.options.spawn.cwd = spec.has_cwd ? ResolveAgainstCwd(L, spec.cwd) : spec.base_dir;
      std::unique_ptr<SessionState> state(new (std::nothrow) SessionState(spec.options));
      std::string error;
      if (!state) {
        error = std::string(kOpen) + ": out of memory";
      } else if (!state->Start(&error)) {
        error = std::string(kOpen) + ": " + error;
      }
      if (error.empty()) {
        static_cast<SessionBox*>(lua_touserdata(L, -1))->state = state.release();
      } else {
        end = End::kRaise;
        PushText(L, error);
      }
    }
  }
  return Finish(L, end);
}

void RegisterProcessSessionType(lua_State* L) {
  if (luaL_newmetatable(L, kMeta) == 0) {
    lua_pop(L, 1);
    return;
  }
  const luaL_Reg methods[] = {{"write", Write}, {"read", Read},   {"status", Status},
                              {"close", Close}, {"kill", Kill},   {nullptr, nullptr}};
  luaL_newlib(L, methods);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, Gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
}

}  // namespace luaskills
