/**
 * The pages Entra shows a browser: its sign-in form and its error page. The inputs keep the names and ids of
 * Entra's own sign-in page (`loginfmt` #i0116, `passwd` #i0118, #idSIButton9), so a browser script reads alike.
 */
import type { Reply } from "../shared/exchange";
import { escapeHtml, hiddenInputs, htmlPage } from "../shared/html";
import type { LoginError, RequestIds } from "./errors";

/** Entra's error page: what a user sees when the request cannot go back to the app (untrusted redirect URI, unknown app). */
export function errorPage(error: LoginError, ids: RequestIds, now = new Date()): Reply {
  const timestamp = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const body = `<p>Sorry, but we’re having trouble signing you in.</p>
<p id="error-message">${escapeHtml(error.message)}</p>
<h2>Troubleshooting details</h2>
<dl><dt>Request Id</dt><dd>${ids.requestId}</dd><dt>Correlation Id</dt><dd>${ids.clientRequestId}</dd><dt>Timestamp</dt><dd>${timestamp}</dd></dl>`;
  return htmlPage(error.status, "Sign in", body, { "x-ms-request-id": ids.requestId });
}

export interface SignInForm {
  action: string;
  flow: string;
  appName: string;
  loginHint?: string;
  /** A failed attempt's message (wrong password, unknown account). */
  problem?: string;
}

export function signInPage(form: SignInForm): Reply {
  const problem =
    form.problem === undefined ? "" : `<p id="usernameError" role="alert">${escapeHtml(form.problem)}</p>`;
  const body = `<p>to continue to <strong>${escapeHtml(form.appName)}</strong></p>
${problem}
<form method="post" action="${escapeHtml(form.action)}">
${hiddenInputs({ flow: form.flow })}
<label>Email, phone, or Skype <input id="i0116" type="email" name="loginfmt" value="${escapeHtml(form.loginHint ?? "")}" autocomplete="username"></label>
<label>Password <input id="i0118" type="password" name="passwd" autocomplete="current-password"></label>
<button id="idSIButton9" type="submit">Sign in</button>
</form>`;
  return htmlPage(200, "Sign in", body);
}

/** `response_mode=form_post`: a page that posts the response to the app at once. */
export function formPostPage(redirectUri: string, fields: Record<string, string>): Reply {
  const body = `<form id="response" method="post" action="${escapeHtml(redirectUri)}">${hiddenInputs(fields)}<noscript><button type="submit">Continue</button></noscript></form>
<script>document.getElementById("response").submit();</script>`;
  return htmlPage(200, "Working...", body);
}
