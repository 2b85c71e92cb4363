// Shared pieces of vulcan.io (managed IO): upstream's argument checks and messages
// (managed_io.rs), Rust-style OS error and number text, whole-file reads and writes, and the
// Outcome/PushOutcome pair that lets a function compute into C++ objects and push its results
// (or its error) without a Lua error ever skipping a destructor.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "../lua_headers.h"
#include "encoding.h"
#include "os_error.h"

namespace luaskills {

enum class IoModeKind { kRead, kWrite, kAppend };

// One managed file: whole-file buffered as upstream (read at open, written back on flush/close).
struct IoFileState {
  std::string path;  // resolved path, or "<popen:command>"
  IoModeKind kind = IoModeKind::kRead;
  bool binary = false;
  bool update = false;
  TextEncoding encoding = TextEncoding::kUtf8;
  std::string buffer;
  size_t cursor = 0;
  size_t flushed_len = 0;  // append mode: bytes already on disk
  bool delete_on_close = false;
  bool has_status = false;  // popen: close() returns the child's success
  bool status_success = true;
};

// One value a native io function returns.
struct IoValue {
  enum Kind { kNil, kBool, kInt, kStr, kFile } kind = kNil;
  bool b = false;
  lua_Integer i = 0;
  std::string s;
  std::unique_ptr<IoFileState> file;  // kFile: becomes a managed file userdata
};

// What a native io function produced: values, or an error message.
struct IoOutcome {
  std::vector<IoValue> values;
  bool failed = false;
  std::string error;

  void Fail(std::string message) {
    failed = true;
    error = std::move(message);
  }
  void AddNil() { values.emplace_back(); }
  void AddBool(bool b);
  void AddInt(lua_Integer i);
  void AddStr(std::string s);
  void AddFile(std::unique_ptr<IoFileState> file);
};

// Pushes the outcome's values (or its error) inside a protected call. Returns the number of
// values pushed, or -1 when the error value is on the stack: the caller raises it with
// lua_error once its C++ objects are destroyed.
int PushIoOutcome(lua_State* L, IoOutcome* out);

// mlua's type names as managed_io.rs prints them: integers and floats are both "number".
const char* IoTypeName(lua_State* L, int idx);

// require_string_arg of managed_io.rs (process_session.rs checks its fields the same way):
// "<fn>: <param> must be a string, got <type>",
// "... must be valid UTF-8", "... must not be empty", "... must not contain NUL bytes".
bool IoStringArg(lua_State* L, int idx, const char* fn, const char* param, bool allow_blank, std::string* out,
                 std::string* error);
// require_path_arg: IoStringArg, then CheckPathArg's refusal of coerced "table: 0x…" strings.
bool IoPathArg(lua_State* L, int idx, const char* fn, const char* param, std::string* out, std::string* error);

// Replaces the options value at idx (a table) by its `encoding` field, repeatedly, as upstream's
// recursive parse_encoding_options reads it. May raise (an __index metamethod): call it before
// any C++ object exists.
void UnwrapEncodingOption(lua_State* L, int idx);
// nil → dflt; a string → its encoding; else "<fn>: options must be nil, string, or table, got <t>".
bool IoEncodingArg(lua_State* L, int idx, const char* fn, TextEncoding dflt, TextEncoding* out, std::string* error);

// Number text as upstream writes it: integers (and whole floats that fit i64, as LuaJIT + mlua
// hand them over) in decimal; other floats as Rust's f64 Display (no exponent, "inf", "NaN").
std::string IoNumberText(lua_State* L, int idx);

// fs::read / fs::write / append: false with *error = OsErrorText(errno) on failure.
bool ReadWholeFile(const std::string& path, std::string* out, std::string* error, int* err_no = nullptr);
bool WriteWholeFile(const std::string& path, const char* data, size_t len, std::string* error);
bool AppendToFile(const std::string& path, const char* data, size_t len, std::string* error);

// Bytes to the Lua string a read returns: raw in binary mode, else decoded (lossy) text.
std::string BytesToText(const char* data, size_t len, bool binary, TextEncoding encoding);

}  // namespace luaskills
