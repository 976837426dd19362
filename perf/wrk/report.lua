-- wrk reporter: one JSON line with the figures perf/harness.py reads.
-- Usage: wrk -s perf/wrk/report.lua URL   (perf/wrk/paths.lua includes it)
function report(summary, latency, duration_us)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, duration_us, latency:percentile(50), latency:percentile(99), latency.max,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end

done = function(summary, latency, requests)
  report(summary, latency, summary.duration)
end
