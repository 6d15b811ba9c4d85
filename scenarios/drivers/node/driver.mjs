// One scenario step through the AWS SDK for JavaScript, the way an application makes it.
//
// stdin: {"sdk": "v2" | "v3", "endpoint", "region", "action", "pool", "logins", "identity",
//         "custom_role_arn", "role_arn", "web_identity_token", "session_name",
//         "duration_seconds"}
// stdout: {"ok": {...}} | {"error": {"type", "message"}} | {"failed": "why"}
//
// A `credentials` step goes through the SDKs' own Cognito credential providers:
// AWS.CognitoIdentityCredentials (v2) and fromCognitoIdentityPool (v3); v2's `assume_role`
// through AWS.WebIdentityCredentials. Single calls: v2
// calls the Cognito and STS operations with makeUnauthenticatedRequest, exactly what
// AWS.CognitoIdentityCredentials and AWS.WebIdentityCredentials do; v3 sends the commands of
// @aws-sdk/client-cognito-identity and @aws-sdk/client-sts (auth scheme smithy.api#noAuth for
// these operations), and gets credentials through fromCognitoIdentity, the provider under
// fromCognitoIdentityPool. Neither needs AWS credentials; region and endpoint are set
// on the client as each SDK documents.

import { readFileSync } from "node:fs";

const req = JSON.parse(readFileSync(0, "utf8"));
const logins = Object.keys(req.logins ?? {}).length ? req.logins : undefined;
const print = (value) => process.stdout.write(JSON.stringify(value));
const defined = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));

async function v2() {
  const AWS = (await import("aws-sdk")).default;
  const opts = { region: req.region, endpoint: req.endpoint, maxRetries: 0 };
  const call = (service, op, params) =>
    new Promise((resolve, reject) =>
      service.makeUnauthenticatedRequest(op, params, (err, data) => (err ? reject(err) : resolve(data))),
    );
  const cognito = new AWS.CognitoIdentity(opts);
  switch (req.action) {
    case "get_id": {
      const out = await call(cognito, "getId", defined({ IdentityPoolId: req.pool, Logins: logins }));
      return { identity_id: out.IdentityId };
    }
    case "get_credentials": {
      const out = await call(cognito, "getCredentialsForIdentity", defined({
        IdentityId: req.identity, Logins: logins, CustomRoleArn: req.custom_role_arn,
      }));
      return {
        identity_id: out.IdentityId, access_key_id: out.Credentials?.AccessKeyId,
        secret_access_key: out.Credentials?.SecretKey, session_token: out.Credentials?.SessionToken,
      };
    }
    case "get_open_id_token": {
      const out = await call(cognito, "getOpenIdToken", defined({ IdentityId: req.identity, Logins: logins }));
      return { identity_id: out.IdentityId, token: out.Token };
    }
    case "credentials": {
      // The credential provider the Okta tutorials use: GetId, then GetCredentialsForIdentity,
      // or with a RoleArn GetOpenIdToken and STS AssumeRoleWithWebIdentity.
      const creds = new AWS.CognitoIdentityCredentials(defined({
        IdentityPoolId: req.pool, Logins: logins, RoleArn: req.role_arn, CustomRoleArn: req.custom_role_arn,
      }), opts);
      await creds.getPromise();
      return {
        identity_id: creds.identityId, access_key_id: creds.accessKeyId,
        secret_access_key: creds.secretAccessKey, session_token: creds.sessionToken,
      };
    }
    case "assume_role": {
      // AWS.WebIdentityCredentials, set as the SDK's credentials as its docs show (an unsigned
      // AWS.STS call of its own would crash on ExpiredTokenException, marking null credentials
      // expired).
      const creds = new AWS.WebIdentityCredentials(defined({
        RoleArn: req.role_arn, RoleSessionName: req.session_name, WebIdentityToken: req.web_identity_token,
        DurationSeconds: req.duration_seconds,
      }), opts);
      AWS.config.credentials = creds;
      await creds.getPromise();
      const out = creds.data;
      return {
        access_key_id: out.Credentials?.AccessKeyId, secret_access_key: out.Credentials?.SecretAccessKey,
        session_token: out.Credentials?.SessionToken, subject: out.SubjectFromWebIdentityToken,
        audience: out.Audience, provider: out.Provider,
      };
    }
  }
  throw new Error(`unknown action ${req.action}`);
}

async function v3() {
  const opts = { region: req.region, endpoint: req.endpoint, maxAttempts: 1 };
  if (req.action === "assume_role") {
    const { STSClient, AssumeRoleWithWebIdentityCommand } = await import("@aws-sdk/client-sts");
    const out = await new STSClient(opts).send(new AssumeRoleWithWebIdentityCommand(defined({
      RoleArn: req.role_arn, RoleSessionName: req.session_name, WebIdentityToken: req.web_identity_token,
        DurationSeconds: req.duration_seconds,
    })));
    return {
      access_key_id: out.Credentials?.AccessKeyId, secret_access_key: out.Credentials?.SecretAccessKey,
      session_token: out.Credentials?.SessionToken, subject: out.SubjectFromWebIdentityToken,
      audience: out.Audience, provider: out.Provider,
    };
  }
  const sdk = await import("@aws-sdk/client-cognito-identity");
  const client = new sdk.CognitoIdentityClient(opts);
  if (req.action === "credentials" && !req.role_arn) {
    const { fromCognitoIdentityPool } = await import("@aws-sdk/credential-provider-cognito-identity");
    const creds = await fromCognitoIdentityPool(defined({
      identityPoolId: req.pool, logins, customRoleArn: req.custom_role_arn, clientConfig: opts,
    }))();
    return {
      identity_id: creds.identityId, access_key_id: creds.accessKeyId,
      secret_access_key: creds.secretAccessKey, session_token: creds.sessionToken,
    };
  }
  if (req.action === "credentials") {
    // v3's provider has no basic flow; an app makes these calls itself (fromWebToken's STS call).
    const { IdentityId } = await client.send(new sdk.GetIdCommand(defined({ IdentityPoolId: req.pool, Logins: logins })));
    const { Token } = await client.send(new sdk.GetOpenIdTokenCommand(defined({ IdentityId, Logins: logins })));
    const { STSClient, AssumeRoleWithWebIdentityCommand } = await import("@aws-sdk/client-sts");
    const out = await new STSClient(opts).send(new AssumeRoleWithWebIdentityCommand({
      RoleArn: req.role_arn, RoleSessionName: req.session_name, WebIdentityToken: Token,
    }));
    return {
      identity_id: IdentityId, access_key_id: out.Credentials?.AccessKeyId,
      secret_access_key: out.Credentials?.SecretAccessKey, session_token: out.Credentials?.SessionToken,
    };
  }
  switch (req.action) {
    case "get_id": {
      const out = await client.send(new sdk.GetIdCommand(defined({ IdentityPoolId: req.pool, Logins: logins })));
      return { identity_id: out.IdentityId };
    }
    case "get_credentials": {
      // The credential provider apps use (fromCognitoIdentityPool is GetId + this one).
      const { fromCognitoIdentity } = await import("@aws-sdk/credential-provider-cognito-identity");
      const provider = fromCognitoIdentity(defined({
        identityId: req.identity, logins, customRoleArn: req.custom_role_arn, clientConfig: opts,
      }));
      const creds = await provider();
      return {
        identity_id: creds.identityId, access_key_id: creds.accessKeyId,
        secret_access_key: creds.secretAccessKey, session_token: creds.sessionToken,
      };
    }
    case "get_open_id_token": {
      const out = await client.send(new sdk.GetOpenIdTokenCommand(defined({ IdentityId: req.identity, Logins: logins })));
      return { identity_id: out.IdentityId, token: out.Token };
    }
  }
  throw new Error(`unknown action ${req.action}`);
}

try {
  print({ ok: await (req.sdk === "v2" ? v2() : v3()) });
} catch (err) {
  // An AWS answer carries its type (v2: code, v3: name) and an HTTP status; anything else is a
  // failure to make the call at all.
  const status = err.statusCode ?? err.$metadata?.httpStatusCode;
  if (status) {
    // The wire's type: v2's code; v3's name for JSON 1.1, and for the Query protocol (STS) the
    // <Code> it keeps in err.Error (its name is the model's, e.g. InvalidIdentityTokenException).
    const type = req.sdk === "v2" ? err.code : (err.Error?.Code ?? err.name);
    print({ error: { type, message: err.message } });
  } else {
    print({ failed: String(err?.stack ?? err) });
  }
}
