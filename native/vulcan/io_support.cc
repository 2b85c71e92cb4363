#include "io_support.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../convert.h"
#include "io_file.h"
#include "lua_args.h"

namespace luaskills {

void IoOutcome::AddBool(bool b) {
  values.emplace_back();
  values.back().kind = IoValue::kBool;
  values.back().b = b;
}

void IoOutcome::AddInt(lua_Integer i) {
  values.emplace_back();
  values.back().kind = IoValue::kInt;
  values.back().i = i;
}

void IoOutcome::AddStr(std::string s) {
  values.emplace_back();
  values.back().kind = IoValue::kStr;
  values.back().s = std::move(s);
}

void IoOutcome::AddFile(std::unique_ptr<IoFileState> file) {
  values.emplace_back();
  values.back().kind = IoValue::kFile;
  values.back().file = std::move(file);
}

namespace {

// Runs protected: only pointers live in this frame, so a raise (memory) loses nothing; a file
// not yet handed to its userdata stays owned by the outcome.
int PushOutcomeProtected(lua_State* L) {
  auto* out = static_cast<IoOutcome*>(lua_touserdata(L, 1));
  lua_pop(L, 1);
  if (out->failed) {
    lua_pushlstring(L, out->error.data(), out->error.size());
    return 1;
  }
  luaL_checkstack(L, static_cast<int>(out->values.size()) + 4, "too many results");
  for (IoValue& v : out->values) {
    switch (v.kind) {
      case IoValue::kNil: lua_pushnil(L); break;
      case IoValue::kBool: lua_pushboolean(L, v.b); break;
      case IoValue::kInt: lua_pushinteger(L, v.i); break;
      case IoValue::kStr: lua_pushlstring(L, v.s.data(), v.s.size()); break;
      case IoValue::kFile: PushNewFile(L, &v.file); break;
    }
  }
  return static_cast<int>(out->values.size());
}

}  // namespace

int PushIoOutcome(lua_State* L, IoOutcome* out) {
  const int base = lua_gettop(L);
  lua_pushcfunction(L, PushOutcomeProtected);
  lua_pushlightuserdata(L, out);
  if (lua_pcall(L, 1, LUA_MULTRET, 0) != LUA_OK || out->failed) return -1;
  return lua_gettop(L) - base;
}

const char* IoTypeName(lua_State* L, int idx) {
  return lua_type(L, idx) == LUA_TLIGHTUSERDATA ? "lightuserdata" : luaL_typename(L, idx);
}

bool IoStringArg(lua_State* L, int idx, const char* fn, const char* param, bool allow_blank, std::string* out,
                 std::string* error) {
  if (lua_type(L, idx) != LUA_TSTRING) {
    *error = std::string(fn) + ": " + param + " must be a string, got " + IoTypeName(L, idx);
    return false;
  }
  size_t len = 0;
  const char* s = lua_tolstring(L, idx, &len);
  if (ClassifyUtf8(s, len) == Utf8Kind::kInvalid) {
    *error = std::string(fn) + ": " + param + " must be valid UTF-8";
    return false;
  }
  return CheckStringArg(L, idx, fn, param, allow_blank, out, error);
}

bool IoPathArg(lua_State* L, int idx, const char* fn, const char* param, std::string* out, std::string* error) {
  return IoStringArg(L, idx, fn, param, false, out, error) && CheckPathArg(L, idx, fn, param, out, error);
}

void UnwrapEncodingOption(lua_State* L, int idx) {
  idx = lua_absindex(L, idx);
  for (int depth = 0; depth < 16 && lua_type(L, idx) == LUA_TTABLE; ++depth) {
    lua_getfield(L, idx, "encoding");
    lua_replace(L, idx);
  }
}

bool IoEncodingArg(lua_State* L, int idx, const char* fn, TextEncoding dflt, TextEncoding* out, std::string* error) {
  const int t = lua_type(L, idx);
  if (t == LUA_TNONE || t == LUA_TNIL) {
    *out = dflt;
    return true;
  }
  if (t != LUA_TSTRING) {
    *error = std::string(fn) + ": options must be nil, string, or table, got " + IoTypeName(L, idx);
    return false;
  }
  size_t len = 0;
  const char* s = lua_tolstring(L, idx, &len);
  if (ClassifyUtf8(s, len) == Utf8Kind::kInvalid) {
    *error = std::string(fn) + ": encoding must be UTF-8";
    return false;
  }
  std::string reason;
  if (!ParseTextEncoding(std::string(s, len), out, &reason)) {
    *error = std::string(fn) + ": " + reason;
    return false;
  }
  return true;
}

namespace {

// Rust's f64 Display: the shortest digits that read back, written without an exponent.
std::string RustFloatText(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  std::string text(buf);
  std::string sign;
  if (text[0] == '-') {
    sign = "-";
    text.erase(0, 1);
  }
  const size_t e = text.find('e');
  const int exponent = std::atoi(text.c_str() + e + 1);
  std::string digits;
  for (size_t k = 0; k < e; ++k) {
    if (text[k] != '.') digits += text[k];
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  const int point = exponent + 1;  // digits before the decimal point
  const int n = static_cast<int>(digits.size());
  if (point <= 0) return sign + "0." + std::string(static_cast<size_t>(-point), '0') + digits;
  if (point >= n) return sign + digits + std::string(static_cast<size_t>(point - n), '0');
  return sign + digits.substr(0, static_cast<size_t>(point)) + "." + digits.substr(static_cast<size_t>(point));
}

}  // namespace

std::string IoNumberText(lua_State* L, int idx) {
  char buf[32];
  if (lua_isinteger(L, idx)) {
    std::snprintf(buf, sizeof buf, LUA_INTEGER_FMT, static_cast<LUAI_UACINT>(lua_tointeger(L, idx)));
    return buf;
  }
  const double d = lua_tonumber(L, idx);
  if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.2e18) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(d));
    return buf;
  }
  return RustFloatText(d);
}

bool ReadWholeFile(const std::string& path, std::string* out, std::string* error, int* err_no) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  int err = 0;
  if (fd < 0) {
    err = errno;
  } else {
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size > 0) out->reserve(static_cast<size_t>(st.st_size));
    char chunk[65536];
    for (;;) {
      const ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n > 0) {
        out->append(chunk, static_cast<size_t>(n));
      } else if (n == 0) {
        break;
      } else if (errno != EINTR) {
        err = errno;
        break;
      }
    }
    ::close(fd);
  }
  if (err_no != nullptr) *err_no = err;
  if (err == 0) return true;
  *error = OsErrorText(err);
  return false;
}

namespace {

bool WriteFd(const std::string& path, int flags, const char* data, size_t len, std::string* error) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0666);
  if (fd < 0) {
    *error = OsErrorText(errno);
    return false;
  }
  int err = 0;
  size_t done = 0;
  while (done < len) {
    const ssize_t n = ::write(fd, data + done, len - done);
    if (n >= 0) {
      done += static_cast<size_t>(n);
    } else if (errno != EINTR) {
      err = errno;
      break;
    }
  }
  if (::close(fd) != 0 && err == 0 && errno != EINTR) err = errno;
  if (err == 0) return true;
  *error = OsErrorText(err);
  return false;
}

}  // namespace

bool WriteWholeFile(const std::string& path, const char* data, size_t len, std::string* error) {
  return WriteFd(path, O_WRONLY | O_CREAT | O_TRUNC, data, len, error);
}

bool AppendToFile(const std::string& path, const char* data, size_t len, std::string* error) {
  return WriteFd(path, O_WRONLY | O_CREAT | O_APPEND, data, len, error);
}

std::string BytesToText(const char* data, size_t len, bool binary, TextEncoding encoding) {
  if (binary) return std::string(data, len);
  return DecodeText(data, len, encoding).text;
}

}  // namespace luaskills
