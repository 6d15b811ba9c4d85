// The AWS SDK for JavaScript v3 as a page uses it. v3 ships no browser bundle: serve.mjs
// bundles this file with esbuild (`--bundle --platform=browser --format=iife`) when it starts.
// The provider is imported from its own package: @aws-sdk/credential-providers' browser entry
// trips some bundlers (docs/reference/browser.md §E).
import { fromCognitoIdentityPool } from "@aws-sdk/credential-provider-cognito-identity";

window.awsSdkV3 = { fromCognitoIdentityPool };
