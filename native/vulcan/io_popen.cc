// vulcan.io.popen: read mode only. Runs `sh -c <command>` (stdin and stderr on /dev/null,
// stdout captured), waits for it, and returns a read-only managed file over the output whose
// close() reports the child's success. The shell starts in the VM's logical cwd, in its own
// process group, with a clean signal mask; a timeout (options.timeout_ms, default 60000) or a
// VM interrupt (its own timeout, cancel, close) kills the whole group.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>

#include "../vm_core.h"
#include "io.h"
#include "io_file.h"
#include "io_support.h"
#include "lua_args.h"

extern char** environ;

namespace luaskills {

namespace {

constexpr const char* kFn = "vulcan.io.popen";
constexpr uint64_t kDefaultTimeoutMs = 60000;
constexpr int kPollMs = 20;  // how often the VM's own stop request is looked at

enum class RunEnd { kDone, kTimedOut, kInterrupted, kFailed };

struct PopenRequest {
  std::string command;
  bool binary = false;
  TextEncoding encoding = TextEncoding::kUtf8;
  uint64_t timeout_ms = kDefaultTimeoutMs;
};

// Stack slots after Normalize: 1 command, 2 mode-or-options, 3 options, 4 the encoding option
// (unwrapped), 5 options.timeout_ms, 6 the options value itself.
void Normalize(lua_State* L) {
  lua_settop(L, 3);
  const int opt = lua_type(L, 2) == LUA_TTABLE ? 2 : 3;
  if (lua_type(L, opt) == LUA_TTABLE) {
    lua_getfield(L, opt, "encoding");
    UnwrapEncodingOption(L, 4);
    lua_getfield(L, opt, "timeout_ms");
  } else {
    lua_pushvalue(L, opt);
    lua_pushnil(L);
  }
  lua_pushvalue(L, opt);
}

bool ParseTimeout(lua_State* L, int idx, uint64_t* out, std::string* error) {
  switch (lua_type(L, idx)) {
    case LUA_TNIL: *out = kDefaultTimeoutMs; return true;
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        if (lua_tointeger(L, idx) > 0) {
          *out = static_cast<uint64_t>(lua_tointeger(L, idx));
          return true;
        }
      } else {
        const double d = lua_tonumber(L, idx);
        if (std::isfinite(d) && d > 0) {
          *out = d >= 1.8e19 ? UINT64_MAX : static_cast<uint64_t>(d);
          return true;
        }
      }
      break;
    default: break;
  }
  *error = std::string(kFn) + ": timeout_ms must be a positive number, got " + IoTypeName(L, idx);
  return false;
}

bool ParseRequest(lua_State* L, PopenRequest* req, std::string* error) {
  if (!IoStringArg(L, 1, kFn, "command", false, &req->command, error)) return false;
  std::string mode = "r";
  switch (lua_type(L, 2)) {
    case LUA_TNIL:
    case LUA_TTABLE: break;
    case LUA_TSTRING:
      if (!IoStringArg(L, 2, kFn, "mode", false, &mode, error)) return false;
      break;
    default:
      *error = std::string(kFn) + ": mode must be a string or options table, got " + IoTypeName(L, 2);
      return false;
  }
  req->binary = mode.find('b') != std::string::npos;
  std::string rest;
  for (char c : mode) {
    if (c != 'b') rest += c;
  }
  if (rest == "w") {
    *error = std::string(kFn) + ": write mode is not implemented yet";
    return false;
  }
  if (rest != "r" && !rest.empty()) {
    *error = std::string(kFn) + ": unsupported mode `" + mode + "`";
    return false;
  }
  switch (lua_type(L, 6)) {
    case LUA_TNIL: return true;
    case LUA_TSTRING: return IoEncodingArg(L, 6, kFn, TextEncoding::kUtf8, &req->encoding, error);
    case LUA_TTABLE:
      return IoEncodingArg(L, 4, kFn, TextEncoding::kUtf8, &req->encoding, error) &&
             ParseTimeout(L, 5, &req->timeout_ms, error);
    default:
      *error = std::string(kFn) + ": options must be nil, string, or table, got " + IoTypeName(L, 6);
      return false;
  }
}

// Owns the spawn attributes and the pipe's read end.
struct Spawner {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  int pipe_fds[2] = {-1, -1};
  Spawner() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~Spawner() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    for (int fd : pipe_fds) {
      if (fd >= 0) ::close(fd);
    }
  }
  Spawner(const Spawner&) = delete;
  Spawner& operator=(const Spawner&) = delete;
};

// Starts the shell; returns 0 or an errno.
int Spawn(Spawner* sp, const std::string& command, const std::string& cwd, pid_t* pid) {
  if (pipe2(sp->pipe_fds, O_CLOEXEC) != 0) return errno;
  int rc = posix_spawn_file_actions_addopen(&sp->actions, 0, "/dev/null", O_RDONLY, 0);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(&sp->actions, sp->pipe_fds[1], 1);
  if (rc == 0) rc = posix_spawn_file_actions_addopen(&sp->actions, 2, "/dev/null", O_WRONLY, 0);
  if (rc == 0 && !cwd.empty()) rc = posix_spawn_file_actions_addchdir_np(&sp->actions, cwd.c_str());
  sigset_t none;
  sigset_t defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGURG);
  if (rc == 0) rc = posix_spawnattr_setflags(&sp->attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  if (rc == 0) rc = posix_spawnattr_setpgroup(&sp->attr, 0);
  if (rc == 0) rc = posix_spawnattr_setsigmask(&sp->attr, &none);
  if (rc == 0) rc = posix_spawnattr_setsigdefault(&sp->attr, &defaults);
  if (rc != 0) return rc;
  char* argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"), const_cast<char*>(command.c_str()), nullptr};
  rc = posix_spawn(pid, "/bin/sh", &sp->actions, &sp->attr, argv, environ);
  ::close(sp->pipe_fds[1]);
  sp->pipe_fds[1] = -1;
  if (rc != 0) return rc;
  fcntl(sp->pipe_fds[0], F_SETFL, fcntl(sp->pipe_fds[0], F_GETFL) | O_NONBLOCK);
  return 0;
}

void KillGroup(pid_t pid, bool reaped) {
  ::kill(-pid, SIGKILL);
  if (reaped) return;
  ::kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

// Runs the command to completion (its exit and the end of its output), the deadline, or a VM
// stop request, whichever comes first.
RunEnd RunShell(const PopenRequest& req, const std::string& cwd, VmCore* core, std::string* out, bool* success,
                std::string* error) {
  Spawner sp;
  pid_t pid = 0;
  const int rc = Spawn(&sp, req.command, cwd, &pid);
  if (rc != 0) {
    *error = std::string(kFn) + ": " + OsErrorText(rc);
    return RunEnd::kFailed;
  }
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const Clock::duration budget = std::chrono::milliseconds(
      req.timeout_ms > 1000ull * 3600 * 24 * 365 ? 1000ull * 3600 * 24 * 365 : req.timeout_ms);
  bool reaped = false;
  bool eof = false;
  int status = 0;
  char chunk[65536];
  int idle_ms = 1;  // after EOF the exit is usually microseconds away: back off from 1 ms
  while (!(reaped && eof)) {
    if (!eof) {
      for (;;) {
        const ssize_t n = ::read(sp.pipe_fds[0], chunk, sizeof chunk);
        if (n > 0) {
          out->append(chunk, static_cast<size_t>(n));
          continue;
        }
        if (n == 0) eof = true;
        else if (errno == EINTR) continue;
        else if (errno != EAGAIN && errno != EWOULDBLOCK) eof = true;  // unreadable: nothing more
        break;
      }
    }
    if (!reaped) {
      const pid_t r = waitpid(pid, &status, WNOHANG);
      if (r == pid || (r < 0 && errno == ECHILD)) reaped = true;
    }
    if (reaped && eof) break;
    if (Clock::now() - start >= budget) {
      KillGroup(pid, reaped);
      return RunEnd::kTimedOut;
    }
    if (core != nullptr && core->ShouldStop()) {
      KillGroup(pid, reaped);
      return RunEnd::kInterrupted;
    }
    struct pollfd pfd = {sp.pipe_fds[0], POLLIN, 0};
    if (eof) {
      ::poll(&pfd, 0, idle_ms);  // just a pause before the next waitpid
      idle_ms = idle_ms * 2 < kPollMs ? idle_ms * 2 : kPollMs;
    } else {
      ::poll(&pfd, 1, kPollMs);
    }
  }
  *success = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return RunEnd::kDone;
}

}  // namespace

int IoPopen(lua_State* L) {
  Normalize(L);
  VmCore* core = VmCore::From(L);
  bool interrupted = false;
  int n;
  {
    IoOutcome out;
    PopenRequest req;
    std::string error;
    if (!ParseRequest(L, &req, &error)) {
      out.Fail(error);
    } else {
      std::unique_ptr<IoFileState> file(new IoFileState());
      bool success = false;
      switch (RunShell(req, LogicalCwd(L), core, &file->buffer, &success, &error)) {
        case RunEnd::kDone:
          file->path = "<popen:" + req.command + ">";
          file->binary = req.binary;
          file->encoding = req.encoding;
          file->has_status = true;
          file->status_success = success;
          out.AddFile(std::move(file));
          break;
        case RunEnd::kTimedOut:
          out.Fail(std::string(kFn) + " timed out after " + std::to_string(req.timeout_ms) + " ms");
          break;
        case RunEnd::kInterrupted: interrupted = true; break;
        case RunEnd::kFailed: out.Fail(error); break;
      }
    }
    n = interrupted ? 0 : PushIoOutcome(L, &out);
  }
  if (interrupted) {
    core->PushInterruptError(L);
    return lua_error(L);
  }
  return n < 0 ? lua_error(L) : n;
}

}  // namespace luaskills
