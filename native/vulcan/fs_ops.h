// The file-system work behind vulcan.fs, in plain POSIX with no Lua in sight, so every failure
// comes back as a message and the Lua side decides when to raise. Messages follow Rust's
// io::Error display, which upstream shows: "<path>: No such file or directory (os error 2)".
#pragma once

#include <sys/stat.h>

#include <functional>
#include <string>
#include <vector>

namespace luaskills {
namespace fsops {

// Checked between entries of recursive walks: true stops the walk (the VM was interrupted).
using StopCheck = std::function<bool()>;

std::string OsError(const std::string& path, int err);

bool ListDir(const std::string& dir, std::vector<std::string>* names, std::string* error);
bool ReadFile(const std::string& path, std::string* data, std::string* error);
// Truncates or creates (0666 & ~umask); never creates parents.
bool WriteFile(const std::string& path, const char* data, size_t len, std::string* error);
bool Rename(const std::string& from, const std::string& to, std::string* error);

// lstat; *exists false (and true returned) when nothing is there.
bool LStat(const std::string& path, struct stat* st, bool* exists, std::string* error);

// fs.copy: false in *copied when dst exists and !overwrite. Directories recursively (symbolic
// links inside refused), never into themselves. `prefix` is "fs.copy" for messages.
bool Copy(const std::string& src, const std::string& dst, bool overwrite, const StopCheck& stop, bool* copied,
          bool* stopped, std::string* error);
// fs.remove: *removed false when nothing is there. A symbolic link is removed, not followed.
bool Remove(const std::string& path, bool recursive, const StopCheck& stop, bool* removed, bool* stopped,
            std::string* error);
// fs.mkdir: *created false when a directory already exists; an error when something else does.
bool MakeDir(const std::string& path, bool recursive, bool* created, std::string* error);

}  // namespace fsops
}  // namespace luaskills
