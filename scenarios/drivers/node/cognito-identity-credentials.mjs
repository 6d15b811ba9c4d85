// The AWS SDK for JavaScript v2's AWS.CognitoIdentityCredentials, exactly as an app using
// Okta → Cognito tutorials does it. Without RoleArn: the enhanced flow (GetId,
// GetCredentialsForIdentity). With RoleArn: the basic flow (GetId, GetOpenIdToken, STS
// AssumeRoleWithWebIdentity), STS on the same endpoint through the shared client config.
// Input (stdin): {endpoint, region, poolId, loginsKey, token, roleArn?}
// Output (stdout): {ok: true, identityId, accessKeyId, sessionToken} | {ok: false, code, message}
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AWS = require('aws-sdk');

let input = '';
for await (const chunk of process.stdin) input += chunk;
const c = JSON.parse(input);
AWS.config.region = c.region;
const params = { IdentityPoolId: c.poolId, Logins: { [c.loginsKey]: c.token } };
if (c.roleArn) params.RoleArn = c.roleArn;
const credentials = new AWS.CognitoIdentityCredentials(params, { endpoint: c.endpoint, region: c.region });
try {
  await credentials.getPromise();
  process.stdout.write(JSON.stringify({ ok: true, identityId: credentials.identityId, accessKeyId: credentials.accessKeyId, sessionToken: credentials.sessionToken }));
} catch (e) {
  process.stdout.write(JSON.stringify({ ok: false, code: e.code, message: e.message }));
}
