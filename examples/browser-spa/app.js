// fedmock's browser example: the code a single-page app runs to sign in with Okta and trade
// the Okta token for AWS credentials from Cognito Identity, unchanged from what it would run
// against the real services. Only window.FEDMOCK (config.js) says where they are.
/* global OktaAuth, AWS */
"use strict";

const cfg = window.FEDMOCK;
const $ = (id) => document.getElementById(id);

const authClient = new OktaAuth({
  issuer: cfg.issuer,
  clientId: cfg.clientId,
  redirectUri: window.location.origin + "/",
  scopes: ["openid", "email", "profile"],
  pkce: true,
});

// The Logins key: the provider's name, the issuer without its scheme (Cognito's rule).
const providerName = cfg.issuer.replace(/^https?:\/\//, "");

function show(id, state, text) {
  const out = $(id);
  out.dataset.state = state;
  out.textContent = text;
}

// An SDK error as the page shows it: AWS's error type and message.
function refusal(type, message) {
  return `${type}: ${message}`;
}

async function showSignedIn() {
  const { idToken, accessToken } = await authClient.tokenManager.getTokens();
  if (!idToken || !accessToken) {
    show("user", "", "Not signed in.");
    return;
  }
  // okta-auth-js v8 decodes access tokens only with `decodeAccessTokens`: decode it here.
  const access = authClient.token.decode(accessToken.accessToken).payload;
  show("user", "ok", `${idToken.claims.email} (sub ${idToken.claims.sub})\n` +
    `ID token aud: ${idToken.claims.aud}\naccess token aud: ${access.aud}`);
}

async function showSession() {
  try {
    const session = await authClient.session.get();
    show("session", "ok", `${session.status}${session.login ? " (" + session.login + ")" : ""}`);
  } catch (e) {
    show("session", "error", String(e));
  }
}

async function signedIn(tokens) {
  authClient.tokenManager.setTokens(tokens);
  await showSignedIn();
  await showSession();
}

// Flow 1: the hosted sign-in page (token.getWithRedirect, then parseFromUrl on the way back).
$("sign-in-redirect").addEventListener("click", () => {
  authClient.token.getWithRedirect({ responseType: "code" }).catch((e) => show("user", "error", String(e)));
});

// Flow 2: Okta's Authentication API (POST /api/v1/authn), then the hidden iframe
// (token.getWithoutPrompt with the session token, response_mode=okta_post_message).
$("sign-in-password").addEventListener("submit", async (event) => {
  event.preventDefault();
  show("user", "", "Signing in…");
  try {
    const transaction = await authClient.signInWithCredentials({
      username: $("username").value,
      password: $("password").value,
    });
    if (transaction.status !== "SUCCESS") {
      show("user", "error", `Okta answered ${transaction.status}`);
      return;
    }
    const { tokens } = await authClient.token.getWithoutPrompt({ sessionToken: transaction.sessionToken });
    await signedIn(tokens);
  } catch (e) {
    // An AuthApiError carries Okta's errorCode and errorSummary.
    show("user", "error", e.errorCode ? `${e.errorCode}: ${e.errorSummary}` : String(e));
  }
});

$("sign-out").addEventListener("click", async () => {
  authClient.tokenManager.clear();
  await authClient.closeSession().catch(() => false);
  for (const id of ["user", "session", "v2", "v3"]) show(id, "", "");
  await showSignedIn();
  await showSession();
});

async function oktaToken() {
  const kind = document.querySelector('input[name="token"]:checked').value;
  const tokens = await authClient.tokenManager.getTokens();
  const token = kind === "id" ? tokens.idToken?.idToken : tokens.accessToken?.accessToken;
  if (!token) throw new Error("Sign in first.");
  return token;
}

// SDK v2, as the Okta → Cognito tutorials write it.
function credentialsV2(token) {
  AWS.config.region = cfg.region;
  const credentials = new AWS.CognitoIdentityCredentials(
    { IdentityPoolId: cfg.identityPoolId, Logins: { [providerName]: token } },
    { endpoint: cfg.cognitoEndpoint, region: cfg.region },
  );
  return new Promise((resolve) => {
    credentials.get((err) => {
      if (err) {
        show("v2", "error", refusal(err.code, err.message));
      } else {
        show("v2", "ok", `IdentityId: ${credentials.identityId}\nAccessKeyId: ${credentials.accessKeyId}`);
      }
      resolve();
    });
  });
}

// SDK v3's provider.
async function credentialsV3(token) {
  try {
    const provider = window.awsSdkV3.fromCognitoIdentityPool({
      identityPoolId: cfg.identityPoolId,
      logins: { [providerName]: token },
      clientConfig: { region: cfg.region, endpoint: cfg.cognitoEndpoint },
    });
    const credentials = await provider();
    show("v3", "ok", `IdentityId: ${credentials.identityId}\nAccessKeyId: ${credentials.accessKeyId}`);
  } catch (e) {
    show("v3", "error", refusal(e.name, e.message));
  }
}

$("credentials").addEventListener("click", async () => {
  show("v2", "", "…");
  show("v3", "", "…");
  let token;
  try {
    token = await oktaToken();
  } catch (e) {
    show("v2", "error", e.message);
    show("v3", "error", e.message);
    return;
  }
  await Promise.all([credentialsV2(token), credentialsV3(token)]);
});

(async () => {
  if (authClient.isLoginRedirect()) {
    try {
      const { tokens } = await authClient.token.parseFromUrl();
      window.history.replaceState(null, "", "/");
      await signedIn(tokens);
    } catch (e) {
      show("user", "error", String(e));
    }
    return;
  }
  await showSignedIn();
  await showSession();
})();
