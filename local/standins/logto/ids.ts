import { randomBytes, randomInt } from "node:crypto";

const lowercaseAlphanumerics = "abcdefghijklmnopqrstuvwxyz0123456789";
const alphanumerics = `${lowercaseAlphanumerics}ABCDEFGHIJKLMNOPQRSTUVWXYZ`;

function randomString(alphabet: string, length: number): string {
  let result = "";
  for (let index = 0; index < length; index += 1) result += alphabet[randomInt(alphabet.length)];
  return result;
}

// Lengths as Logto generates them (02-*: 21 characters, 07-*: 12, 04-*: 32).
export const newApplicationId = (): string => randomString(lowercaseAlphanumerics, 21);
export const newConnectorId = (): string => randomString(lowercaseAlphanumerics, 12);
// Logto's user ids (generateUserId) and the ids of other rows (generateStandardId: 21).
export const newUserId = (): string => randomString(lowercaseAlphanumerics, 12);
// Organizations: `generateStandardId(12)` (organization/index.ts `idLength: 12`).
export const newOrganizationId = (): string => randomString(lowercaseAlphanumerics, 12);
export const newRowId = (): string => randomString(lowercaseAlphanumerics, 21);
export const newSecretValue = (): string => randomString(alphanumerics, 32);
export const newAccessToken = (): string => randomBytes(32).toString("base64url");
