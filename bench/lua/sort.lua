-- table.sort of 200k pseudo-random floats. The data comes from a Park-Miller generator done in
-- float arithmetic, so every engine (including fengari's 32-bit integers) sorts the same array.
-- Generating the array is setup and is not timed.
local N = 200000
local arr

function bench_setup()
  arr = {}
  local x = 42.0
  for i = 1, N do
    x = (x * 16807.0) % 2147483647.0
    arr[i] = x / 2147483647.0
  end
  pcall(collectgarbage) -- fengari does not implement lua_gc
end

function bench_run()
  table.sort(arr)
  return #arr
end

function bench_check(result)
  if result ~= N then return false end
  for i = 2, N do
    if arr[i - 1] > arr[i] then return false end
  end
  return true
end
