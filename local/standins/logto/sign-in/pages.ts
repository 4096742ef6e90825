/**
 * The stand-in's sign-in experience pages: a plain-HTML version of the screens of Logto's experience app
 * that enterprise SSO goes through (the single sign-on email form, the connector list, the error page), with
 * its texts (packages/phrases-experience/src/locales/en).
 */
import type { Reply } from "../../shared/exchange";
import { escapeHtml, hiddenInputs, htmlPage } from "../../shared/html";
import type { SsoConnectorRow } from "../state";
import type { RequestError } from "./errors";

/**
 * The single sign-on email form. `problem`: what is wrong with the email typed (the form's own error);
 * `toast`: the message of a step that failed after the form (the experience app's toast).
 */
export function emailPage(options: {
  appName: string;
  email?: string;
  problem?: string;
  toast?: string;
  status?: number;
}): Reply {
  const problem = options.problem === undefined ? "" : `<p id="error" role="alert">${escapeHtml(options.problem)}</p>`;
  const toast = options.toast === undefined ? "" : `<p id="toast" role="status">${escapeHtml(options.toast)}</p>\n`;
  const body = `${toast}<p>Sign in to <strong>${escapeHtml(options.appName)}</strong> with Single Sign-On.</p>
<p>Enter your enterprise email address</p>
${problem}
<form method="post" action="/sign-in">
<label>Email <input id="identifier" type="email" name="email" value="${escapeHtml(options.email ?? "")}" autocomplete="email"></label>
<button id="submit" type="submit">Single Sign-On</button>
</form>`;
  return htmlPage(options.status ?? 200, "Single Sign-On", body);
}

/** More than one connector covers the domain: the user picks one (the experience's connector list). */
export function connectorListPage(email: string, connectors: readonly SsoConnectorRow[]): Reply {
  const buttons = connectors
    .map((connector) => {
      const label = connector.branding.displayName ?? connector.connectorName;
      return `<form method="post" action="/sign-in/sso/${escapeHtml(connector.id)}">${hiddenInputs({ email })}<button type="submit">${escapeHtml(label)}</button></form>`;
    })
    .join("\n");
  const description = `Your enterprise has enabled Single Sign-On for the email account ${email}. You can continue to sign in with the following SSO providers.`;
  return htmlPage(200, "Single Sign-On", `<p>${escapeHtml(description)}</p>\n${buttons}`);
}

/** A failure with no sign-in to go back to (the interaction is gone): the error's message only, as the experience shows it. */
export function errorPage(error: RequestError): Reply {
  return htmlPage(error.status, "Something went wrong", `<p id="error-message">${escapeHtml(error.message)}</p>`);
}
