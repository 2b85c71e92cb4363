-- Runtime-lease prelude: runs once in every lease VM before its first eval.
--
-- The seed switched the process cwd around each eval. We never chdir (it is process-wide and
-- races with every other thread); instead the lease cwd is a logical cwd that the path-taking
-- functions of the standard library apply to relative paths. Messages and chunk names keep the
-- path as the caller wrote it, so Lua code sees what it would have seen after a real chdir.
--
-- Receives one table: cwd (absolute, or nil), cwd_text, workspace_root, system_lua_lib, mounts,
-- path_prefix, cpath_prefix, windows, managed_io (install the managed io compatibility layer;
-- its io.write without an output goes to the host function __luaskills_lease_log, which this
-- prelude takes and unnames). Leaves the per-eval entry function in the global
-- __luaskills_lease_enter; the host takes a reference to it and removes the global.

local config = ...

local open, lines, input, output = io.open, io.lines, io.input, io.output
local popen, execute, remove, rename = io.popen, os.execute, os.remove, os.rename
local loadfile_raw, dofile_raw, load, loadlib = loadfile, dofile, load, package.loadlib
local globals = _ENV
local type, error, select, pcall, tostring = type, error, select, pcall, tostring
local pack, unpack = table.pack, table.unpack
local find, sub, gsub, gmatch, format = string.find, string.sub, string.gsub, string.gmatch, string.format

if config.path_prefix ~= '' then package.path = config.path_prefix .. package.path end
if config.cpath_prefix ~= '' then package.cpath = config.cpath_prefix .. package.cpath end

local cwd = config.cwd
-- The vulcan natives (fs, io, process) resolve relative paths against the same logical cwd.
require('luaskills.cwd').set(cwd)
local dirsep = config.windows and '\\' or '/'

local lease = {
  cwd = config.cwd_text,
  workspace_root = config.workspace_root,
  system_lua_lib = config.system_lua_lib,
  mounts = config.mounts,
}

local function is_absolute(path)
  if config.windows then
    -- `C:x` (drive-relative) is left alone: it names another drive's cwd, not the lease's.
    return find(path, '^[\\/]') ~= nil or find(path, '^%a:') ~= nil
  end
  return sub(path, 1, 1) == '/'
end

-- The path Lua should open for `path`; anything that is not a relative path passes unchanged.
local function resolve(path)
  if cwd == nil or type(path) ~= 'string' or path == '' or is_absolute(path) then return path end
  return cwd .. dirsep .. path
end
lease.resolve = resolve

-- Puts the caller's spelling of a path back into a message that names the resolved one.
local function unresolve(message, resolved, path)
  if type(message) ~= 'string' or resolved == path then return message end
  local at = find(message, resolved, 1, true)
  if at == nil then return message end
  return sub(message, 1, at - 1) .. path .. sub(message, at + #resolved)
end

-- Returns `...` with its second value (an error message) given the caller's path back.
local function fix_result(resolved, path, ...)
  if (...) then return ... end
  local n = select('#', ...)
  local r = pack(...)
  r[2] = unresolve(r[2], resolved, path)
  return unpack(r, 1, n)
end

-- Calls `f(resolved, ...)`, re-raising a failure with the caller's path in the message.
local function call_resolved(f, path, ...)
  local resolved = resolve(path)
  if resolved == path then return f(path, ...) end
  local r = pack(pcall(f, resolved, ...))
  if not r[1] then error(unresolve(r[2], resolved, path), 0) end
  return unpack(r, 2, r.n)
end

-- luaL_loadfilex in Lua: reads the resolved file but names the chunk `@<path as written>`.
local function lease_loadfile(path, mode, ...)
  local has_env = select('#', ...) > 0
  local env = ...
  local resolved = resolve(path)
  if resolved == path then
    if has_env then return loadfile_raw(path, mode, env) end
    return loadfile_raw(path, mode)
  end
  local f, message = open(resolved, 'rb')
  if f == nil then
    local reason = sub(message, #resolved + 3)
    return nil, format('cannot open %s: %s', path, reason)
  end
  local text, read_error = f:read('a')
  f:close()
  if text == nil then return nil, format('cannot read %s: %s', path, tostring(read_error)) end
  -- As luaL_loadfilex: skip a UTF-8 BOM and a first `#` line (keeping its newline for line numbers).
  text = gsub(text, '^\239\187\191', '', 1)
  if sub(text, 1, 1) == '#' then text = gsub(text, '^[^\n]*', '', 1) end
  if has_env then return load(text, '@' .. path, mode, env) end
  return load(text, '@' .. path, mode)
end

-- package.searchpath against the lease cwd; the found name is returned as the template made it.
local function searchpath(name, path, sep, rep)
  sep = sep or '.'
  rep = rep or dirsep
  if sep ~= '' then name = gsub(name, gsub(sep, '%p', '%%%0'), (gsub(rep, '%%', '%%%%'))) end
  local filled = gsub(path, '%?', (gsub(name, '%%', '%%%%')))
  for candidate in gmatch(filled, '[^;]+') do
    local f = open(resolve(candidate), 'r')
    if f then
      f:close()
      return candidate
    end
  end
  return nil, "no file '" .. gsub(filled, ';', "'\n\tno file '") .. "'"
end

local function find_file(name, which)
  local path = package[which]
  if type(path) ~= 'string' then error(format("'package.%s' must be a string", which), 0) end
  return searchpath(name, path, '.', dirsep)
end

local function load_error(name, filename, message)
  error(format("error loading module '%s' from file '%s':\n\t%s", name, filename, message), 0)
end

local function searcher_lua(name)
  local filename, message = find_file(name, 'path')
  if filename == nil then return message end
  local chunk, err = lease_loadfile(filename)
  if chunk == nil then load_error(name, filename, err) end
  return chunk, filename
end

-- loadfunc of loadlib.c: `a.b-c` opens luaopen_a_b, then the part after the first `-`.
local function load_c(filename, modname)
  modname = gsub(modname, '%.', '_')
  local mark = find(modname, '-', 1, true)
  if mark then
    local f, message, where = loadlib(resolve(filename), 'luaopen_' .. sub(modname, 1, mark - 1))
    if f or where ~= 'init' then return f, message, where end
    modname = sub(modname, mark + 1)
  end
  return loadlib(resolve(filename), 'luaopen_' .. modname)
end

local function searcher_c(name)
  local filename, message = find_file(name, 'cpath')
  if filename == nil then return message end
  local f, err = load_c(filename, name)
  if f == nil then load_error(name, filename, unresolve(err, resolve(filename), filename)) end
  return f, filename
end

local function searcher_croot(name)
  local dot = find(name, '.', 1, true)
  if dot == nil then return nil end
  local filename, message = find_file(sub(name, 1, dot - 1), 'cpath')
  if filename == nil then return message end
  local f, err, where = load_c(filename, name)
  if f == nil then
    if where ~= 'init' then load_error(name, filename, unresolve(err, resolve(filename), filename)) end
    return format("no module '%s' in file '%s'", name, filename)
  end
  return f, filename
end

-- Shell commands start in the lease cwd; `|| exit` keeps a failed cd from running elsewhere.
local function in_cwd(command)
  if type(command) ~= 'string' then return command end
  if config.windows then return format('cd /d "%s" && %s', cwd, command) end
  return "cd -- '" .. gsub(cwd, "'", "'\\''") .. "' || exit 1\n" .. command
end

if cwd ~= nil then
  io.open = function(path, ...)
    local resolved = resolve(path)
    return fix_result(resolved, path, open(resolved, ...))
  end
  io.lines = function(path, ...)
    if path == nil then return lines(path, ...) end
    return call_resolved(lines, path, ...)
  end
  io.input = function(file)
    if type(file) ~= 'string' then return input(file) end
    return call_resolved(input, file)
  end
  io.output = function(file)
    if type(file) ~= 'string' then return output(file) end
    return call_resolved(output, file)
  end
  loadfile = lease_loadfile
  dofile = function(path)
    if path == nil then return dofile_raw() end
    local chunk, message = lease_loadfile(path)
    if chunk == nil then error(message, 0) end
    return chunk()
  end
  os.remove = function(path)
    local resolved = resolve(path)
    return fix_result(resolved, path, remove(resolved))
  end
  os.rename = function(from, to)
    local resolved = resolve(from)
    return fix_result(resolved, from, rename(resolved, resolve(to)))
  end
  os.execute = function(command)
    if command == nil then return execute() end
    return execute(in_cwd(command))
  end
  io.popen = function(command, ...)
    return popen(in_cwd(command), ...)
  end
  package.searchpath = searchpath
  package.searchers[2] = searcher_lua
  package.searchers[3] = searcher_c
  package.searchers[4] = searcher_croot
end

-- Upstream's managed io compatibility layer (capabilities.enable_managed_io_compat). It replaces
-- the global io last, so the wrappers above keep the native io functions they captured; the
-- managed functions resolve relative paths against the logical cwd themselves.
local lease_log = rawget(globals, '__luaskills_lease_log')
globals.__luaskills_lease_log = nil
if config.managed_io then require('luaskills.io_compat')({ log = lease_log }) end

package.loaded['luaskills.lease'] = lease

-- A stand-in until the skills engine installs the real dispatcher: this engine has no skills.
local function call_stub(name, args)
  if type(name) ~= 'string' or name == '' then error('call: name must be a non-empty string', 2) end
  if type(args) ~= 'table' then error(format('call: args must be a table, got %s', type(args)), 2) end
  error(format("Skill '%s' not found", name), 2)
end

local function table_field(t, key)
  local v = rawget(t, key)
  if type(v) ~= 'table' then
    v = {}
    rawset(t, key, v)
  end
  return v
end

-- Runs before every eval: the request scope of the seed's reset, then this eval's context.
function __luaskills_lease_enter(ctx)
  local vulcan = table_field(globals, 'vulcan')
  if rawget(vulcan, 'call') == nil then vulcan.call = call_stub end
  if rawget(vulcan, 'json') == nil then vulcan.json = require('luaskills.json') end
  if rawget(vulcan, 'path') == nil then vulcan.path = require('luaskills.path') end
  if rawget(vulcan, 'fs') == nil then vulcan.fs = require('luaskills.fs') end
  if rawget(vulcan, 'io') == nil then vulcan.io = require('luaskills.io') end
  if rawget(vulcan, 'process') == nil then vulcan.process = require('luaskills.process') end
  if rawget(vulcan, 'os') == nil then vulcan.os = require('luaskills.os') end
  local context = table_field(vulcan, 'context')
  context.request = ctx.request
  context.client_info = ctx.client_info
  context.client_capabilities = ctx.client_capabilities
  context.client_budget = ctx.client_budget
  context.tool_config = ctx.tool_config
  context.host_result = ctx.host_result
  context.skill_dir, context.entry_dir, context.entry_file = nil, nil, nil
  local runtime = table_field(vulcan, 'runtime')
  runtime.internal = { luaexec_active = true }
  runtime.workspace_root = lease.workspace_root
  runtime.mounts = lease.mounts
  local deps = table_field(vulcan, 'deps')
  deps.tools_path, deps.lua_path, deps.ffi_path = nil, nil, nil
  __runlua_args = nil
end
