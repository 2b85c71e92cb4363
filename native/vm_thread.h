// The thread a LuaVm runs its async jobs on. Owned by the addon, not libuv's pool (which Node
// needs for fs, dns and crypto). One job at a time; the LuaVm refuses a second one as busy.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace luaskills {

class VmThread {
 public:
  VmThread();
  ~VmThread();  // stops and joins
  VmThread(const VmThread&) = delete;
  VmThread& operator=(const VmThread&) = delete;

  // Runs work on the thread. The caller guarantees no job is queued or running.
  void Post(std::function<void()> work);
  // Lets the current job finish, then joins. Idempotent.
  void Stop();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> work_;
  bool stop_ = false;
  std::atomic<bool> pending_{false};
  std::thread thread_;
};

}  // namespace luaskills
