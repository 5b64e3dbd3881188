-- wrk script for signing: every request is a NEW signature (a unique email), spread
-- round-robin over the open petitions listed in the file $SLUGS, so each request takes
-- the full path (validate, rate limit, read sig/<slug>/<id>, write sig + log, read the
-- snapshot for the count). With HONEYPOT=1 the hidden `website` field is filled in: the
-- same work up to storage (parse, validate, HMACs, rate limit, the answer's count), then
-- an answer that looks recorded and nothing stored: Petitio's own compute. Capped at
-- WRK_MAX responses per thread on top of wrk's duration limit. Targets only the URL given to
-- wrk (127.0.0.1 in bench/run). Prints "Unexpected statuses: N", answers other than 201.
local max = tonumber(os.getenv("WRK_MAX") or "200000")
local slugs = {}
local n = 0
local seen = 0
local origin
local threads = 0
local all_threads = {}
-- Emails must be new in every wrk run, not only within one: rounds would otherwise sign
-- again with the first round's addresses and be answered "already signed".
local run = os.getenv("SIGN_RUN") or tostring(os.time())
-- A global, so that done() can read it from each thread.
unexpected = 0
local honeypot = os.getenv("HONEYPOT") == "1" and ',"website":"x"' or ""

function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
	all_threads[threads] = thread
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
		'{"name":"Bench %d","email":"bench-%s-%d-%d@mail.kz","region":"almaty-city","consent":true,"lang":"kk"%s}',
		n, run, tid, n, honeypot)
	return wrk.format("POST", "/api/petitions/" .. slug .. "/signatures", {
		["Content-Type"] = "application/json",
		["Accept"] = "application/json",
		["Origin"] = origin,
	}, body)
end

function response(status, headers, body)
	seen = seen + 1
	-- Every request is a new signature: anything but 201 "recorded" is a failure.
	if status ~= 201 then
		unexpected = unexpected + 1
	end
	if seen >= max then
		wrk.thread:stop()
	end
end

function done(summary, latency, requests)
	local total = 0
	for _, thread in ipairs(all_threads) do
		total = total + (thread:get("unexpected") or 0)
	end
	io.write(string.format("Unexpected statuses: %d\n", total))
end
