{
  # deps/lua-settings.gypi is written by scripts/fetch-lua.mjs; it sets lua_dir.
  'includes': ['deps/lua-settings.gypi'],
  'variables': {
    # Lua's library (lua.c and luac.c, the standalone programs, are left out). Linux and macOS
    # compile it into the addon; Windows builds it as lua54.dll (target below), because a Lua C
    # module there links against lua54.lib and must find the very Lua the addon runs.
    'lua_sources': [
      '<(lua_dir)/src/lapi.c', '<(lua_dir)/src/lauxlib.c', '<(lua_dir)/src/lbaselib.c',
      '<(lua_dir)/src/lcode.c', '<(lua_dir)/src/lcorolib.c', '<(lua_dir)/src/lctype.c',
      '<(lua_dir)/src/ldblib.c', '<(lua_dir)/src/ldebug.c', '<(lua_dir)/src/ldo.c',
      '<(lua_dir)/src/ldump.c', '<(lua_dir)/src/lfunc.c', '<(lua_dir)/src/lgc.c',
      '<(lua_dir)/src/linit.c', '<(lua_dir)/src/liolib.c', '<(lua_dir)/src/llex.c',
      '<(lua_dir)/src/lmathlib.c', '<(lua_dir)/src/lmem.c', '<(lua_dir)/src/loadlib.c',
      '<(lua_dir)/src/lobject.c', '<(lua_dir)/src/lopcodes.c', '<(lua_dir)/src/loslib.c',
      '<(lua_dir)/src/lparser.c', '<(lua_dir)/src/lstate.c', '<(lua_dir)/src/lstring.c',
      '<(lua_dir)/src/lstrlib.c', '<(lua_dir)/src/ltable.c', '<(lua_dir)/src/ltablib.c',
      '<(lua_dir)/src/ltm.c', '<(lua_dir)/src/lundump.c', '<(lua_dir)/src/lutf8lib.c',
      '<(lua_dir)/src/lvm.c', '<(lua_dir)/src/lzio.c',
    ],
  },
  'targets': [
    {
      'target_name': 'luaskills',
      'sources': [
        'native/addon.cc',
        'native/chunk_cache.cc',
        'native/chunk_loader.cc',
        'native/coroutine_hooks.cc',
        'native/global_path.cc',
        'native/host_call.cc',
        'native/host_dispatch.cc',
        'native/js_to_lua.cc',
        'native/lua_to_js.cc',
        'native/lua_vm.cc',
        'native/lua_vm_async.cc',
        'native/lua_vm_methods.cc',
        'native/small_block_pool.cc',
        'native/tape_decoder.cc',
        'native/utf8.cc',
        'native/interrupt_signal.cc',
        'native/watchdog.cc',
        'native/typed_containers.cc',
        'native/safe_libraries.cc',
        'native/vm_core.cc',
        'native/vm_thread.cc',
        'native/vulcan/abs_path.cc',
        'native/vulcan/encoding.cc',
        'native/vulcan/fs.cc',
        'native/vulcan/fs_ops.cc',
        'native/vulcan/io_compat.cc',
        'native/vulcan/io_file.cc',
        'native/vulcan/io_module.cc',
        'native/vulcan/io_popen.cc',
        'native/vulcan/io_support.cc',
        'native/vulcan/json.cc',
        'native/vulcan/json_decode.cc',
        'native/vulcan/json_encode.cc',
        'native/vulcan/lua_args.cc',
        'native/vulcan/os_error.cc',
        'native/vulcan/os_info.cc',
        'native/vulcan/path.cc',
        'native/vulcan/process_exec.cc',
        'native/vulcan/process_launchers.cc',
        'native/vulcan/process_module.cc',
        'native/vulcan/process_run.cc',
        'native/vulcan/process_session.cc',
        'native/vulcan/process_session_state.cc',
        'native/vulcan/process_spawn.cc',
      ],
      'include_dirs': [
        '<!@(node -p "require(\'node-addon-api\').include")',
        '<(lua_dir)/src',
      ],
      'defines': ['NAPI_VERSION=8', 'NAPI_CPP_EXCEPTIONS', 'LUA_COMPAT_5_3'],
      # Lua is C: its errors are longjmps. Its lua_*/luaL_*/luaopen_* symbols stay visible so that
      # Lua C modules (cjson, lfs, socket) resolve them; our own C++ is hidden. (Linux: a shared
      # object exports its default-visibility symbols, and lib/native.ts loads it RTLD_GLOBAL;
      # macOS: see -export_dynamic below; Windows: lua54.dll.)
      'cflags': ['-O2'],
      # Lua's library calls its own lua_* API on every element (table.concat, string.gsub...):
      # bind those calls inside the addon (no PLT, no interposition) and free the frame
      # pointer register, as a statically linked lua5.4 does. C modules still resolve the
      # exported symbols.
      'cflags_c': ['-std=gnu99', '-O2', '-fomit-frame-pointer', '-fno-semantic-interposition',
                   '-Wno-implicit-fallthrough'],
      'cflags_cc': ['-std=c++17', '-fexceptions', '-fvisibility=hidden', '-O2'],
      'cflags_cc!': ['-fno-exceptions'],
      'conditions': [
        # First, so that the Lua files follow ours exactly as they always did (same Makefile).
        ['OS!="win"', {
          'sources': ['<@(lua_sources)'],
        }],
        ['OS=="linux"', {
          'defines': ['LUA_USE_LINUX'],
          'ldflags': ['-Wl,-Bsymbolic-functions'],
        }],
        ['OS=="mac"', {
          'defines': ['LUA_USE_MACOSX'],
          'xcode_settings': {
            'GCC_ENABLE_CPP_EXCEPTIONS': 'YES',
            'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
            'OTHER_LDFLAGS': ['-Wl,-export_dynamic'],
          },
        }],
        ['OS=="win"', {
          # lua.h then declares the Lua API __declspec(dllimport): the addon calls lua54.dll. A
          # gyp dependency on a shared_library links its import library (lua54.lib), and both
          # land in the same output folder (build/Release), so Windows finds lua54.dll next to
          # luaskills.node when Node loads it (LoadLibraryEx with the altered search path).
          'defines': ['LUA_BUILD_AS_DLL'],
          'dependencies': ['lua54'],
          'msvs_settings': { 'VCCLCompilerTool': { 'ExceptionHandling': 1 } },
        }],
      ],
    },
  ],
  'conditions': [
    ['OS=="win"', {
      'targets': [
        {
          # Lua as the DLL that LuaRocks-style C modules link against (lua54.lib). Windows binds
          # an import of "lua54.dll" to the module of that name already loaded in the process, so
          # a C module required by the addon's Lua runs on the same Lua, not a second copy.
          'target_name': 'lua54',
          'type': 'shared_library',
          # Not a Node addon: no node.exe delay-load hook (addon.gypi adds it to every target).
          'win_delay_load_hook': 'false',
          'sources': ['<@(lua_sources)'],
          'include_dirs': ['<(lua_dir)/src'],
          # LUA_BUILD_AS_DLL with Lua's own LUA_CORE/LUA_LIB: the API is __declspec(dllexport).
          'defines': ['LUA_BUILD_AS_DLL', 'LUA_COMPAT_5_3'],
          # The shared C runtime (/MD), as Lua for Windows and LuaRocks builds use: C modules pass
          # FILE* handles (io library) and memory across the DLL boundary. Node's common.gypi
          # defaults to the static runtime (/MT), so this is set per configuration.
          'configurations': {
            'Release': { 'msvs_settings': { 'VCCLCompilerTool': { 'RuntimeLibrary': 2 } } },
            'Debug': { 'msvs_settings': { 'VCCLCompilerTool': { 'RuntimeLibrary': 3 } } },
          },
        },
      ],
    }],
  ],
}
