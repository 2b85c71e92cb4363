// vulcan.io: open, read_text, write_text, append_text, lines, tmpfile (popen: io_popen.cc).
// Messages follow upstream's managed_io.rs. Relative paths resolve against the VM's logical cwd
// (a lease's cwd); nothing chdirs.
#include "io.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

#include "../preload.h"
#include "io_file.h"
#include "io_support.h"
#include "lua_args.h"

namespace luaskills {

namespace {

constexpr TextEncoding kDefaultEncoding = TextEncoding::kUtf8;

// Runs `fn` with an outcome and returns its values, raising its error after the outcome is gone.
template <typename Fn>
int Run(lua_State* L, Fn fn) {
  int n;
  {
    IoOutcome out;
    fn(&out);
    n = PushIoOutcome(L, &out);
  }
  return n < 0 ? lua_error(L) : n;
}

// "r", "w", "a" with any number of "b" (binary) and "+" (update) anywhere; "" and "b" read.
bool ParseOpenMode(const std::string& mode, IoModeKind* kind, bool* binary, bool* update, std::string* error) {
  *binary = mode.find('b') != std::string::npos;
  *update = mode.find('+') != std::string::npos;
  std::string rest;
  for (char c : mode) {
    if (c != 'b' && c != '+') rest += c;
  }
  if (rest == "r" || rest.empty()) *kind = IoModeKind::kRead;
  else if (rest == "w") *kind = IoModeKind::kWrite;
  else if (rest == "a") *kind = IoModeKind::kAppend;
  else {
    *error = "vulcan.io.open: unsupported mode `" + mode + "`";
    return false;
  }
  return true;
}

int Open(lua_State* L) {
  lua_settop(L, 3);
  UnwrapEncodingOption(L, 3);
  return Run(L, [L](IoOutcome* out) {
    const char* fn = "vulcan.io.open";
    std::string path;
    std::string mode = "r";
    std::string error;
    IoModeKind kind = IoModeKind::kRead;
    bool binary = false;
    bool update = false;
    TextEncoding encoding = kDefaultEncoding;
    if (!IoPathArg(L, 1, fn, "path", &path, &error) ||
        (!lua_isnil(L, 2) && !IoStringArg(L, 2, fn, "mode", false, &mode, &error)) ||
        !ParseOpenMode(mode, &kind, &binary, &update, &error) ||
        !IoEncodingArg(L, 3, fn, kDefaultEncoding, &encoding, &error)) {
      return out->Fail(error);
    }
    std::unique_ptr<IoFileState> file = OpenIoFile(ResolveAgainstCwd(L, path), kind, binary, update, encoding, &error);
    if (!file) return out->Fail(error);
    out->AddFile(std::move(file));
  });
}

int ReadText(lua_State* L) {
  lua_settop(L, 2);
  UnwrapEncodingOption(L, 2);
  return Run(L, [L](IoOutcome* out) {
    const char* fn = "vulcan.io.read_text";
    std::string path;
    std::string error;
    TextEncoding encoding = kDefaultEncoding;
    if (!IoPathArg(L, 1, fn, "path", &path, &error) || !IoEncodingArg(L, 2, fn, kDefaultEncoding, &encoding, &error)) {
      return out->Fail(error);
    }
    std::string bytes;
    if (!ReadWholeFile(ResolveAgainstCwd(L, path), &bytes, &error)) return out->Fail("read_text: " + error);
    out->AddStr(BytesToText(bytes.data(), bytes.size(), false, encoding));
  });
}

int WriteOrAppend(lua_State* L, bool append) {
  lua_settop(L, 3);
  UnwrapEncodingOption(L, 3);
  return Run(L, [L, append](IoOutcome* out) {
    const char* fn = append ? "vulcan.io.append_text" : "vulcan.io.write_text";
    std::string path;
    std::string content;
    std::string error;
    TextEncoding encoding = kDefaultEncoding;
    if (!IoPathArg(L, 1, fn, "path", &path, &error) || !IoStringArg(L, 2, fn, "content", true, &content, &error) ||
        !IoEncodingArg(L, 3, fn, kDefaultEncoding, &encoding, &error)) {
      return out->Fail(error);
    }
    std::string bytes;
    if (!EncodeText(content.data(), content.size(), encoding, &bytes, &error)) {
      return out->Fail(std::string(fn) + ": " + error);
    }
    const std::string resolved = ResolveAgainstCwd(L, path);
    const bool ok = append ? AppendToFile(resolved, bytes.data(), bytes.size(), &error)
                           : WriteWholeFile(resolved, bytes.data(), bytes.size(), &error);
    if (!ok) return out->Fail(std::string(fn) + ": " + error);
    out->AddBool(true);
  });
}

int WriteText(lua_State* L) { return WriteOrAppend(L, false); }
int AppendText(lua_State* L) { return WriteOrAppend(L, true); }

int Lines(lua_State* L) {
  lua_settop(L, 2);
  UnwrapEncodingOption(L, 2);
  const int n = Run(L, [L](IoOutcome* out) {
    const char* fn = "vulcan.io.lines";
    std::string path;
    std::string error;
    TextEncoding encoding = kDefaultEncoding;
    if (!IoPathArg(L, 1, fn, "path", &path, &error) || !IoEncodingArg(L, 2, fn, kDefaultEncoding, &encoding, &error)) {
      return out->Fail(error);
    }
    std::unique_ptr<IoFileState> file =
        OpenIoFile(ResolveAgainstCwd(L, path), IoModeKind::kRead, false, false, encoding, &error);
    if (!file) return out->Fail(error);
    out->AddFile(std::move(file));
  });
  PushLinesIterator(L);
  return n;
}

std::atomic<unsigned long long> tmpfile_counter{0};

// std::env::temp_dir(): $TMPDIR, else /tmp.
std::string TempDir() {
  const char* dir = std::getenv("TMPDIR");
  std::string out = dir != nullptr && *dir != '\0' ? dir : "/tmp";
  if (out.back() != '/') out += '/';
  return out;
}

int Tmpfile(lua_State* L) {
  return Run(L, [](IoOutcome* out) {
    const std::string dir = TempDir();
    const long long epoch_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
    for (int attempt = 0; attempt < 128; ++attempt) {
      const std::string path = dir + "luaskills_managed_tmpfile_" + std::to_string(getpid()) + "_" +
                               std::to_string(epoch_ms) + "_" + std::to_string(tmpfile_counter++) + ".tmp";
      const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd < 0 && errno == EEXIST) continue;
      if (fd < 0) return out->Fail("io.tmpfile: failed to reserve temp file: " + OsErrorText(errno));
      ::close(fd);
      std::unique_ptr<IoFileState> file(new IoFileState());
      file->path = path;
      file->kind = IoModeKind::kWrite;
      file->update = true;
      file->encoding = kDefaultEncoding;
      file->delete_on_close = true;
      return out->AddFile(std::move(file));
    }
    out->Fail("io.tmpfile: failed to reserve a unique temp file name");
  });
}

}  // namespace

int OpenIoModule(lua_State* L) {
  const luaL_Reg fns[] = {
      {"open", Open},   {"read_text", ReadText}, {"write_text", WriteText}, {"append_text", AppendText},
      {"lines", Lines}, {"popen", IoPopen},      {"tmpfile", Tmpfile},      {nullptr, nullptr},
  };
  luaL_newlib(L, fns);
  return 1;
}

void InstallIo(lua_State* L) {
  RegisterPreload(L, "luaskills.io", OpenIoModule);
  RegisterPreload(L, "luaskills.io_compat", OpenIoCompat);
}

}  // namespace luaskills
