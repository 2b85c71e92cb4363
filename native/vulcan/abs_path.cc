#include "abs_path.h"

#include <limits.h>
#include <unistd.h>

#include <vector>

namespace luaskills {

std::string NormalizeAbsolutePath(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    const std::string part = path.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (const std::string& part : parts) out += "/" + part;
  return out.empty() ? "/" : out;
}

std::string CurrentDirectory() {
  char buf[PATH_MAX];
  return getcwd(buf, sizeof buf) != nullptr ? std::string(buf) : std::string("/");
}

std::string AbsolutePath(const std::string& path, const std::string& base_dir) {
  if (!path.empty() && path[0] == '/') return NormalizeAbsolutePath(path);
  std::string base = base_dir.empty() ? CurrentDirectory() : base_dir;
  if (base[0] != '/') base = CurrentDirectory() + "/" + base;
  return NormalizeAbsolutePath(path.empty() ? base : base + "/" + path);
}

}  // namespace luaskills
