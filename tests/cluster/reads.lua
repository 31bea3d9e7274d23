-- wrk script of tests/cluster: a mix of reads, one path after the other.
local paths = {
  "/api/layers",
  "/api/nearby?lon=106.651&lat=28.962&k=5",
  "/api/features/rail-chuanqian",
  "/api/region?lon=106.92&lat=27.72",
  "/api/search?q=%E7%B6%A6%E6%B1%9F",
  "/api/features?layers=railways&limit=20",
  "/health",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
