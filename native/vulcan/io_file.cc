// Managed file methods with upstream's edge cases: read() without formats reads one line
// (without "\n", a trailing "\r" dropped); read(0) is "" even at EOF; other reads give nil at
// EOF; several formats give several values. Update modes write at the cursor ("a+" at the end),
// other write modes append to the buffer. seek clamps past the end and refuses offsets before
// the start. Text mode decodes on read and needs valid UTF-8 on write; binary mode keeps bytes.
#include "io_file.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "../convert.h"

namespace luaskills {

namespace {

bool Readable(const IoFileState& s) { return s.kind == IoModeKind::kRead || s.update; }
bool Writable(const IoFileState& s) { return s.kind != IoModeKind::kRead || s.update; }

// Checks the open state and the access for `op`; fills *error otherwise.
IoFileState* Usable(IoFileBox* box, const char* op, bool (*access)(const IoFileState&), const char* what,
                    std::string* error) {
  if (box->state == nullptr) {
    *error = std::string(op) + ": file is already closed";
    return nullptr;
  }
  if (access != nullptr && !access(*box->state)) {
    *error = std::string(op) + ": file is not opened for " + what;
    return nullptr;
  }
  return box->state;
}

bool FlushState(IoFileState* s, std::string* error) {
  if (s->update) return WriteWholeFile(s->path, s->buffer.data(), s->buffer.size(), error);
  switch (s->kind) {
    case IoModeKind::kRead: return true;
    case IoModeKind::kWrite: return WriteWholeFile(s->path, s->buffer.data(), s->buffer.size(), error);
    case IoModeKind::kAppend:
      if (s->flushed_len < s->buffer.size()) {
        if (!AppendToFile(s->path, s->buffer.data() + s->flushed_len, s->buffer.size() - s->flushed_len, error)) {
          return false;
        }
        s->flushed_len = s->buffer.size();
      }
      return true;
  }
  return true;
}

enum class ReadKind { kLine, kAll, kCount };

// One read format: nil, "a"/"*a", "l"/"*l", or a non-negative whole number.
bool ParseFormat(lua_State* L, int idx, ReadKind* kind, size_t* count, std::string* error) {
  switch (lua_type(L, idx)) {
    case LUA_TNONE:
    case LUA_TNIL: *kind = ReadKind::kLine; return true;
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, idx, &len);
      if (ClassifyUtf8(s, len) == Utf8Kind::kInvalid) {
        *error = "file:read format must be valid UTF-8";
        return false;
      }
      const std::string f(s, len);
      if (f == "*a" || f == "a") {
        *kind = ReadKind::kAll;
        return true;
      }
      if (f == "*l" || f == "l") {
        *kind = ReadKind::kLine;
        return true;
      }
      *error = "file:read unsupported format `" + f + "`";
      return false;
    }
    case LUA_TNUMBER: {
      *kind = ReadKind::kCount;
      if (lua_isinteger(L, idx)) {
        const lua_Integer n = lua_tointeger(L, idx);
        if (n >= 0) {
          *count = static_cast<size_t>(n);
          return true;
        }
      } else {
        const double d = lua_tonumber(L, idx);
        if (std::isfinite(d) && d >= 0 && d == std::trunc(d)) {
          *count = d >= 1.8e19 ? SIZE_MAX : static_cast<size_t>(d);
          return true;
        }
      }
      break;
    }
    default: break;
  }
  *error = std::string("file:read unsupported format argument ") + IoTypeName(L, idx);
  return false;
}

void ReadOne(IoFileState* s, ReadKind kind, size_t count, IoOutcome* out) {
  const size_t len = s->buffer.size();
  const char* data = s->buffer.data();
  if (kind == ReadKind::kAll) {
    const size_t from = s->cursor < len ? s->cursor : len;
    s->cursor = len;
    out->AddStr(BytesToText(data + from, len - from, s->binary, s->encoding));
    return;
  }
  if (kind == ReadKind::kCount && count == 0) {
    out->AddStr(BytesToText(data, 0, s->binary, s->encoding));
    return;
  }
  if (s->cursor >= len) {
    out->AddNil();
    return;
  }
  if (kind == ReadKind::kCount) {
    const size_t n = count < len - s->cursor ? count : len - s->cursor;
    out->AddStr(BytesToText(data + s->cursor, n, s->binary, s->encoding));
    s->cursor += n;
    return;
  }
  const void* nl = std::memchr(data + s->cursor, '\n', len - s->cursor);
  const size_t end = nl != nullptr ? static_cast<size_t>(static_cast<const char*>(nl) - data) : len;
  size_t line_end = end;
  if (line_end > s->cursor && data[line_end - 1] == '\r') --line_end;
  out->AddStr(BytesToText(data + s->cursor, line_end - s->cursor, s->binary, s->encoding));
  s->cursor = end < len ? end + 1 : end;
}

void ReadFormats(lua_State* L, IoFileBox* box, int first, int last, IoOutcome* out) {
  std::string error;
  for (int idx = first; idx <= (last < first ? first : last); ++idx) {
    ReadKind kind = ReadKind::kLine;
    size_t count = 0;
    if (!ParseFormat(L, idx, &kind, &count, &error)) return out->Fail(error);
    IoFileState* s = Usable(box, "file:read", Readable, "reading", &error);
    if (s == nullptr) return out->Fail(error);
    ReadOne(s, kind, count, out);
  }
}

// One value to its bytes; false with *error set when it cannot be written.
bool OutputBytes(lua_State* L, int idx, const IoFileState& s, std::string* bytes, std::string* error) {
  std::string text;
  switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* p = lua_tolstring(L, idx, &len);
      if (s.binary) {
        bytes->assign(p, len);
        return true;
      }
      if (ClassifyUtf8(p, len) == Utf8Kind::kInvalid) {
        *error = "file:write string must be valid UTF-8 in text mode";
        return false;
      }
      text.assign(p, len);
      break;
    }
    case LUA_TNUMBER: text = IoNumberText(L, idx); break;
    case LUA_TBOOLEAN: text = lua_toboolean(L, idx) ? "true" : "false"; break;
    default:
      *error = std::string("file:write unsupported value ") + IoTypeName(L, idx);
      return false;
  }
  std::string reason;
  if (!EncodeText(text.data(), text.size(), s.encoding, bytes, &reason)) {
    *error = "file:write: " + reason;
    return false;
  }
  return true;
}

void WriteValues(lua_State* L, IoFileBox* box, int first, int last, IoOutcome* out) {
  std::string error;
  IoFileState* s = Usable(box, "file:write", Writable, "writing", &error);
  if (s == nullptr) return out->Fail(error);
  std::string bytes;
  for (int idx = first; idx <= last; ++idx) {
    bytes.clear();
    if (!OutputBytes(L, idx, *s, &bytes, &error)) return out->Fail(error);
    if (s->update) {
      const size_t at = s->kind == IoModeKind::kAppend ? s->buffer.size() : s->cursor;
      if (at + bytes.size() > s->buffer.size()) s->buffer.resize(at + bytes.size(), '\0');
      s->buffer.replace(at, bytes.size(), bytes);
      s->cursor = at + bytes.size();
    } else {
      s->buffer += bytes;
      s->cursor = s->buffer.size();
    }
  }
  out->AddBool(true);
}

// Frees the state; the file is closed from here on.
void Release(IoFileBox* box) {
  IoFileState* s = box->state;
  box->state = nullptr;
  if (s->delete_on_close) ::unlink(s->path.c_str());
  delete s;
}

// whence: nil → "cur"; strings as given; numbers as their text (mlua coerces them).
bool SeekArgs(lua_State* L, int idx, std::string* whence, lua_Integer* offset, std::string* error) {
  switch (lua_type(L, idx)) {
    case LUA_TNONE:
    case LUA_TNIL: *whence = "cur"; break;
    case LUA_TSTRING: {
      size_t len = 0;
      const char* p = lua_tolstring(L, idx, &len);
      whence->assign(p, len);
      break;
    }
    case LUA_TNUMBER: *whence = IoNumberText(L, idx); break;
    default:
      *error = std::string("file:seek: whence must be a string, got ") + IoTypeName(L, idx);
      return false;
  }
  const int t = lua_type(L, idx + 1);
  *offset = 0;
  if (t == LUA_TNONE || t == LUA_TNIL) return true;
  int is_int = 0;
  *offset = t == LUA_TNUMBER ? lua_tointegerx(L, idx + 1, &is_int) : 0;
  if (is_int) return true;
  *error = std::string("file:seek: offset must be an integer, got ") + IoTypeName(L, idx + 1);
  return false;
}

void Seek(lua_State* L, IoFileBox* box, IoOutcome* out) {
  std::string whence;
  std::string error;
  lua_Integer offset = 0;
  if (!SeekArgs(L, 2, &whence, &offset, &error)) return out->Fail(error);
  IoFileState* s = Usable(box, "file:seek", nullptr, nullptr, &error);
  if (s == nullptr) return out->Fail(error);
  lua_Integer base = 0;
  if (whence == "set") base = 0;
  else if (whence == "cur") base = static_cast<lua_Integer>(s->cursor);
  else if (whence == "end") base = static_cast<lua_Integer>(s->buffer.size());
  else return out->Fail("file:seek unsupported whence `" + whence + "`");
  lua_Integer next = 0;
  if (__builtin_add_overflow(base, offset, &next)) return out->Fail("file:seek offset overflow");
  if (next < 0) return out->Fail("file:seek offset before start");
  const size_t target = static_cast<size_t>(next);
  s->cursor = target < s->buffer.size() ? target : s->buffer.size();
  out->AddInt(static_cast<lua_Integer>(s->cursor));
}

IoFileBox* Self(lua_State* L) { return static_cast<IoFileBox*>(luaL_checkudata(L, 1, kIoFileMeta)); }

int MethodRead(lua_State* L) {
  Self(L);
  return IoFileRead(L, 1, 2);
}

int MethodWrite(lua_State* L) {
  Self(L);
  return IoFileWrite(L, 1, 2);
}

int MethodFlush(lua_State* L) {
  Self(L);
  return IoFileFlush(L, 1);
}

int MethodClose(lua_State* L) {
  Self(L);
  return IoFileClose(L, 1);
}

int MethodSeek(lua_State* L) {
  IoFileBox* box = Self(L);
  int n;
  {
    IoOutcome out;
    Seek(L, box, &out);
    n = PushIoOutcome(L, &out);
  }
  return n < 0 ? lua_error(L) : n;
}

int LinesStep(lua_State* L) {
  lua_settop(L, 0);
  lua_pushvalue(L, lua_upvalueindex(1));
  return IoFileRead(L, 1, 2);
}

int MethodLines(lua_State* L) {
  Self(L);
  lua_settop(L, 1);
  lua_pushcclosure(L, LinesStep, 1);
  return 1;
}

int MethodSetvbuf(lua_State* L) {
  Self(L);
  lua_pushboolean(L, 1);
  return 1;
}

int MetaToString(lua_State* L) {
  IoFileBox* box = Self(L);
  if (box->state == nullptr) lua_pushliteral(L, "file (closed)");
  else lua_pushfstring(L, "file (%p)", static_cast<void*>(box));
  return 1;
}

// Garbage: flush what is pending (errors are lost: nothing can report them), then free.
int MetaGc(lua_State* L) {
  IoFileBox* box = TestIoFile(L, 1);
  if (box != nullptr && box->state != nullptr) {
    std::string ignored;
    FlushState(box->state, &ignored);
    Release(box);
  }
  return 0;
}

void PushMetatable(lua_State* L) {
  if (luaL_newmetatable(L, kIoFileMeta) == 0) return;
  const luaL_Reg methods[] = {
      {"read", MethodRead},   {"write", MethodWrite}, {"flush", MethodFlush},     {"close", MethodClose},
      {"seek", MethodSeek},   {"lines", MethodLines}, {"setvbuf", MethodSetvbuf}, {nullptr, nullptr},
  };
  luaL_newlib(L, methods);
  lua_setfield(L, -2, "__index");
  const luaL_Reg meta[] = {
      {"__tostring", MetaToString}, {"__gc", MetaGc}, {"__close", MethodClose}, {nullptr, nullptr},
  };
  luaL_setfuncs(L, meta, 0);
}

}  // namespace

void PushNewFile(lua_State* L, std::unique_ptr<IoFileState>* file) {
  auto* box = static_cast<IoFileBox*>(lua_newuserdatauv(L, sizeof(IoFileBox), 0));
  box->state = nullptr;
  PushMetatable(L);
  lua_setmetatable(L, -2);
  box->state = file->release();
}

std::unique_ptr<IoFileState> OpenIoFile(const std::string& path, IoModeKind kind, bool binary, bool update,
                                        TextEncoding encoding, std::string* error) {
  std::unique_ptr<IoFileState> s(new IoFileState());
  s->path = path;
  s->kind = kind;
  s->binary = binary;
  s->update = update;
  s->encoding = encoding;
  std::string reason;
  int err = 0;
  if (kind == IoModeKind::kRead) {
    if (!ReadWholeFile(path, &s->buffer, &reason)) {
      *error = "vulcan.io.open: " + reason;
      return nullptr;
    }
  } else if (kind == IoModeKind::kAppend && update) {
    if (!ReadWholeFile(path, &s->buffer, &reason, &err)) {
      if (err != ENOENT) {
        *error = "vulcan.io.open: " + reason;
        return nullptr;
      }
      s->buffer.clear();
    }
  }
  return s;
}

void PushLinesIterator(lua_State* L) {
  lua_pushcclosure(L, LinesStep, 1);
}

IoFileBox* TestIoFile(lua_State* L, int idx) {
  return static_cast<IoFileBox*>(luaL_testudata(L, idx, kIoFileMeta));
}

int IoFileRead(lua_State* L, int file_idx, int first) {
  auto* box = static_cast<IoFileBox*>(lua_touserdata(L, file_idx));
  const int last = lua_gettop(L);
  int n;
  {
    IoOutcome out;
    ReadFormats(L, box, first, last, &out);
    n = PushIoOutcome(L, &out);
  }
  return n < 0 ? lua_error(L) : n;
}

int IoFileWrite(lua_State* L, int file_idx, int first) {
  auto* box = static_cast<IoFileBox*>(lua_touserdata(L, file_idx));
  const int last = lua_gettop(L);
  int n;
  {
    IoOutcome out;
    WriteValues(L, box, first, last, &out);
    n = PushIoOutcome(L, &out);
  }
  return n < 0 ? lua_error(L) : n;
}

int IoFileFlush(lua_State* L, int file_idx) {
  auto* box = static_cast<IoFileBox*>(lua_touserdata(L, file_idx));
  int n;
  {
    IoOutcome out;
    std::string error;
    IoFileState* s = Usable(box, "file:flush", nullptr, nullptr, &error);
    if (s == nullptr) out.Fail(error);
    else if (!FlushState(s, &error)) out.Fail("file:flush: " + error);
    else out.AddBool(true);
    n = PushIoOutcome(L, &out);
  }
  return n < 0 ? lua_error(L) : n;
}

int IoFileClose(lua_State* L, int file_idx) {
  auto* box = static_cast<IoFileBox*>(lua_touserdata(L, file_idx));
  int n;
  {
    IoOutcome out;
    std::string error;
    if (box->state == nullptr) {
      out.AddBool(true);
    } else if (!FlushState(box->state, &error)) {
      out.Fail("file:flush: " + error);  // still open, as upstream
    } else {
      const bool result = box->state->has_status ? box->state->status_success : true;
      Release(box);
      out.AddBool(result);
    }
    n = PushIoOutcome(L, &out);
  }
  return n < 0 ? lua_error(L) : n;
}

}  // namespace luaskills
