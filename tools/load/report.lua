-- Shared by the wrk scripts of tools/load: at the end of a run, one line a shell can read
--   RESULT requests=N duration_s=S rps=R p50_ms=A p99_ms=B non2xx=C socket_errors=D
-- wrk counts every status >= 400 in errors.status; a 3xx would slip by, which none of our
-- endpoints answers, so a 2xx count is requests - status errors.
function done(summary, latency, requests)
   local e = summary.errors
   local secs = summary.duration / 1e6
   io.write(string.format(
      "RESULT requests=%d duration_s=%.1f rps=%.1f p50_ms=%.3f p99_ms=%.3f non2xx=%d socket_errors=%d\n",
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      e.status, e.connect + e.read + e.write + e.timeout))
end
