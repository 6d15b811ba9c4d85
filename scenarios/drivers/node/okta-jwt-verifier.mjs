// Verifies tokens with @okta/jwt-verifier, Okta's own Node verifier, exactly as an app would.
// Input (stdin): [{name, issuer, kind: "access"|"id", token, audience?, clientId?, nonce?, jwksUri?}]
// Output (stdout): [{name, ok: true, claims} | {name, ok: false, error}]
import OktaJwtVerifier from '@okta/jwt-verifier';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const c of JSON.parse(input)) {
  const options = { issuer: c.issuer };
  if (c.clientId) options.clientId = c.clientId;
  if (c.jwksUri) options.jwksUri = c.jwksUri;
  // The verifier refuses http issuers unless told it is a test (docs/reference/okta.md §3.1).
  if (c.issuer.startsWith('http://')) options.testing = { disableHttpsCheck: true };
  try {
    const verifier = new OktaJwtVerifier(options);
    const jwt = c.kind === 'id'
      ? await verifier.verifyIdToken(c.token, c.clientId, c.nonce)
      : await verifier.verifyAccessToken(c.token, c.audience);
    results.push({ name: c.name, ok: true, claims: jwt.claims });
  } catch (e) {
    results.push({ name: c.name, ok: false, error: String((e && e.message) || e) });
  }
}
process.stdout.write(JSON.stringify(results));
