-- wrk script: GET the paths of a file (one a line) in turn, as an OGC API client asks
-- (Accept: application/geo+json, no compression); each thread starts elsewhere in the list.
--   wrk ... -s tools/ogc_bench/ogc.lua http://127.0.0.1:PORT -- PATHS_FILE
-- At the end, one line a shell can read:
--   RESULT requests=N duration_s=S rps=R p50_ms=A p95_ms=B p99_ms=C non2xx=D socket_errors=E

local list = {}
local i = 0
function init(args)
   for line in io.lines(args[1]) do
      if #line > 0 then list[#list + 1] = line end
   end
   if #list == 0 then error("no paths in " .. tostring(args[1])) end
   i = math.random(#list)
end

local headers = { ["Accept"] = "application/geo+json", ["Accept-Encoding"] = "identity" }

function request()
   i = i % #list + 1
   return wrk.format("GET", list[i], headers)
end

function done(summary, latency, requests)
   local e = summary.errors
   local secs = summary.duration / 1e6
   io.write(string.format(
      "RESULT requests=%d duration_s=%.1f rps=%.1f p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f non2xx=%d socket_errors=%d\n",
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
      e.status, e.connect + e.read + e.write + e.timeout))
end
