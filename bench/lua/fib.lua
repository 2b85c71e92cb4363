-- fib(30), naive recursion: function-call and integer-arithmetic heavy.
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

function bench_setup()
  pcall(collectgarbage) -- fengari does not implement lua_gc
end

function bench_run()
  return fib(30)
end

function bench_check(result)
  return result == 832040
end
