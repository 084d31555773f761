-- Write load for the Liyan backup benchmark (benches/run.sh): creates customers with unique
-- mobiles 166NNNNNNNN, never used by the demo seed.
--   wrk ... -s post.lua URL -- FIRST THREADS
-- Thread t (1-based) posts FIRST + (t-1) + k*THREADS for k = 0, 1, 2, ...
-- Authorization comes from wrk's -H option.

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local first, step, k = 0, 1, 0

function init(args)
  first = tonumber(args[1])
  step = tonumber(args[2])
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local n = first + (tid - 1) + k * step
  k = k + 1
  local body = string.format('{"name":"压测客户","mobile":"166%08d","gender":"female","source":"walk_in"}', n)
  return wrk.format("POST", "/api/v1/customers", nil, body)
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.requests / s, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
