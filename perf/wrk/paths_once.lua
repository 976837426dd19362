-- wrk script for cold runs that ask for each path once: perf/wrk/paths.lua, except that a thread
-- stops when every path of its share has been answered, and the run's duration is from the first
-- request to the last thread's last answer (wrk itself waits out -d, so its own duration would
-- count the idle end). A short file gives a short run instead of repeats.
-- Usage: wrk -s perf/wrk/paths_once.lua URL -- PATHS_FILE THREADS

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "paths.lua")

local threads = {}
local setup_paths, init_paths, request_path = setup, init, request

function setup(thread)
  setup_paths(thread)
  threads[#threads + 1] = thread
end

-- Wall-clock microseconds: wrk's Lua has no clock of its own (os.time counts seconds). Read
-- twice per thread and run, outside any request's latency.
local function now_us()
  local clock = io.popen("date +%s%6N")
  local value = clock:read("*n")
  clock:close()
  return value
end

function init(args)
  init_paths(args)
  -- This thread's paths: index, index + stride, … up to the end of the file.
  share = index <= #paths and math.floor((#paths - index) / stride) + 1 or 0
  received = 0
end

function request()
  if started_us == nil and not verifying then
    started_us = now_us()
  end
  return request_path()
end

function response(status, headers, body)
  received = received + 1
  if received == share then
    finished_us = now_us()
    wrk.thread:stop()
  end
end

done = function(summary, latency, requests)
  local first, last = nil, nil
  for _, thread in ipairs(threads) do
    local started, finished = thread:get("started_us"), thread:get("finished_us")
    if started and (first == nil or started < first) then
      first = started
    end
    if finished == nil and thread:get("share") > 0 then
      last = nil  -- this thread ran until -d: wrk's own duration is the run's
      break
    end
    if finished and (last == nil or finished > last) then
      last = finished
    end
  end
  report(summary, latency, (first and last) and (last - first) or summary.duration)
end
