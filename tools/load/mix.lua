-- wrk script: the whole mix, one endpoint after another (round-robin), each endpoint's
-- paths in turn.
package.path = package.path .. ";" .. (os.getenv("LOAD_DIR") or ".") .. "/?.lua"
local paths = require("paths")
dofile((os.getenv("LOAD_DIR") or ".") .. "/report.lua")

local flat = {}
local n = 0
function init(args)
   -- 16 rounds of the mix, so that each endpoint's paths vary too.
   for round = 1, 16 do
      for _, name in ipairs(paths.mix_order) do
         local list = paths[name]
         flat[#flat + 1] = list[(round - 1) % #list + 1]
      end
   end
   n = math.random(#flat)
end

function request()
   n = n % #flat + 1
   return wrk.format("GET", flat[n])
end
