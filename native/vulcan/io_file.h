// The managed file userdata of vulcan.io (upstream ManagedIoFile): read, write, flush, close,
// seek, lines, setvbuf, with upstream's messages ("file:read: file is already closed", ...).
// The userdata holds a pointer to its heap state; close and __gc free it (idempotently) and
// a null state means "closed".
#pragma once

#include <memory>

#include "../lua_headers.h"
#include "io_support.h"

namespace luaskills {

constexpr const char* kIoFileMeta = "luaskills.io.file";

struct IoFileBox {
  IoFileState* state;  // nullptr once closed
};

// Wraps *file in a new userdata (taking ownership) and pushes it. May raise (memory): call it
// inside a protected call; until it returns, *file still owns the state.
void PushNewFile(lua_State* L, std::unique_ptr<IoFileState>* file);

// The managed file at idx, or nullptr. Never raises.
IoFileBox* TestIoFile(lua_State* L, int idx);

// Opens a managed file as upstream's ManagedIoFile::open: "r" modes read the whole file now
// ("vulcan.io.open: <os error>" when that fails), "a+" reads it when it exists, "w"/"a" start
// empty and touch the disk only on flush/close. `path` is already resolved.
std::unique_ptr<IoFileState> OpenIoFile(const std::string& path, IoModeKind kind, bool binary, bool update,
                                        TextEncoding encoding, std::string* error);

// Replaces the file on the top of the stack by an iterator reading one line per call. May raise.
void PushLinesIterator(lua_State* L);

// The file operations, shared by the methods and the io compatibility layer. The file is at
// file_idx; arguments run from first to the top of the stack. They return like a lua_CFunction.
int IoFileRead(lua_State* L, int file_idx, int first);
int IoFileWrite(lua_State* L, int file_idx, int first);
int IoFileFlush(lua_State* L, int file_idx);
int IoFileClose(lua_State* L, int file_idx);

}  // namespace luaskills
