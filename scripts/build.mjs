// Bundles the CLI into dist/ with every dependency inside, so the published package has no runtime
// dependencies: `npx nessus-byol` downloads one tarball and starts, and users run exactly the
// dependency versions we tested. Code splitting keeps heavy modules (AWS SDK, listr2, inquirer) in
// chunks that only the commands using them load. The bundle is written aside and swapped in, so a
// running CLI never sees half a dist/.
//
// Source maps are opt-in (NESSUS_BYOL_SOURCEMAP=1 npm run build, then `node --enable-source-maps
// dist/bin.js …`): they were 12.7 MB of a 20.9 MB package and help only someone debugging the bundle.
import { build } from 'esbuild';
import { rename, rm, writeFile } from 'node:fs/promises';
import { thirdPartyNotices } from './third-party-notices.mjs';

const root = new URL('../', import.meta.url);
const staging = new URL(`dist.build-${process.pid}/`, root);
const old = new URL(`dist.old-${process.pid}/`, root);
const dist = new URL('dist/', root);

const result = await build({
  entryPoints: {
    // bin.js is the tiny Node-version check; cli.js is the program it imports once the check passes.
    bin: 'src/entry.ts',
    cli: 'src/bin.ts',
    'sandbox-daemon': 'src/sandbox/daemon-main.ts',
    'tenable-simulator': 'src/sandbox/tenable-simulator-main.ts',
  },
  outdir: staging.pathname,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22.13',
  sourcemap: process.env.NESSUS_BYOL_SOURCEMAP ? 'linked' : false,
  // Licence texts of the bundled packages go to one file (below) instead of comments in every chunk.
  legalComments: 'none',
  // ssh2's optional native addons, each required inside try/catch with a pure-JS fallback: left out,
  // so the bundle needs nothing from node_modules at run time.
  external: ['cpu-features', '*.node'],
  metafile: true,
  chunkNames: 'chunks/[name]-[hash]',
  // Some CommonJS dependencies call require() or read __dirname (ssh2's agent.js at load time); give
  // the ESM bundle both.
  banner: {
    js: "import { createRequire as __nbCreateRequire } from 'node:module'; const require = __nbCreateRequire(import.meta.url); const __dirname = import.meta.dirname; const __filename = import.meta.filename;",
  },
  logLevel: 'warning',
});
await writeFile(new URL('THIRD-PARTY-NOTICES.md', staging), await thirdPartyNotices(result.metafile, root));
await rename(dist, old).catch(() => undefined);
await rename(staging, dist);
await rm(old, { recursive: true, force: true });
