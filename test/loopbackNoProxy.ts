/**
 * Vitest setup: the Logto provider honours HTTP(S)_PROXY / NO_PROXY as axios does, so a developer's or CI's
 * egress proxy would otherwise receive the tests' loopback traffic (and its credentials). Loopback is added
 * to NO_PROXY (both spellings, as axios and proxy-from-env read either); child processes (the engine)
 * inherit it.
 */
const loopback = ["127.0.0.1", "localhost", "::1"];
const existing = (process.env.no_proxy || process.env.NO_PROXY || "").split(/[\s,]+/).filter(Boolean);
const noProxy = [...new Set([...existing, ...loopback])].join(",");
process.env.NO_PROXY = noProxy;
process.env.no_proxy = noProxy;
