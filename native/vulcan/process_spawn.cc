// See process_spawn.h.
#include "os_error.h"
#include "process_spawn.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "process_launchers.h"

extern char** environ;

namespace luaskills {

namespace {

bool SetNonBlocking(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

// The inherited environment with `overrides` applied (a later override of a name wins).
std::vector<std::string> BuildEnvironment(const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  for (const auto& kv : overrides) {
    const std::string prefix = kv.first + "=";
    bool replaced = false;
    for (std::string& entry : env) {
      if (entry.compare(0, prefix.size(), prefix) == 0) {
        entry = prefix + kv.second;
        replaced = true;
      }
    }
    if (!replaced) env.push_back(prefix + kv.second);
  }
  return env;
}

const std::string* FindOverride(const std::vector<std::pair<std::string, std::string>>& env, const char* name) {
  const std::string* found = nullptr;
  for (const auto& kv : env) {
    if (kv.first == name) found = &kv.second;
  }
  return found;
}

// Owners of the posix_spawn attribute objects.
struct FileActions {
  posix_spawn_file_actions_t value;
  bool ok;
  FileActions() : ok(posix_spawn_file_actions_init(&value) == 0) {}
  ~FileActions() {
    if (ok) posix_spawn_file_actions_destroy(&value);
  }
};

struct SpawnAttr {
  posix_spawnattr_t value;
  bool ok;
  SpawnAttr() : ok(posix_spawnattr_init(&value) == 0) {}
  ~SpawnAttr() {
    if (ok) posix_spawnattr_destroy(&value);
  }
};

bool MakePipe(UniqueFd* read_end, UniqueFd* write_end) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end->Reset(fds[0]);
  write_end->Reset(fds[1]);
  return true;
}

}  // namespace

void UniqueFd::Reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    KillGroup();
    Reap();
  }
}

bool ChildProcess::Spawn(const SpawnRequest& request, std::string* error) {
  UniqueFd in_read, in_write, out_read, out_write, err_read, err_write;
  if ((request.pipe_stdin && !MakePipe(&in_read, &in_write)) || !MakePipe(&out_read, &out_write) ||
      !MakePipe(&err_read, &err_write)) {
    *error = OsErrorText(errno);
    return false;
  }
  FileActions actions;
  SpawnAttr attr;
  if (!actions.ok || !attr.ok) {
    *error = OsErrorText(ENOMEM);
    return false;
  }
  int rc = 0;
  if (request.pipe_stdin) {
    rc = posix_spawn_file_actions_adddup2(&actions.value, in_read.get(), STDIN_FILENO);
  } else {
    rc = posix_spawn_file_actions_addopen(&actions.value, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions.value, out_write.get(), STDOUT_FILENO);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions.value, err_write.get(), STDERR_FILENO);
  if (rc == 0 && !request.cwd.empty()) {
    rc = posix_spawn_file_actions_addchdir_np(&actions.value, request.cwd.c_str());
  }
  // Own process group (so the whole tree can be killed), nothing blocked, and every signal at
  // its default: Node ignores SIGPIPE and this addon handles SIGURG, neither may reach the child.
  sigset_t mask;
  sigset_t defaults;
  sigemptyset(&mask);
  sigfillset(&defaults);
  sigdelset(&defaults, SIGKILL);
  sigdelset(&defaults, SIGSTOP);
  if (rc == 0) rc = posix_spawnattr_setflags(&attr.value, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  if (rc == 0) rc = posix_spawnattr_setpgroup(&attr.value, 0);
  if (rc == 0) rc = posix_spawnattr_setsigmask(&attr.value, &mask);
  if (rc == 0) rc = posix_spawnattr_setsigdefault(&attr.value, &defaults);
  if (rc != 0) {
    *error = OsErrorText(rc);
    return false;
  }

  std::vector<std::string> env = BuildEnvironment(request.env);
  std::vector<char*> envp;
  envp.reserve(env.size() + 1);
  for (std::string& entry : env) envp.push_back(&entry[0]);
  envp.push_back(nullptr);

  // A bare name is looked up in PATH; an overridden PATH is the child's, as Rust does it.
  std::string program = request.program;
  bool search = program.find('/') == std::string::npos;
  if (search) {
    if (const std::string* path = FindOverride(request.env, "PATH")) {
      std::string found = SearchPath(program, *path, request.cwd);
      if (found.empty()) {
        *error = OsErrorText(ENOENT);
        return false;
      }
      program = found;
      search = false;
    }
  }
  std::vector<std::string> argv_text;
  argv_text.reserve(request.args.size() + 1);
  argv_text.push_back(request.program);
  for (const std::string& arg : request.args) argv_text.push_back(arg);
  std::vector<char*> argv;
  argv.reserve(argv_text.size() + 1);
  for (std::string& arg : argv_text) argv.push_back(&arg[0]);
  argv.push_back(nullptr);

  pid_t pid = -1;
  rc = search ? posix_spawnp(&pid, program.c_str(), &actions.value, &attr.value, argv.data(), envp.data())
              : posix_spawn(&pid, program.c_str(), &actions.value, &attr.value, argv.data(), envp.data());
  if (rc != 0) {
    *error = OsErrorText(rc);
    return false;
  }
  pid_ = pid;
  reaped_ = false;
  // The parent keeps its ends only; the child's ends close here.
  if (request.pipe_stdin) {
    stdin_ = std::move(in_write);
    SetNonBlocking(stdin_.get());
  }
  stdout_ = std::move(out_read);
  stderr_ = std::move(err_read);
  SetNonBlocking(stdout_.get());
  SetNonBlocking(stderr_.get());
#ifdef SYS_pidfd_open
  const long pidfd = syscall(SYS_pidfd_open, pid_, 0);
  if (pidfd >= 0) exit_fd_.Reset(static_cast<int>(pidfd));
#endif
  return true;
}

ExitInfo ChildProcess::Peek() {
  if (reaped_) return final_;
  ExitInfo info;
  if (pid_ <= 0) return info;
  siginfo_t si;
  std::memset(&si, 0, sizeof si);
  int rc;
  do {
    rc = waitid(P_PID, static_cast<id_t>(pid_), &si, WEXITED | WNOHANG | WNOWAIT);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    // ECHILD: someone else reaped it (SIGCHLD ignored); it is gone, how it ended is unknown.
    info.exited = true;
    return info;
  }
  if (si.si_pid == 0) return info;  // still running
  info.exited = true;
  if (si.si_code == CLD_EXITED) {
    info.has_code = true;
    info.code = si.si_status;
  }
  return info;
}

void ChildProcess::KillGroup() {
  if (pid_ > 0 && !reaped_) kill(-pid_, SIGKILL);
}

ExitInfo ChildProcess::Reap() {
  if (reaped_ || pid_ <= 0) return final_;
  int status = 0;
  pid_t rc;
  do {
    rc = waitpid(pid_, &status, 0);
  } while (rc < 0 && errno == EINTR);
  final_ = ExitInfo();
  final_.exited = true;
  if (rc == pid_ && WIFEXITED(status)) {
    final_.has_code = true;
    final_.code = WEXITSTATUS(status);
  }
  reaped_ = true;
  exit_fd_.Reset();
  return final_;
}

ssize_t WriteNoSigpipe(int fd, const char* data, size_t len) {
  sigset_t pipe_set;
  sigset_t old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  const ssize_t n = write(fd, data, len);
  const int saved = errno;
  if (n < 0 && saved == EPIPE && !sigismember(&old, SIGPIPE)) {
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE)) {
      const struct timespec zero = {0, 0};
      sigtimedwait(&pipe_set, nullptr, &zero);
    }
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return n;
}

}  // namespace luaskills
