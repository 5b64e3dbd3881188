-- wrk script for signing: every request is a NEW signature (a unique email), spread
-- round-robin over the open petitions listed in the file $SLUGS, so each request takes
-- the full path (validate, rate limit, read sig/<slug>/<id>, write sig + log, read the
-- snapshot for the count). Capped at WRK_MAX responses per thread on top of wrk's
-- duration limit. Targets only the URL given to wrk (127.0.0.1 in bench/run).
local max = tonumber(os.getenv("WRK_MAX") or "200000")
local slugs = {}
local n = 0
local seen = 0
local origin
local threads = 0

function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
end

function init(args)
	for line in io.lines(os.getenv("SLUGS")) do
		if #line > 0 then
			slugs[#slugs + 1] = line
		end
	end
	origin = string.format("http://%s:%s", wrk.host, wrk.port)
end

function request()
	n = n + 1
	local slug = slugs[(n % #slugs) + 1]
	local body = string.format(
		'{"name":"Bench %d","email":"bench-%d-%d@mail.kz","region":"almaty-city","consent":true,"lang":"kk"}',
		n, tid, n)
	return wrk.format("POST", "/api/petitions/" .. slug .. "/signatures", {
		["Content-Type"] = "application/json",
		["Accept"] = "application/json",
		["Origin"] = origin,
	}, body)
end

function response(status, headers, body)
	seen = seen + 1
	if seen >= max then
		wrk.thread:stop()
	end
end
