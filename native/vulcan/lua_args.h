// Argument checks shared by the native vulcan modules, with upstream's messages
// (require_string_arg / require_path_arg / require_table_arg), and the push helpers that keep
// C++ strings from being skipped by a Lua error (see PushText).
//
// Every checker returns false with *error set instead of raising: callers destroy their C++
// objects first and raise afterwards (RaiseText).
#pragma once

#include <string>

#include "../lua_headers.h"

namespace luaskills {

// mlua's type names, which upstream puts in its messages: "integer" and "number" are told
// apart, a light userdata is "lightuserdata".
const char* LuaTypeName(lua_State* L, int idx);

// A real Lua string (numbers are not coerced), valid UTF-8, without NUL, and (unless
// allow_blank) not blank. Messages: "<fn>: <param> must be a string, got <type>",
// "... must be a valid UTF-8 string", "... must not be empty", "... must not contain NUL bytes".
bool CheckStringArg(lua_State* L, int idx, const char* fn, const char* param, bool allow_blank, std::string* out,
                    std::string* error);

// CheckStringArg, then refuses coerced object strings ("table: 0x…", "function: 0x…", ...):
// "<fn>: <param> looks like a coerced Lua object string `<text>`".
bool CheckPathArg(lua_State* L, int idx, const char* fn, const char* param, std::string* out, std::string* error);

// Optional options table (nil or a table): "<fn>: options must be a table, got <type>".
bool CheckOptionsArg(lua_State* L, int idx, const char* fn, std::string* error);

// Optional boolean field of the options table at idx (absent or nil → dflt):
// "<fn>: options.<field> must be a boolean when provided: <type>".
bool OptionalBoolField(lua_State* L, int idx, const char* fn, const char* field, bool dflt, bool* out,
                       std::string* error);

// Pushes text without letting a Lua error (out of memory) skip the caller's destructors: on
// failure the error is on the stack and false says to raise it once C++ objects are gone.
bool PushText(lua_State* L, const std::string& text);


}  // namespace luaskills

namespace luaskills {

// A VM's logical working directory (a lease's cwd; empty when none). Nothing ever chdirs the
// process: the vulcan natives resolve relative paths against this instead. Set from Lua through
// require("luaskills.cwd").set(path|nil); get() returns it or nil.
std::string LogicalCwd(lua_State* L);

// `path` when it is absolute or no logical cwd is set, else <cwd>/<path>.
std::string ResolveAgainstCwd(lua_State* L, const std::string& path);

// Runs inside a protected call at VM creation.
void InstallLogicalCwd(lua_State* L);

}  // namespace luaskills
