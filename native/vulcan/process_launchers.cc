// See process_launchers.h.
#include "process_launchers.h"

#include <sys/stat.h>

#include <cstdlib>

#include "abs_path.h"

namespace luaskills {

namespace {

constexpr Launcher kCandidates[] = {Launcher::kSh, Launcher::kBash, Launcher::kZsh, Launcher::kPwsh,
                                    Launcher::kPowershell};

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0;
}

}  // namespace

const char* LauncherId(Launcher launcher) {
  switch (launcher) {
    case Launcher::kSh: return "sh";
    case Launcher::kBash: return "bash";
    case Launcher::kZsh: return "zsh";
    case Launcher::kPwsh: return "pwsh";
    case Launcher::kPowershell: return "powershell";
  }
  return "sh";
}

bool ParseLauncherId(const std::string& normalized, Launcher* out) {
  for (Launcher candidate : kCandidates) {
    if (normalized == LauncherId(candidate)) {
      *out = candidate;
      return true;
    }
  }
  return false;
}

std::vector<Launcher> AvailableLaunchers(const std::string& base_dir) {
  std::vector<Launcher> out;
  for (Launcher candidate : kCandidates) {
    if (candidate == Launcher::kSh || !Which(LauncherId(candidate), base_dir).empty()) out.push_back(candidate);
  }
  return out;
}

std::string AvailableLauncherNames(const std::string& base_dir) {
  std::string out;
  for (Launcher launcher : AvailableLaunchers(base_dir)) {
    if (!out.empty()) out += ", ";
    out += LauncherId(launcher);
  }
  return out;
}

std::string LauncherProgram(Launcher launcher, const std::string& base_dir) {
  if (launcher == Launcher::kSh) return "sh";
  return Which(LauncherId(launcher), base_dir);
}

std::vector<std::string> LauncherArgs(Launcher launcher, const std::string& command) {
  switch (launcher) {
    case Launcher::kSh: return {"-c", command};
    case Launcher::kBash:
    case Launcher::kZsh: return {"-lc", command};
    case Launcher::kPwsh:
    case Launcher::kPowershell: return {"-NoProfile", "-Command", command};
  }
  return {"-c", command};
}

std::string SearchPath(const std::string& name, const std::string& path_value, const std::string& base_dir) {
  size_t i = 0;
  while (i <= path_value.size()) {
    size_t j = path_value.find(':', i);
    if (j == std::string::npos) j = path_value.size();
    const std::string dir = AbsolutePath(path_value.substr(i, j - i), base_dir);
    const std::string candidate = NormalizeAbsolutePath(dir + "/" + name);
    if (IsExecutableFile(candidate)) return candidate;
    i = j + 1;
  }
  return std::string();
}

std::string Which(const std::string& program, const std::string& base_dir) {
  if (program.find('/') != std::string::npos || program.find('\\') != std::string::npos) {
    const std::string path = AbsolutePath(program, base_dir);
    return IsExecutableFile(path) ? path : std::string();
  }
  const char* path_env = std::getenv("PATH");
  if (path_env == nullptr) return std::string();
  return SearchPath(program, path_env, base_dir);
}

}  // namespace luaskills
