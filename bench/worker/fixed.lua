-- wrk script for one fixed request to the URL given to wrk: a GET, or with WRK_METHOD and
-- WRK_BODY (JSON) any method with that body, as the no-op worker's POST (the KV calls of a
-- new signature) is sent with sign.lua's body and headers. Caps the number of responses per
-- thread at WRK_MAX on top of wrk's own duration limit.
local max = tonumber(os.getenv("WRK_MAX") or "200000")
local seen = 0

wrk.method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
if body then
	wrk.body = body
	wrk.headers["Content-Type"] = "application/json"
	wrk.headers["Accept"] = "application/json"
end

function response(status, headers, body)
	seen = seen + 1
	if seen >= max then
		wrk.thread:stop()
	end
end
