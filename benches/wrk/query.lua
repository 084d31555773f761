-- GET load for the Liyan benchmark (benches/run.sh).
--   wrk ... -s query.lua URL -- KIND FILE
-- KIND is tail|name|pinyin (FILE holds one raw query per line, URL-encoded here into
-- /api/v1/customers?limit=20&q=...), id (FILE holds customer ids: /api/v1/customers/ID),
-- overview (the same ids: /api/v1/customers/ID/overview, the 360° page),
-- or path (FILE is itself the one path to request).
-- Authorization comes from wrk's -H option. Each thread walks the list from its own offset.

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local paths = {}
local i = 0

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  local kind, file = args[1], args[2]
  if kind == "path" then
    paths[1] = file
  else
    for line in io.lines(file) do
      if line ~= "" then
        if kind == "id" then
          paths[#paths + 1] = "/api/v1/customers/" .. line
        elseif kind == "overview" then
          paths[#paths + 1] = "/api/v1/customers/" .. line .. "/overview"
        else
          paths[#paths + 1] = "/api/v1/customers?limit=20&q=" .. urlencode(line)
        end
      end
    end
  end
  i = ((tid or 1) * 7919) % #paths
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.requests / s, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
