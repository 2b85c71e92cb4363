#include "vm_thread.h"

#include <utility>

namespace luaskills {

VmThread::VmThread() : thread_([this] { Loop(); }) {}

VmThread::~VmThread() { Stop(); }

void VmThread::Post(std::function<void()> work) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    work_ = std::move(work);
  }
  cv_.notify_one();
}

void VmThread::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

// Runs on the VM thread.
void VmThread::Loop() {
  for (;;) {
    std::function<void()> work;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || work_; });
      if (!work_) return;  // stopping and idle
      work = std::move(work_);
      work_ = nullptr;
    }
    work();
  }
}

}  // namespace luaskills
