-- wrk script: the paths of one endpoint of the mix, in turn.
--   wrk ... -s endpoint.lua http://127.0.0.1:PORT -- ENDPOINT
package.path = package.path .. ";" .. (os.getenv("LOAD_DIR") or ".") .. "/?.lua"
local paths = require("paths")
dofile((os.getenv("LOAD_DIR") or ".") .. "/report.lua")

local list
local i = 0
function init(args)
   list = paths[args[1]]
   if list == nil then error("unknown endpoint " .. tostring(args[1])) end
   -- Threads start at different points of the list.
   i = math.random(#list)
end

function request()
   i = i % #list + 1
   return wrk.format("GET", list[i])
end
