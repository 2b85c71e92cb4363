// Child processes for vulcan.process (POSIX): posix_spawn in a process group of its own, with
// close-on-exec pipes, default signal dispositions and an empty signal mask; kill of the whole
// group; reaping. No Lua in here.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "os_error.h"

namespace luaskills {

// Owns one file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = other.Release();
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset(int fd = -1);

 private:
  int fd_ = -1;
};

struct SpawnRequest {
  std::string program;            // a name looked up in PATH, or a path
  std::vector<std::string> args;  // without argv[0]
  std::string cwd;                // empty: the parent's working directory
  std::vector<std::pair<std::string, std::string>> env;  // set on top of the inherited environment
  bool pipe_stdin = false;        // else stdin is /dev/null
};

// How a process ended (or that it has not yet).
struct ExitInfo {
  bool exited = false;     // the child has terminated
  bool has_code = false;   // it called exit (else a signal ended it)
  int code = 0;
};

// One spawned child, leader of its own process group. The destructor kills the group and
// reaps the child when that has not happened yet, so no path leaks a zombie.
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Fills *error (OsErrorText) and returns false when the child could not be started.
  bool Spawn(const SpawnRequest& request, std::string* error);

  pid_t pid() const { return pid_; }
  // Pipe ends of the parent (non-blocking, close-on-exec). stdin is invalid without pipe_stdin.
  UniqueFd& stdin_fd() { return stdin_; }
  UniqueFd& stdout_fd() { return stdout_; }
  UniqueFd& stderr_fd() { return stderr_; }
  // Readable once the child has terminated (a pidfd); invalid where the kernel has none.
  int exit_fd() const { return exit_fd_.get(); }

  // Whether the child has terminated, without reaping it: while it is a zombie its pid keeps
  // naming the process group, so KillGroup cannot hit an unrelated group.
  ExitInfo Peek();
  // SIGKILL to every process of the group (grandchildren included). Harmless once reaped.
  void KillGroup();
  // Blocks until the child has terminated, reaps it and returns how it ended. Idempotent.
  ExitInfo Reap();
  bool reaped() const { return reaped_; }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  ExitInfo final_;
  UniqueFd stdin_;
  UniqueFd stdout_;
  UniqueFd stderr_;
  UniqueFd exit_fd_;
};

// Writes without raising SIGPIPE in this process (the signal is blocked for the write and a
// pending one is consumed): a closed reader gives EPIPE. Same contract as write(2).
ssize_t WriteNoSigpipe(int fd, const char* data, size_t len);

}  // namespace luaskills
