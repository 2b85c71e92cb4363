#include "watchdog.h"

#include "vm_core.h"

namespace luaskills {

namespace {
constexpr auto kResendInterval = std::chrono::milliseconds(5);
}  // namespace

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t Watchdog::Arm(VmCore* core, Clock::time_point deadline) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  const uint64_t ticket = next_ticket_++;
  deadlines_.emplace(deadline, std::make_pair(ticket, core));
  // Waking the thread is a context switch per job; it only has to re-plan when this deadline
  // comes before the time it sleeps until (jobs with the same timeout back to back never do).
  if (deadline < wake_at_) cv_.notify_all();
  return ticket;
}

void Watchdog::Disarm(uint64_t ticket) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = deadlines_.begin(); it != deadlines_.end(); ++it) {
    if (it->second.first == ticket) {
      deadlines_.erase(it);
      return;
    }
  }
}

// Runs on the watchdog thread.
void Watchdog::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (deadlines_.empty()) {
      wake_at_ = Clock::time_point::max();
      cv_.wait(lock);
      continue;
    }
    auto first = deadlines_.begin();
    // A copy: Disarm may erase the entry while this thread waits.
    const Clock::time_point due = first->first;
    if (Clock::now() < due) {
      wake_at_ = due;
      cv_.wait_until(lock, due);
      continue;
    }
    // Expired: ask the job to stop (under the lock, so Disarm cannot race the core away), and
    // come back shortly in case the signal found no Lua running.
    auto entry = first->second;
    deadlines_.erase(first);
    entry.second->RequestInterrupt(Interrupt::kTimeout);
    deadlines_.emplace(Clock::now() + kResendInterval, entry);
  }
}

}  // namespace luaskills
