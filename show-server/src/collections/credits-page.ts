import type { CreditsRoll } from '@showrec/protocol';

const ROLE_TITLES: Record<string, string> = {
  recorded: 'Recorded by',
  remixed: 'Remixed by',
  edited: 'Edited by',
};

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** The credits roll as a page that opens anywhere: names come from the audience, so escaped. */
export function creditsPage(roll: CreditsRoll): string {
  const sections = roll.roles
    .map(
      (r) =>
        `<section><h2>${ROLE_TITLES[r.role] ?? escapeHtml(r.role)}</h2><ul>${r.people
          .map((p) => `<li>${escapeHtml(p.name)}</li>`)
          .join('')}</ul></section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(roll.title)} — credits</title>
<style>body{font-family:system-ui,sans-serif;text-align:center;max-width:40rem;margin:3rem auto}ul{list-style:none;padding:0}</style>
</head><body><h1>${escapeHtml(roll.title)}</h1>
${sections}
</body></html>
`;
}
