-- wrk script for GET benchmarks: plain GETs of the URL given to wrk, with a cap on the
-- number of responses per thread (WRK_MAX) on top of wrk's own duration limit.
local max = tonumber(os.getenv("WRK_MAX") or "200000")
local seen = 0

function response(status, headers, body)
	seen = seen + 1
	if seen >= max then
		wrk.thread:stop()
	end
end
