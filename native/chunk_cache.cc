#include "chunk_cache.h"

namespace luaskills {

std::string ChunkCache::KeyFor(bool with_args, const std::string& chunk_name, const std::string& code) {
  if (code.size() > kMaxCodeBytes) return std::string();
  std::string key;
  key.reserve(chunk_name.size() + code.size() + 2);
  key += with_args ? '1' : '0';
  key += chunk_name;
  key += '\0';
  key += code;
  return key;
}

int ChunkCache::Find(const std::string& key, bool* worth_keeping) {
  *worth_keeping = false;
  if (key.empty()) return LUA_NOREF;
  auto it = refs_.find(key);
  if (it != refs_.end()) return it->second;
  if (seen_.size() >= kMaxSeen) seen_.clear();
  *worth_keeping = !seen_.insert(std::hash<std::string>{}(key)).second;
  return LUA_NOREF;
}

void ChunkCache::Insert(lua_State* L, std::string key, int ref) {
  if (refs_.size() >= kMaxEntries) {
    // Simple and bounded: start over rather than track recency.
    for (const auto& entry : refs_) luaL_unref(L, LUA_REGISTRYINDEX, entry.second);
    refs_.clear();
  }
  auto [it, inserted] = refs_.emplace(std::move(key), ref);
  if (!inserted) {
    luaL_unref(L, LUA_REGISTRYINDEX, it->second);
    it->second = ref;
  }
}

}  // namespace luaskills
