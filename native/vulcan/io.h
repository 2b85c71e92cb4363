// vulcan.io (native, managed IO): registers package.preload["luaskills.io"] and
// package.preload["luaskills.io_compat"] (the managed `io` replacement for lease VMs).
#pragma once

#include "../lua_headers.h"

namespace luaskills {

// Runs inside a protected call at VM creation.
void InstallIo(lua_State* L);

// The luaskills.io module table (open, read_text, write_text, append_text, lines, popen,
// tmpfile). A lua_CFunction: the preload loader and the compat layer both use it.
int OpenIoModule(lua_State* L);

// vulcan.io.popen (io_popen.cc).
int IoPopen(lua_State* L);

// The loader of luaskills.io_compat (io_compat.cc).
int OpenIoCompat(lua_State* L);

}  // namespace luaskills
