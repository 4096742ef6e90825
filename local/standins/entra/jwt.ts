/** The stand-in's signing key and compact RS256 JWTs made and checked with it. */
import { createHash, generateKeyPair, sign, verify, type KeyObject } from "node:crypto";
import { promisify } from "node:util";

import { isPlainObject } from "../shared/json";

export interface PublicSigningKey {
  kty: "RSA";
  use: "sig";
  kid: string;
  n: string;
  e: string;
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: PublicSigningKey;
}

export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
  const { n, e } = publicKey.export({ format: "jwk" });
  if (typeof n !== "string" || typeof e !== "string") throw new Error("RSA public key export lacks n/e");
  // RFC 7638 thumbprint as the key id: stable for the key, like Entra's opaque kids.
  const kid = createHash("sha256")
    .update(JSON.stringify({ e, kty: "RSA", n }))
    .digest("base64url");
  return { privateKey, publicKey, jwk: { kty: "RSA", use: "sig", kid, n, e } };
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

export function signJwt(key: SigningKey, claims: Record<string, unknown>): string {
  const signingInput = `${encode({ typ: "JWT", alg: "RS256", kid: key.jwk.kid })}.${encode(claims)}`;
  return `${signingInput}.${sign("sha256", Buffer.from(signingInput), key.privateKey).toString("base64url")}`;
}

export type JwtCheck =
  { ok: true; claims: Record<string, unknown> } | { ok: false; problem: "malformed" | "signature" };

/** Parses a compact JWT and checks its RS256 signature against `key`; claims are the caller's to judge. */
export function verifyJwt(key: SigningKey, token: string): JwtCheck {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, problem: "malformed" };
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
    claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  } catch {
    return { ok: false, problem: "malformed" };
  }
  if (!isPlainObject(header) || !isPlainObject(claims)) return { ok: false, problem: "malformed" };
  const signed =
    header.alg === "RS256" &&
    verify("sha256", Buffer.from(`${parts[0]}.${parts[1]}`), key.publicKey, Buffer.from(parts[2], "base64url"));
  return signed ? { ok: true, claims } : { ok: false, problem: "signature" };
}
