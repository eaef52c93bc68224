-- wrk script: 16 pipelined GET / requests per write (wrk's pipeline example).
-- Usage: wrk -t1 -c64 -d5s -s bench/pipeline.lua http://HOST:PORT/
init = function(args)
   local depth = tonumber(args[1]) or 16
   local r = {}
   for i = 1, depth do
      r[i] = wrk.format(nil, "/")
   end
   req = table.concat(r)
end

request = function()
   return req
end
