// Builds dist/THIRD-PARTY-NOTICES.md: the name, version, licence and licence text of every package
// whose code esbuild put into the bundle (read from the build's metafile), as the Apache-2.0 and MIT
// licences of the bundled AWS SDK, commander, listr2, inquirer, zod, yaml and ssh2 ask.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `node_modules/@scope/name/…` or `node_modules/name/…` → the package directory, innermost. */
function packageDirOf(input) {
  const parts = input.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return null;
  const scoped = parts[at + 1]?.startsWith('@');
  return parts.slice(0, at + (scoped ? 3 : 2)).join('/');
}

async function licenceText(dir) {
  const files = await readdir(dir);
  const name = files.find((f) => /^(licen[cs]e|copying|notice)(\.|$)/i.test(f));
  return name ? (await readFile(join(dir, name), 'utf8')).trim() : null;
}

export async function thirdPartyNotices(metafile, rootUrl) {
  const root = fileURLToPath(rootUrl);
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const dir = packageDirOf(input);
    if (dir) dirs.add(dir);
  }
  const entries = [];
  for (const dir of dirs) {
    const pkg = JSON.parse(await readFile(join(root, dir, 'package.json'), 'utf8'));
    entries.push({ name: pkg.name, version: pkg.version, license: pkg.license ?? 'see text', text: await licenceText(join(root, dir)) });
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const withText = new Map(entries.filter((e) => e.text).map((e) => [e.license, e.name]));
  const body = (e) => {
    if (e.text) return `\`\`\`\n${e.text}\n\`\`\``;
    const twin = withText.get(e.license);
    return `Licensed under ${e.license}; the package ships no licence file${twin ? ` (the ${e.license} text is reproduced under ${twin})` : ''}.`;
  };
  const sections = entries.map((e) => `## ${e.name} ${e.version} — ${e.license}\n\n${body(e)}\n`);
  return `# Third-party notices\n\nnessus-byol's bundle (dist/) includes code from the ${entries.length} packages below.\n\n${sections.join('\n')}`;
}
