-- Uses vulcan.fs, vulcan.path, vulcan.process, vulcan.json and vulcan.config together.
local fs, path, json = vulcan.fs, vulcan.path, vulcan.json

return function(args)
  local dir = args.dir
  if type(dir) ~= "string" or not fs.is_dir(dir) then
    error("workspace-report-scan: dir must name a directory", 0)
  end
  local names = fs.list(dir)
  table.sort(names)
  local files, paths = {}, {}
  for _, name in ipairs(names) do
    local full = path.join(dir, name)
    local st = fs.stat(full)
    if st and st.is_file then
      files[#files + 1] = { name = name, bytes = st.size }
      paths[#paths + 1] = full
    end
  end

  local total = 0
  if #paths > 0 then
    -- One real process for every file: `wc -l a b c` prints "<n> <path>" per file.
    local argv = { "-l" }
    for _, p in ipairs(paths) do argv[#argv + 1] = p end
    local r = vulcan.process.exec({ program = "wc", args = argv, timeout_ms = 10000 })
    if not r.ok then error("wc failed: " .. tostring(r.error) .. " " .. r.stderr, 0) end
    local counts = {}
    for n, p in r.stdout:gmatch("%s*(%d+)%s+([^\n]+)") do counts[p] = tonumber(n) end
    for i, f in ipairs(files) do
      f.lines = counts[paths[i]] or 0
      total = total + f.lines
    end
  end

  local out = args.out or path.join(vulcan.runtime.temp_dir or "/tmp", "workspace-report.json")
  fs.mkdir(path.dirname(out), { recursive = true })
  fs.write(out, json.encode({ dir = dir, files = json.array(files), total_lines = total }))
  vulcan.config.set("last_report", out)
  vulcan.runtime.log("info", "workspace-report: " .. #files .. " files, " .. total .. " lines")
  -- Read it back from disk: what the caller gets is what was stored.
  return fs.read(out)
end
