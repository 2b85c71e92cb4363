#include "interrupt_signal.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "vm_core.h"

#if defined(_WIN32)

namespace luaskills {
bool SignalInterruptsAvailable() { return false; }
VmCore* SetThreadCore(VmCore*) { return nullptr; }
unsigned long CurrentThreadId() { return 0; }
void SendInterruptSignal(unsigned long) {}
}  // namespace luaskills

#else

#include <pthread.h>
#include <signal.h>

namespace luaskills {

namespace {

// Initial-exec TLS: reading it in the handler never allocates.
__attribute__((tls_model("initial-exec"))) thread_local VmCore* tls_core = nullptr;

// The handler that was installed before ours, chained to for signals that are not ours.
struct sigaction previous_action;
std::mutex install_mu;
bool installed = false;
bool available = false;

void OnSignal(int sig, siginfo_t* info, void* context) {
  VmCore* core = tls_core;
  if (core != nullptr) {
    core->OnInterruptSignal();
    return;
  }
  if (previous_action.sa_flags & SA_SIGINFO) {
    if (previous_action.sa_sigaction != nullptr) previous_action.sa_sigaction(sig, info, context);
  } else if (previous_action.sa_handler != SIG_DFL && previous_action.sa_handler != SIG_IGN &&
             previous_action.sa_handler != nullptr) {
    previous_action.sa_handler(sig);
  }
}

// Called with install_mu held.
void InstallLocked() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_sigaction = OnSignal;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&action.sa_mask);
  struct sigaction old;
  if (sigaction(SIGURG, &action, &old) == 0) {
    if (old.sa_sigaction != OnSignal) previous_action = old;
    installed = true;
  }
}

}  // namespace

bool SignalInterruptsAvailable() {
  std::lock_guard<std::mutex> lock(install_mu);
  if (!installed) {
    const char* mode = std::getenv("LUASKILLS_INTERRUPT");
    if (mode != nullptr && std::strcmp(mode, "hook") == 0) return false;
    InstallLocked();
    available = installed;
  }
  return available;
}

VmCore* SetThreadCore(VmCore* core) {
  VmCore* previous = tls_core;
  tls_core = core;
  return previous;
}

unsigned long CurrentThreadId() { return static_cast<unsigned long>(pthread_self()); }

void SendInterruptSignal(unsigned long thread_id) {
  {
    std::lock_guard<std::mutex> lock(install_mu);
    struct sigaction current;
    if (sigaction(SIGURG, nullptr, &current) == 0 &&
        (!(current.sa_flags & SA_SIGINFO) || current.sa_sigaction != OnSignal)) {
      InstallLocked();  // e.g. process.on('SIGURG') replaced it; we chain to that handler
    }
  }
  pthread_kill(static_cast<pthread_t>(thread_id), SIGURG);
}

}  // namespace luaskills

#endif
