-- wrk script: POST the JSON body in BODY_FILE as a Cognito Identity call (X-Amz-Target from
-- TARGET, default GetId), counting answers that are not 200. The same script drives the axum
-- hello-world reference (which ignores the headers), so both get identical requests.
-- Usage: BODY_FILE=/tmp/getid.json TARGET=GetId wrk -t2 -c32 -d10s -s benches/wrk/post.lua http://127.0.0.1:8401/
local f = assert(io.open(os.getenv("BODY_FILE"), "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = "AWSCognitoIdentityService." .. (os.getenv("TARGET") or "GetId")

local non200 = 0
function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  io.write(string.format("non-200 answers: %d\n", non200))
end
