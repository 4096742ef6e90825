/**
 * Vitest setup: loopback is added to NO_PROXY (both spellings) for the clients the tests start besides the Logto
 * provider, which goes direct to loopback by itself (test/providers/client.test.ts checks it without this):
 * the sample app's Python (requests honours only NO_PROXY), Chromium, the engine and its plugins inherit it, so
 * a developer's or CI's egress proxy does not receive the tests' loopback traffic and its credentials.
 */
const loopback = ["127.0.0.1", "localhost", "::1"];
const existing = (process.env.no_proxy || process.env.NO_PROXY || "").split(/[\s,]+/).filter(Boolean);
const noProxy = [...new Set([...existing, ...loopback])].join(",");
process.env.NO_PROXY = noProxy;
process.env.no_proxy = noProxy;
