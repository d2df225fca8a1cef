// Signed probe for eng/servers/azurite/start.sh: proves that the account key works and that the account can list,
// create and delete containers, with hand-made SharedKey requests (no dependencies; Node.js >= 18).
// Usage: node probe.js <endpoint, e.g. http://127.0.0.1:10000/devstoreaccount1> <account> <base64 key>
"use strict";
const http = require("http");
const https = require("https");
const crypto = require("crypto");

const [endpoint, account, keyB64] = process.argv.slice(2);
const key = Buffer.from(keyB64, "base64");

function send(method, query, path = "") {
  const url = new URL(endpoint + path + (query ? "?" + query : ""));
  const headers = { "x-ms-date": new Date().toUTCString(), "x-ms-version": "2021-08-06" };
  const canonicalHeaders = Object.keys(headers).sort().map((k) => `${k}:${headers[k]}\n`).join("");
  const canonicalQuery = [...url.searchParams.keys()].sort()
    .map((k) => `\n${k.toLowerCase()}:${url.searchParams.get(k)}`).join("");
  // VERB, then 11 standard headers (all empty here), then x-ms-* headers and the resource.
  const stringToSign = method + "\n".repeat(12) + canonicalHeaders + `/${account}${url.pathname}` + canonicalQuery;
  headers.authorization = `SharedKey ${account}:` +
    crypto.createHmac("sha256", key).update(stringToSign, "utf8").digest("base64");
  headers["content-length"] = "0";
  return new Promise((resolve, reject) => {
    // Over https (start.sh with --cert) the certificate is the caller's own, often self-signed: not verified here.
    const transport = url.protocol === "https:" ? https : http;
    const request = transport.request(url, { method, headers, timeout: 30000, rejectUnauthorized: false }, (response) => {
      let body = "";
      response.on("data", (d) => (body += d));
      response.on("end", () => resolve({ status: response.statusCode, body }));
    });
    request.on("timeout", () => request.destroy(new Error(`${method} ${url} timed out`)));
    request.on("error", reject);
    request.end();
  });
}

async function expect(what, status, method, query, path) {
  const r = await send(method, query, path);
  if (r.status !== status) {
    throw new Error(`${what}: HTTP ${r.status}, expected ${status}: ${r.body.slice(0, 500)}`);
  }
}

(async () => {
  const container = `/wharf-start-probe-${process.pid}`;
  await expect("signed List Containers", 200, "GET", "comp=list");
  await expect("Create Container", 201, "PUT", "restype=container", container);
  await expect("Delete Container", 202, "DELETE", "restype=container", container);
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
