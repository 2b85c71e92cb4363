// A per-VM pool for Lua's small blocks (strings, tables, closures, protos: most allocations are
// under 512 bytes). A VM's allocator runs on one thread at a time, so the pool needs no locks,
// where glibc malloc in a threaded process (Node) pays for its arena locking on every call.
// Freed blocks go back to per-size free lists; memory returns to the system when the VM closes.
#pragma once

#include <cstddef>
#include <vector>

namespace luaskills {

class SmallBlockPool {
 public:
  static constexpr size_t kGranule = 16;    // also the alignment of every block
  static constexpr size_t kMaxBlock = 512;  // larger blocks go to malloc

  SmallBlockPool() = default;
  ~SmallBlockPool();
  SmallBlockPool(const SmallBlockPool&) = delete;
  SmallBlockPool& operator=(const SmallBlockPool&) = delete;

  static bool Handles(size_t size) { return size != 0 && size <= kMaxBlock; }
  static size_t ClassOf(size_t size) { return (size + kGranule - 1) / kGranule - 1; }

  // A block of at least size bytes (Handles(size)); nullptr when the system is out of memory.
  void* Allocate(size_t size);
  // Returns a block of the given size (as allocated) to its free list.
  void Free(void* block, size_t size);

 private:
  static constexpr size_t kClasses = kMaxBlock / kGranule;
  static constexpr size_t kFirstSlab = 8 * 1024;
  static constexpr size_t kMaxSlab = 256 * 1024;

  struct FreeBlock {
    FreeBlock* next;
  };

  FreeBlock* free_[kClasses] = {};
  char* bump_ = nullptr;
  char* bump_end_ = nullptr;
  size_t next_slab_ = kFirstSlab;
  std::vector<void*> slabs_;
};

}  // namespace luaskills
