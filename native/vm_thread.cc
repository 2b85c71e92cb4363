#include "vm_thread.h"

#include <chrono>
#include <utility>

namespace luaskills {

VmThread::VmThread() : thread_([this] { Loop(); }) {}

VmThread::~VmThread() { Stop(); }

void VmThread::Post(std::function<void()> work) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    work_ = std::move(work);
    pending_.store(true, std::memory_order_release);
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
    // Back-to-back jobs (await vm.call() in a loop) arrive within tens of microseconds: poll a
    // little before sleeping, which saves the futex wakeup on the way in.
    const auto spin_until = std::chrono::steady_clock::now() + std::chrono::microseconds(60);
    while (!pending_.load(std::memory_order_acquire) && std::chrono::steady_clock::now() < spin_until) {
      std::this_thread::yield();
    }
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || work_; });
      if (!work_) return;  // stopping and idle
      work = std::move(work_);
      work_ = nullptr;
      pending_.store(false, std::memory_order_relaxed);
    }
    work();
  }
}

}  // namespace luaskills
