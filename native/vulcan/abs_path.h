// Absolute paths without the file system: fold ".", ".." and repeated slashes lexically, and
// anchor a relative path at a base directory (the process cwd when none is given).
#pragma once

#include <string>

namespace luaskills {

std::string NormalizeAbsolutePath(const std::string& path);
// The process working directory, or "/" when it cannot be read.
std::string CurrentDirectory();
// `path` when absolute, else base_dir/path (base_dir itself anchored at the cwd); normalized.
std::string AbsolutePath(const std::string& path, const std::string& base_dir = std::string());

}  // namespace luaskills
