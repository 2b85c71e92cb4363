// vulcan.os.info() → { os, arch } with Rust's std::env::consts names (what upstream reports),
// fixed when the addon is compiled.
#include "os_info.h"

#include "../preload.h"

namespace luaskills {

namespace {

constexpr const char* kOs =
#if defined(__linux__)
    "linux";
#elif defined(__APPLE__)
    "macos";
#elif defined(_WIN32)
    "windows";
#elif defined(__FreeBSD__)
    "freebsd";
#elif defined(__NetBSD__)
    "netbsd";
#elif defined(__OpenBSD__)
    "openbsd";
#else
    "unknown";
#endif

constexpr const char* kArch =
#if defined(__x86_64__) || defined(_M_X64)
    "x86_64";
#elif defined(__i386__) || defined(_M_IX86)
    "x86";
#elif defined(__aarch64__) || defined(_M_ARM64)
    "aarch64";
#elif defined(__arm__) || defined(_M_ARM)
    "arm";
#elif defined(__riscv) && __riscv_xlen == 64
    "riscv64";
#elif defined(__powerpc64__)
    "powerpc64";
#elif defined(__s390x__)
    "s390x";
#elif defined(__loongarch64)
    "loongarch64";
#elif defined(__mips64)
    "mips64";
#else
    "unknown";
#endif

int Info(lua_State* L) {
  lua_createtable(L, 0, 2);
  lua_pushstring(L, kOs);
  lua_setfield(L, -2, "os");
  lua_pushstring(L, kArch);
  lua_setfield(L, -2, "arch");
  return 1;
}

int OpenOs(lua_State* L) {
  const luaL_Reg fns[] = {{"info", Info}, {nullptr, nullptr}};
  luaL_newlib(L, fns);
  return 1;
}

}  // namespace

void InstallOs(lua_State* L) {
  RegisterPreload(L, "luaskills.os", OpenOs);
}

}  // namespace luaskills
