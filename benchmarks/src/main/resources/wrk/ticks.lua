-- Put before every script by Wrk: counts the answers each thread gets in 100 ms buckets of the monotonic clock
-- (the system's, so a warm-up run and the measured run after it share one time line) and prints them when wrk is
-- done, after its report: "ticks-start <ms of the first request>" and a "tick <bucket> <answers>" line per bucket.
-- Answers, not requests sent: at the start every connection sends one at once, which with 256 connections and slow
-- answers is seconds' worth of them. (A response function makes wrk hand each answer's headers and body to Lua: a
-- microsecond or two of wrk's time per answer, in every scenario alike.)
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

local function ticks_ms()
  ffi.C.clock_gettime(1, ticks_now)
  return tonumber(ticks_now.tv_sec) * 1000 + math.floor(tonumber(ticks_now.tv_nsec) / 1000000)
end

-- Called by the script's request function.
function ticks_sent()
  if ticks_first == nil then
    ticks_first = ticks_ms()
    ticks = {}
  end
end

function response(status, headers, body)
  local bucket = math.floor(ticks_ms() / 100)
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
