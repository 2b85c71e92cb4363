// The two halves of vulcan.json (json_encode.cc, json_decode.cc), registered by json.cc, and
// the nesting limit they share.
#pragma once

#include "../lua_headers.h"

namespace luaskills {

// Deeper nesting raises ("json.encode: nesting deeper than 256 levels", "json.decode: recursion
// limit exceeded"), before the C stack or the Lua stack can run out.
constexpr int kJsonMaxDepth = 256;

// json.encode(value): compact JSON text, upstream's layout. Raises on values JSON cannot hold.
int JsonEncode(lua_State* L);

// json.decode(text): the value, with the typed containers' marker metatables and the null
// sentinel. Raises on malformed text, with its line and column.
int JsonDecode(lua_State* L);

}  // namespace luaskills
