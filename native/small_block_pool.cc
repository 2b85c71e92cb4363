#include "small_block_pool.h"

#include <cstdlib>
#include <new>

namespace luaskills {

SmallBlockPool::~SmallBlockPool() {
  for (void* slab : slabs_) std::free(slab);
}

void* SmallBlockPool::Allocate(size_t size) {
  const size_t cls = ClassOf(size);
  if (FreeBlock* block = free_[cls]) {
    free_[cls] = block->next;
    return block;
  }
  const size_t rounded = (cls + 1) * kGranule;
  if (static_cast<size_t>(bump_end_ - bump_) < rounded) {
    // The tail of the old slab is dropped: at most kMaxBlock bytes per slab.
    void* slab = std::malloc(next_slab_);
    if (slab == nullptr) return nullptr;
    try {
      slabs_.push_back(slab);
    } catch (const std::bad_alloc&) {
      std::free(slab);
      return nullptr;
    }
    bump_ = static_cast<char*>(slab);
    bump_end_ = bump_ + next_slab_;
    if (next_slab_ < kMaxSlab) next_slab_ *= 2;
  }
  void* block = bump_;
  bump_ += rounded;
  return block;
}

void SmallBlockPool::Free(void* block, size_t size) {
  auto* node = static_cast<FreeBlock*>(block);
  const size_t cls = ClassOf(size);
  node->next = free_[cls];
  free_[cls] = node;
}

}  // namespace luaskills
