-- wrk script: GetId against a running `fedmock up`, one valid token, every request verified.
-- Usage: BODY_FILE=/tmp/getid.json wrk -t2 -c32 -d10s -s benches/wrk/getid.lua http://127.0.0.1:8401/
local f = assert(io.open(os.getenv("BODY_FILE"), "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = "AWSCognitoIdentityService.GetId"

local non200 = 0
function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  io.write(string.format("non-200 answers: %d\n", non200))
end
