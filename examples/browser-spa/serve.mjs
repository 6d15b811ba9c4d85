#!/usr/bin/env node
// Serves the browser example on its own origin: index.html and app.js from this folder,
// config.js written from the flags below, and the clients from scenarios/drivers/node
// (`npm ci` there first): okta-auth-js's and SDK v2's browser builds as published, and SDK v3
// bundled from v3.js with esbuild now (nothing a build makes is committed).
//
//   node examples/browser-spa/serve.mjs [--host 127.0.0.1] [--port 8080]
//     [--issuer http://127.0.0.1:8400/oauth2/default] [--client-id 0oafedmock0spa000001]
//     [--cognito http://127.0.0.1:8401] [--region us-east-1] [--pool us-east-1:4b9a…0001]
//
// The defaults fit `fedmock up --config examples/browser-spa/world.toml`. When it listens it
// prints `serving http://HOST:PORT/` on stdout (the Chromium test waits for that line).
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const nodeModules = join(here, "../../scenarios/drivers/node/node_modules");

const { values: flags } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "8080" },
    issuer: { type: "string", default: "http://127.0.0.1:8400/oauth2/default" },
    "client-id": { type: "string", default: "0oafedmock0spa000001" },
    cognito: { type: "string", default: "http://127.0.0.1:8401" },
    region: { type: "string", default: "us-east-1" },
    pool: { type: "string", default: "us-east-1:4b9a3c52-6f1e-4d8a-9c27-0fed0c000001" },
  },
});

let esbuild;
try {
  esbuild = (await import(join(nodeModules, "esbuild/lib/main.js"))).default;
} catch {
  console.error(`The example's clients are missing: cd ${join(here, "../../scenarios/drivers/node")} && npm ci`);
  process.exit(1);
}
const v3 = await esbuild.build({
  entryPoints: [join(here, "v3.js")],
  bundle: true,
  platform: "browser",
  format: "iife",
  minify: true,
  write: false,
  nodePaths: [nodeModules],
  logLevel: "error",
});

const config = {
  issuer: flags.issuer,
  clientId: flags["client-id"],
  cognitoEndpoint: flags.cognito,
  region: flags.region,
  identityPoolId: flags.pool,
};
const js = "text/javascript; charset=utf-8";
const files = {
  "/": ["text/html; charset=utf-8", readFileSync(join(here, "index.html"))],
  "/app.js": [js, readFileSync(join(here, "app.js"))],
  "/config.js": [js, `window.FEDMOCK = ${JSON.stringify(config, null, 2)};\n`],
  "/vendor/okta-auth-js.min.js": [js, readFileSync(join(nodeModules, "@okta/okta-auth-js/dist/okta-auth-js.min.js"))],
  "/vendor/aws-sdk.min.js": [js, readFileSync(join(nodeModules, "aws-sdk/dist/aws-sdk.min.js"))],
  "/vendor/aws-sdk-v3.js": [js, v3.outputFiles[0].contents],
};

const server = createServer((request, response) => {
  const path = new URL(request.url, "http://page").pathname;
  const file = files[path];
  if (request.method !== "GET" || !file) {
    response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    return;
  }
  response.writeHead(200, { "content-type": file[0], "cache-control": "no-store" }).end(file[1]);
});
server.listen(Number(flags.port), flags.host, () => {
  const { port } = server.address();
  console.log(`serving http://${flags.host}:${port}/`);
});
