// Loads user code as a text chunk. When the caller passes args, the chunk sees them as a local
// named `args` and as `...`: a one-line prefix is fed to lua_load ahead of the code, on the same
// line, so the user's line numbers are unchanged and the code cannot reach outside its chunk.
#pragma once

#include <cstddef>
#include <string>

#include "lua_headers.h"

namespace luaskills {

// Lua's convention: "=name" and "@file" are used as given; anything else becomes "=name".
std::string NormalizeChunkName(const std::string& name);

// Pushes the compiled chunk, or the syntax error message, and returns lua_load's status.
int LoadChunk(lua_State* L, const char* code, size_t len, const char* chunk_name, bool with_args);

}  // namespace luaskills
