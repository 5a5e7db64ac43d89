/**
 * The human-readable API page served at /docs, rendered from the OpenAPI document (no external
 * scripts or styles: the page works offline, inside a hospital network).
 */

const escapeHtml = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface Operation {
  summary?: string;
  description?: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; description?: string; schema?: { enum?: string[] } }>;
  responses?: Record<string, { description?: string }>;
}

/** Renders the OpenAPI document as one HTML page. */
export function renderDocsPage(doc: Record<string, unknown>): string {
  const info = doc.info as { title: string; version: string; description: string };
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  const sections: string[] = [];
  for (const [path, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters ?? [])
        .map((p) => `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}</td><td>${escapeHtml(p.description)}</td></tr>`)
        .join('');
      const responses = Object.entries(op.responses ?? {})
        .map(([status, r]) => `<tr><td>${escapeHtml(status)}</td><td>${escapeHtml(r.description)}</td></tr>`)
        .join('');
      sections.push(
        `<section><h2><code>${escapeHtml(method.toUpperCase())} ${escapeHtml(path)}</code>${op.security ? ' <small>(token)</small>' : ''}</h2>` +
          `<p>${escapeHtml(op.summary)}</p>${op.description ? `<p>${escapeHtml(op.description)}</p>` : ''}` +
          (params ? `<table><tr><th>parameter</th><th>in</th><th>meaning</th></tr>${params}</table>` : '') +
          `<table><tr><th>status</th><th>meaning</th></tr>${responses}</table></section>`,
      );
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(info.title)} API</title>
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}h2{font-size:1.1em;margin-top:2em}</style>
</head><body><h1>${escapeHtml(info.title)} ${escapeHtml(info.version)}</h1><p>${escapeHtml(info.description)}</p>
<p>Errors are JSON <code>{"code", "message"}</code>. The machine-readable document is at <a href="openapi.json">/openapi.json</a>.
Example: <code>curl --data-binary @ct.dcm -H 'Authorization: Bearer TOKEN' 'http://127.0.0.1:8080/v1/colorize?method=ct-tissue' -o ct.png</code></p>
${sections.join('\n')}</body></html>`;
}
