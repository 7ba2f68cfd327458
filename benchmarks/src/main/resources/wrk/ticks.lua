-- Put before every script by Wrk: counts the requests each thread sends in 100 ms buckets of the monotonic clock
-- (the system's, so a warm-up run and the measured run after it share one time line) and prints them when wrk is
-- done, after its report: "ticks-start <ms of the first request>" and a "tick <bucket> <requests>" line per bucket.
-- wrk is closed-loop, so a connection sends its next request when its answer came: requests sent per bucket are
-- answers per bucket but for the requests in flight at its edges (at most one per connection).
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } ticks_timespec;
int clock_gettime(int clock, ticks_timespec *ts);
]]
local ticks_now = ffi.new("ticks_timespec")
local ticks_threads = {}

function ticks_setup(thread)
  table.insert(ticks_threads, thread)
end

function ticks_count()
  ffi.C.clock_gettime(1, ticks_now)
  local ms = tonumber(ticks_now.tv_sec) * 1000 + math.floor(tonumber(ticks_now.tv_nsec) / 1000000)
  if ticks_first == nil then
    ticks_first = ms
    ticks = {}
  end
  local bucket = math.floor(ms / 100)
  ticks[bucket] = (ticks[bucket] or 0) + 1
end

function done(summary, latency, requests)
  local merged, start = {}, nil
  for _, thread in ipairs(ticks_threads) do
    local first = thread:get("ticks_first")
    if first ~= nil then
      if start == nil or first < start then
        start = first
      end
      for bucket, n in pairs(thread:get("ticks")) do
        merged[bucket] = (merged[bucket] or 0) + n
      end
    end
  end
  if start ~= nil then
    io.write(string.format("ticks-start %d\n", start))
    for bucket, n in pairs(merged) do
      io.write(string.format("tick %d %d\n", bucket, n))
    end
  end
end
