#include "fs_ops.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "../convert.h"
#include "abs_path.h"
#include "os_error.h"

namespace luaskills {
namespace fsops {

namespace {

struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

std::string Join(const std::string& dir, const std::string& name) {
  if (!dir.empty() && dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

bool WriteAll(int fd, const char* data, size_t len) {
  while (len > 0) {
    const ssize_t n = write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

// Children of dir without "." and "..".
bool Children(const std::string& dir, std::vector<std::string>* names, std::string* error) {
  DirPtr d(opendir(dir.c_str()));
  if (!d) {
    *error = OsError(dir, errno);
    return false;
  }
  errno = 0;
  while (dirent* e = readdir(d.get())) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    names->emplace_back(e->d_name);
  }
  if (errno != 0) {
    *error = OsError(dir, errno);
    return false;
  }
  return true;
}

bool CopyFile(const std::string& src, const std::string& dst, std::string* error) {
  Fd in(open(src.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.fd < 0) {
    *error = OsError(src, errno);
    return false;
  }
  struct stat st;
  if (fstat(in.fd, &st) != 0) {
    *error = OsError(src, errno);
    return false;
  }
  Fd out(open(dst.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777));
  if (out.fd < 0) {
    *error = OsError(dst, errno);
    return false;
  }
  std::unique_ptr<char[]> buffer(new char[128 * 1024]);
  while (true) {
    const ssize_t n = read(in.fd, buffer.get(), 128 * 1024);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = OsError(src, errno);
      return false;
    }
    if (n == 0) break;
    if (!WriteAll(out.fd, buffer.get(), static_cast<size_t>(n))) {
      *error = OsError(dst, errno);
      return false;
    }
  }
  // Like Rust's fs::copy: the copy gets the source's permission bits.
  fchmod(out.fd, st.st_mode & 07777);
  return true;
}

bool CopyTree(const std::string& src, const std::string& dst, const StopCheck& stop, bool* stopped,
              std::string* error) {
  if (mkdir(dst.c_str(), 0777) != 0 && errno != EEXIST) {
    *error = "fs.copy: " + OsError(dst, errno);
    return false;
  }
  std::vector<std::string> names;
  if (!Children(src, &names, error)) {
    *error = "fs.copy: " + *error;
    return false;
  }
  for (const std::string& name : names) {
    if (stop && stop()) {
      *stopped = true;
      return false;
    }
    const std::string from = Join(src, name);
    const std::string to = Join(dst, name);
    struct stat st;
    if (lstat(from.c_str(), &st) != 0) {
      *error = "fs.copy: " + OsError(from, errno);
      return false;
    }
    if (S_ISLNK(st.st_mode)) {
      *error = "fs.copy: symbolic-link entries are not supported inside directory trees: " + from;
      return false;
    }
    if (S_ISDIR(st.st_mode)) {
      if (!CopyTree(from, to, stop, stopped, error)) return false;
    } else if (S_ISREG(st.st_mode)) {
      if (!CopyFile(from, to, error)) {
        *error = "fs.copy: " + *error;
        return false;
      }
    } else {
      *error = "fs.copy: unsupported entry type inside directory tree: " + from;
      return false;
    }
  }
  return true;
}

bool RemoveTree(const std::string& path, const StopCheck& stop, bool* stopped, std::string* error) {
  std::vector<std::string> names;
  if (!Children(path, &names, error)) return false;
  for (const std::string& name : names) {
    if (stop && stop()) {
      *stopped = true;
      return false;
    }
    const std::string child = Join(path, name);
    struct stat st;
    if (lstat(child.c_str(), &st) != 0) {
      if (errno == ENOENT) continue;
      *error = OsError(child, errno);
      return false;
    }
    if (S_ISDIR(st.st_mode)) {
      if (!RemoveTree(child, stop, stopped, error)) return false;
    } else if (unlink(child.c_str()) != 0 && errno != ENOENT) {
      *error = OsError(child, errno);
      return false;
    }
  }
  if (rmdir(path.c_str()) != 0) {
    *error = OsError(path, errno);
    return false;
  }
  return true;
}

// Where a copy to `target` will really land once existing parent links are followed: the
// nearest existing ancestor of its parent, resolved, plus the missing names and the leaf.
bool EffectiveDestination(const std::string& target, std::string* out, std::string* error) {
  const std::string absolute = AbsolutePath(target);
  if (absolute == "/") {
    *error = "fs.copy: destination path must not be one filesystem root: " + absolute;
    return false;
  }
  std::string cursor = absolute.substr(0, absolute.rfind('/'));
  std::string suffix = absolute.substr(absolute.rfind('/'));
  if (cursor.empty()) cursor = "/";
  struct stat st;
  while (stat(cursor.c_str(), &st) != 0) {
    const size_t slash = cursor.rfind('/');
    suffix = cursor.substr(slash) + suffix;
    cursor = slash == 0 ? "/" : cursor.substr(0, slash);
  }
  char resolved[PATH_MAX];
  if (realpath(cursor.c_str(), resolved) == nullptr) {
    *error = "fs.copy: " + OsError(cursor, errno);
    return false;
  }
  std::string base = resolved;
  if (base == "/") base.clear();
  *out = base + suffix;
  return true;
}

bool StartsWithDir(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

}  // namespace

std::string OsError(const std::string& path, int err) {
  return path + ": " + OsErrorText(err);
}

bool ListDir(const std::string& dir, std::vector<std::string>* names, std::string* error) {
  if (!Children(dir, names, error)) return false;
  for (const std::string& name : *names) {
    if (ClassifyUtf8(name.data(), name.size()) == Utf8Kind::kInvalid) {
      *error = "file name is not valid UTF-8 in " + dir;
      return false;
    }
  }
  return true;
}

bool ReadFile(const std::string& path, std::string* data, std::string* error) {
  Fd in(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.fd < 0) {
    *error = OsError(path, errno);
    return false;
  }
  struct stat st;
  if (fstat(in.fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      *error = OsError(path, EISDIR);
      return false;
    }
    if (S_ISREG(st.st_mode)) data->reserve(static_cast<size_t>(st.st_size));
  }
  char buffer[64 * 1024];
  while (true) {
    const ssize_t n = read(in.fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = OsError(path, errno);
      return false;
    }
    if (n == 0) return true;
    data->append(buffer, static_cast<size_t>(n));
  }
}

bool WriteFile(const std::string& path, const char* data, size_t len, std::string* error) {
  Fd out(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
  if (out.fd < 0 || !WriteAll(out.fd, data, len)) {
    *error = OsError(path, errno);
    return false;
  }
  return true;
}

bool Rename(const std::string& from, const std::string& to, std::string* error) {
  if (rename(from.c_str(), to.c_str()) != 0) {
    *error = OsError(from, errno);
    return false;
  }
  return true;
}

bool LStat(const std::string& path, struct stat* st, bool* exists, std::string* error) {
  if (lstat(path.c_str(), st) == 0) {
    *exists = true;
    return true;
  }
  *exists = false;
  if (errno == ENOENT || errno == ENOTDIR) return true;
  *error = OsError(path, errno);
  return false;
}

bool Copy(const std::string& src, const std::string& dst, bool overwrite, const StopCheck& stop, bool* copied,
          bool* stopped, std::string* error) {
  *copied = false;
  struct stat dst_st;
  const bool dst_exists = lstat(dst.c_str(), &dst_st) == 0;  // a dangling link counts
  if (dst_exists && !overwrite) return true;
  struct stat src_st;
  if (stat(src.c_str(), &src_st) != 0) {
    *error = "fs.copy: " + OsError(src, errno);
    return false;
  }
  if (S_ISDIR(src_st.st_mode)) {
    char resolved[PATH_MAX];
    if (realpath(src.c_str(), resolved) == nullptr) {
      *error = "fs.copy: " + OsError(src, errno);
      return false;
    }
    std::string target;
    if (!EffectiveDestination(dst, &target, error)) return false;
    if (target == resolved) {
      *error = std::string("fs.copy: source and destination must differ: ") + resolved;
      return false;
    }
    if (StartsWithDir(target, resolved)) {
      *error = "fs.copy: destination directory must not be inside source directory: " + target;
      return false;
    }
  } else if (dst_exists && src_st.st_ino == dst_st.st_ino && src_st.st_dev == dst_st.st_dev) {
    *error = "fs.copy: source and destination must differ: " + src;
    return false;
  }
  // Overwrite replaces the destination, it never merges into it.
  if (dst_exists) {
    bool removed = false;
    if (!Remove(dst, true, stop, &removed, stopped, error)) {
      if (!*stopped) *error = "fs.copy: " + *error;
      return false;
    }
  }
  if (S_ISDIR(src_st.st_mode)) {
    if (!CopyTree(src, dst, stop, stopped, error)) return false;
  } else if (!CopyFile(src, dst, error)) {
    *error = "fs.copy: " + *error;
    return false;
  }
  *copied = true;
  return true;
}

bool Remove(const std::string& path, bool recursive, const StopCheck& stop, bool* removed, bool* stopped,
            std::string* error) {
  *removed = false;
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return true;
    *error = OsError(path, errno);
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    if (recursive) {
      if (!RemoveTree(path, stop, stopped, error)) return false;
    } else if (rmdir(path.c_str()) != 0) {
      *error = OsError(path, errno);
      return false;
    }
  } else if (unlink(path.c_str()) != 0) {
    *error = OsError(path, errno);
    return false;
  }
  *removed = true;
  return true;
}

bool MakeDir(const std::string& path, bool recursive, bool* created, std::string* error) {
  *created = false;
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return true;
    *error = "path exists and is not a directory: " + path;
    return false;
  }
  if (recursive) {
    // Create each missing ancestor in turn, tolerating a concurrent creator.
    for (size_t i = 1; i <= path.size(); ++i) {
      if (i != path.size() && path[i] != '/') continue;
      const std::string prefix = path.substr(0, i);
      if (mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST) {
        *error = OsError(prefix, errno);
        return false;
      }
    }
    if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      *error = "path exists and is not a directory: " + path;
      return false;
    }
  } else if (mkdir(path.c_str(), 0777) != 0) {
    *error = OsError(path, errno);
    return false;
  }
  *created = true;
  return true;
}

}  // namespace fsops
}  // namespace luaskills
