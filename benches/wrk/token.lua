-- wrk script: client_credentials tokens from a running `fedmock up` (default world).
-- Usage: wrk -t2 -c32 -d10s -s benches/wrk/token.lua http://127.0.0.1:8400/oauth2/default/v1/token
wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=fedmock.read"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
-- 0oafedmock0client0001:fedmock-client-secret-0123456789abcdefghij
wrk.headers["Authorization"] = "Basic MG9hZmVkbW9jazBjbGllbnQwMDAxOmZlZG1vY2stY2xpZW50LXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVmZ2hpag=="

local non200 = 0
function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  io.write(string.format("non-200 answers: %d\n", non200))
end
