-- wrk script for benchmarks/load.py.
--
--   wrk -t1 -c1 -d10s -s benchmarks/wrk/report.lua http://127.0.0.1:PORT -- PATHS_FILE [MAX_REQUESTS]
--
-- Requests cycle through the paths listed in PATHS_FILE (one per line), each thread starting at a
-- different line, so a route can vary its URL (a different testimony on every request). Every
-- response that is not 2xx is counted. A thread stops after MAX_REQUESTS / threads responses, so a
-- run is bounded in count as well as in time. done() prints one line, "WRK_JSON {...}", with the
-- latency percentiles (microseconds), requests/s and the error counts.

local threads = {}
local thread_count = 0

function setup(thread)
   thread_count = thread_count + 1
   thread:set("thread_index", thread_count)
   table.insert(threads, thread)
end

paths = {}
cursor = 0
non2xx = 0
responses = 0
limit = 0

function init(args)
   local file = assert(io.open(args[1], "r"), "cannot read the paths file")
   for line in file:lines() do
      if #line > 0 then
         table.insert(paths, line)
      end
   end
   file:close()
   assert(#paths > 0, "the paths file lists no path")
   -- Spread the threads over the list; thread_index is set by setup() before init() runs.
   cursor = ((thread_index or 1) - 1) * math.floor(#paths / 8)
   local max_requests = tonumber(args[2] or "0")
   local count = tonumber(args[3] or "1")
   if max_requests > 0 then
      limit = math.ceil(max_requests / count)
   end
end

function request()
   cursor = cursor % #paths + 1
   return wrk.format("GET", paths[cursor])
end

function response(status, headers, body)
   responses = responses + 1
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   end
   if limit > 0 and responses >= limit then
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   local bad = 0
   for _, thread in ipairs(threads) do
      bad = bad + (thread:get("non2xx") or 0)
   end
   local seconds = summary.duration / 1e6
   io.write(string.format(
      'WRK_JSON {"requests": %d, "duration_s": %.3f, "bytes": %d, "requests_per_s": %.1f, ' ..
      '"latency_ms": {"min": %.2f, "mean": %.2f, "p50": %.2f, "p90": %.2f, "p95": %.2f, "p99": %.2f, ' ..
      '"max": %.2f, "stdev": %.2f}, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
      '"status": %d, "timeout": %d}, "non2xx": %d}\n',
      summary.requests, seconds, summary.bytes, summary.requests / seconds,
      latency.min / 1000, latency.mean / 1000, latency:percentile(50) / 1000,
      latency:percentile(90) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000, latency.stdev / 1000,
      summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
      summary.errors.timeout, bad))
end
