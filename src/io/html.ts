/**
 * HTML built with one tagged template that escapes every interpolated value, so text from users (model names,
 * manifest fields, error messages) always renders as text. Only values wrapped by `html` itself (or `raw`, for
 * trusted constants) pass through unescaped. Data for client scripts goes into `<script type="application/json">`
 * via `jsonScript`, which escapes `<` so no value can close the element.
 *
 * @example
 * html`<td>${'<b>x</b>'}</td>`.toString();        // '<td>&lt;b&gt;x&lt;/b&gt;</td>'
 * html`<ul>${['a', 'b'].map((s) => html`<li>${s}</li>`)}</ul>`.toString(); // '<ul><li>a</li><li>b</li></ul>'
 */
export class SafeHtml {
  constructor(private readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Value = SafeHtml | string | number | boolean | null | undefined | readonly Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.toString();
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Trusted markup (constants in this codebase only, never user input). */
export function raw(s: string): SafeHtml {
  return new SafeHtml(s);
}

/** A JSON data island for client scripts; `<`, `>` and `&` are escaped as \u003c etc. so the element cannot be closed early. */
export function jsonScript(id: string, value: unknown): SafeHtml {
  const json = JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return new SafeHtml(`<script type="application/json" id="${escapeHtml(id)}">${json}</script>`);
}

/** The page layout: title, navigation, stylesheet, body and optional scripts (served from /static). */
export function page(opts: { title: string; body: SafeHtml; scripts?: readonly string[] }): string {
  const scripts = (opts.scripts ?? []).map((s) => html`<script src="${s}" defer></script>`);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title} · genbench</title>
<link rel="stylesheet" href="/static/site.css">
${scripts}
</head>
<body>
<nav><a href="/">Leaderboard</a> <a href="/submit">Submit</a> <a href="/rate">Rate</a></nav>
<main>
${opts.body}
</main>
</body>
</html>
`.toString();
}
