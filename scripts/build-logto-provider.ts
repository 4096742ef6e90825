/** `npm ci` / `npm install` (prepare): installs the Logto provider package the stack's state refers to. */
import { installProviderPackage } from "../providers/logto/referencedResource";

console.log(`Logto provider installed in ${installProviderPackage()}`);
