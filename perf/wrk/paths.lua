-- wrk script for "cold" runs: every request asks for the next path of a file written by
-- perf/harness.py (one path per line, already shuffled), so no two requests of a run ask for the
-- same page until the file is used up. Thread n of N takes paths n, n + N, n + 2N, ...
-- Each request also carries an X-Real-IP of its own: a cold run stands for many visitors, each
-- within the page cache's per-client storage budget (the benchmark sets CLIENT_IP_HEADER).
-- Usage: wrk -s perf/wrk/paths.lua URL -- PATHS_FILE THREADS

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local created = 0

function setup(thread)
  thread:set("thread_number", created)
  created = created + 1
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  stride = tonumber(args[2]) or 1
  index = thread_number + 1
  sent = 0
  -- wrk calls the first thread's request() once before the run, to check what it returns: that
  -- request is never sent, so it must not use up a path.
  verifying = thread_number == 0
end

function request()
  if verifying then
    verifying = false
    return wrk.format(nil, paths[index])
  end
  local path = paths[index]
  index = index + stride
  if index > #paths then
    index = (index - 1) % #paths + 1  -- used up: start again (the harness reports the repeats)
  end
  sent = sent + 1
  -- wrk.format without headers of its own sends wrk.headers: the -H headers, and this one.
  wrk.headers["X-Real-IP"] = string.format(
    "10.%d.%d.%d", thread_number % 256, math.floor(sent / 256) % 256, sent % 256)
  return wrk.format(nil, path)
end
