import { randomInt, randomUUID } from "node:crypto";

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isGuid = (value: string): boolean => guidPattern.test(value);

/** Object ids, app (client) ids and key ids are random GUIDs in Entra. */
export const newGuid = (): string => randomUUID();

const secretHead = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_~.";
const secretTail = `${secretHead}-`;

function randomFrom(alphabet: string, length: number): string {
  let result = "";
  for (let index = 0; index < length; index += 1) result += alphabet[randomInt(alphabet.length)];
  return result;
}

/**
 * A client secret shaped like Entra's: 40 characters, three random, a digit, "Q~", 34 random (the shape
 * secret scanners such as gitleaks' `azure-ad-client-secret` rule look for). Its `hint` is the first three.
 */
export function newClientSecret(): string {
  return `${randomFrom(secretHead, 3)}${randomInt(10)}Q~${randomFrom(secretTail, 34)}`;
}

/** A GUID's 16 bytes in .NET `Guid.ToByteArray()` order: the first three groups little-endian. */
function guidBytes(guid: string): Buffer {
  const hex = guid.replace(/-/g, "");
  const bytes = Buffer.from(hex, "hex");
  return Buffer.concat([
    bytes.subarray(0, 4).reverse(),
    bytes.subarray(4, 6).reverse(),
    bytes.subarray(6, 8).reverse(),
    bytes.subarray(8),
  ]);
}

/**
 * Graph's oauth2PermissionGrant id: base64url of the client's, the resource's (and, for a `Principal` grant,
 * the user's) GUID bytes. So one grant exists per client + resource (+ user), and a second POST is a 409.
 */
export function permissionGrantId(clientId: string, resourceId: string, principalId: string | null): string {
  const parts = [clientId, resourceId, ...(principalId === null ? [] : [principalId])].map(guidBytes);
  return Buffer.concat(parts).toString("base64url");
}
