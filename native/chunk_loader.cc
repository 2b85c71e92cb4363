#include "chunk_loader.h"

namespace luaskills {

namespace {

constexpr char kArgsPrefix[] = "local args = ...; ";

struct ChunkReader {
  const char* parts[2];
  size_t sizes[2];
  int next = 0;
};

const char* ReadChunk(lua_State*, void* ud, size_t* size) {
  auto* r = static_cast<ChunkReader*>(ud);
  while (r->next < 2) {
    int i = r->next++;
    if (r->sizes[i] > 0) {
      *size = r->sizes[i];
      return r->parts[i];
    }
  }
  *size = 0;
  return nullptr;
}

}  // namespace

std::string NormalizeChunkName(const std::string& name) {
  if (!name.empty() && (name[0] == '=' || name[0] == '@')) return name;
  return "=" + name;
}

int LoadChunk(lua_State* L, const char* code, size_t len, const char* chunk_name, bool with_args) {
  ChunkReader reader;
  reader.parts[0] = kArgsPrefix;
  reader.sizes[0] = with_args ? sizeof(kArgsPrefix) - 1 : 0;
  reader.parts[1] = code;
  reader.sizes[1] = len;
  // Text only: precompiled chunks can crash the VM.
  return lua_load(L, ReadChunk, &reader, chunk_name, "t");
}

}  // namespace luaskills
