// Compiled chunks by source text. Hosts run the same snippet again and again (a status query, a
// handler body); parsing dominates such a run, so the VM keeps the last compiled closures in the
// registry. A cached chunk gets its _ENV upvalue reset to the globals before each run, so it
// behaves exactly like a freshly loaded one. JS thread only.
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>

#include "lua_headers.h"

namespace luaskills {

class ChunkCache {
 public:
  static constexpr size_t kMaxEntries = 64;
  static constexpr size_t kMaxCodeBytes = 4096;
  static constexpr size_t kMaxSeen = 1024;

  // The cache key, or "" when the chunk is too big to keep.
  static std::string KeyFor(bool with_args, const std::string& chunk_name, const std::string& code);
  // The registry reference of the compiled chunk, or LUA_NOREF. *worth_keeping says whether a
  // freshly compiled chunk should be inserted: only text seen before is kept, so a stream of
  // distinct snippets costs a hash, not a registry slot and a collection each.
  int Find(const std::string& key, bool* worth_keeping);
  // Records a compiled chunk (a registry reference the cache now owns). The state must be idle.
  void Insert(lua_State* L, std::string key, int ref);

 private:
  std::unordered_map<std::string, int> refs_;
  std::unordered_set<size_t> seen_;  // hashes of keys run once
};

}  // namespace luaskills
