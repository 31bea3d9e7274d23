-- wrk script: GET the paths of a file (one a line) in turn; each thread starts elsewhere.
--   wrk ... -s tools/tiles_bench/tiles.lua http://127.0.0.1:PORT -- PATHS_FILE
dofile((os.getenv("LOAD_DIR") or ".") .. "/report.lua")

local list = {}
local i = 0
function init(args)
   for line in io.lines(args[1]) do
      if #line > 0 then list[#list + 1] = line end
   end
   if #list == 0 then error("no paths in " .. tostring(args[1])) end
   i = math.random(#list)
end

-- As a map client asks: MapLibre, browsers, QGIS and GDAL all take gzip (the server caches tiles
-- gzipped and sends them so; a client that does not take gzip gets them unpacked per request).
local headers = { ["Accept-Encoding"] = "gzip" }

function request()
   i = i % #list + 1
   return wrk.format("GET", list[i], headers)
end
