// Program lookup and shell launchers of vulcan.process (upstream ExecShellLauncher and
// resolve_vulcan_process_which, Unix flavour). No Lua in here.
#pragma once

#include <string>
#include <vector>

namespace luaskills {

// Unix candidate order; sh is the default and always counts as available.
enum class Launcher { kSh, kBash, kZsh, kPwsh, kPowershell };

const char* LauncherId(Launcher launcher);
// An id as Lua spells it after trim + ASCII lowercase ("cmd" is a Windows id: unknown here).
bool ParseLauncherId(const std::string& normalized, Launcher* out);
// The available launchers in candidate order (the default first). base_dir: see Which.
std::vector<Launcher> AvailableLaunchers(const std::string& base_dir);
// "sh, bash" — what the shell error messages list.
std::string AvailableLauncherNames(const std::string& base_dir);
// The program to spawn: "sh" for the default (found by the spawn's PATH search), else the
// path Which finds; empty when the launcher is not available.
std::string LauncherProgram(Launcher launcher, const std::string& base_dir);
// argv after the program: sh -c <cmd>; bash|zsh -lc <cmd>; pwsh|powershell -NoProfile -Command <cmd>.
std::vector<std::string> LauncherArgs(Launcher launcher, const std::string& command);

// The absolute (lexically normalized) path of an executable regular file, or "" if none.
// A program with a '/' or '\' is a path, resolved against base_dir when relative; anything else
// is looked up in $PATH (relative entries against base_dir). base_dir empty: the process cwd.
std::string Which(const std::string& program, const std::string& base_dir);

// PATH lookup of a bare name in `path_value` (same rules as Which).
std::string SearchPath(const std::string& name, const std::string& path_value, const std::string& base_dir);

}  // namespace luaskills
