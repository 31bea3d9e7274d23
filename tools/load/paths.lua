-- The request paths of the load mix, by endpoint (tools/load/run.sh, soak.sh, faults.sh).
-- nearby: k = 10 at points spread over the Qijiang–Zunyi border area.
local M = {}

local points = {
   {106.65, 29.03}, {106.71, 28.74}, {106.55, 28.90}, {106.80, 29.10}, {106.45, 28.60},
   {106.92, 28.55}, {106.60, 29.30}, {106.38, 28.95}, {107.05, 28.80}, {106.70, 28.40},
   {106.52, 29.40}, {106.85, 28.95}, {106.62, 28.66}, {106.95, 29.20}, {106.30, 28.70},
   {106.75, 29.00},
}
M.nearby = {}
for i, p in ipairs(points) do
   M.nearby[i] = string.format("/api/nearby?lon=%.2f&lat=%.2f&k=10", p[1], p[2])
end
-- The Qijiang district and the border towns south of it.
M.bbox = { "/api/features?bbox=106.40,28.50,106.90,29.20" }
-- Everything within 3 km of the Sichuan–Guizhou railway (Chuanqian line).
M.corridor = { "/api/corridor?feature=rail-chuanqian&width_m=3000" }
-- 綦江, 遵义, "railway", 东溪
M.search = {
   "/api/search?q=%E7%B6%A6%E6%B1%9F", "/api/search?q=%E9%81%B5%E4%B9%89",
   "/api/search?q=railway", "/api/search?q=%E4%B8%9C%E6%BA%AA",
}
M.static = { "/style.css" }
M.health = { "/health" }
-- The floor: a fixed tiny JSON through the full middleware stack.
M.floor = { "/health/live" }

M.mix_order = { "nearby", "bbox", "corridor", "search", "static", "health" }
return M
