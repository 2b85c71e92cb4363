-- Build a table of 1e6 short strings, then table.concat it.
local N = 1000000
local pool = {}
for i = 0, 999 do pool[i] = "item" .. i end

function bench_setup()
  pcall(collectgarbage) -- fengari does not implement lua_gc
end

function bench_run()
  local t = {}
  for i = 1, N do t[i] = pool[i % 1000] end
  local s = table.concat(t)
  return #s
end

function bench_check(result)
  -- 1000 copies of each piece; pieces "item0".."item999" total 6890 bytes
  return result == 6890000
end
