/** The few HTML pages the stand-ins show a browser (sign-in forms, error pages): escaped text, one plain layout. */
import type { Reply } from "./exchange";

/** Text for HTML content and double-quoted attributes (the only kind these pages use). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** Attribute-safe hidden inputs for a form. */
export function hiddenInputs(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("");
}

/** A whole page; `body` is HTML the caller built from escaped parts. */
export function htmlPage(status: number, title: string, body: string, headers: Record<string, string> = {}): Reply {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}
pre{white-space:pre-wrap;word-break:break-word;background:#f4f4f4;padding:.5rem}label{display:block;margin:.5rem 0}</style>
</head><body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>`;
  return {
    status,
    body: html,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...headers },
  };
}

/** A 303 to `location`, as a browser is sent on after a form or a redirect-based protocol step. */
export const seeOther = (location: string, headers: Record<string, string | string[]> = {}): Reply => ({
  status: 303,
  headers: { location, "cache-control": "no-store", ...headers },
});
