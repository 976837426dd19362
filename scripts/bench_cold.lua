-- wrk script for "cold" runs: every request carries a query string of its own
-- (cb=<run token>-<thread>-<counter>), so no response can come from the page cache.
-- Usage: wrk -s scripts/bench_cold.lua URL -- RUN_TOKEN

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  token = args[1] or tostring(os.time())
  counter = 0
  separator = string.find(wrk.path, "?", 1, true) and "&" or "?"
end

function request()
  counter = counter + 1
  local path = wrk.path .. separator .. "cb=" .. token .. "-" .. thread_number .. "-" .. counter
  return wrk.format(nil, path)
end
