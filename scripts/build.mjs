// Bundles the CLI into dist/ so start-up is fast and users run the dependency versions we tested.
// Code splitting keeps heavy modules (AWS SDK, listr2, inquirer) in chunks that only the commands
// using them load. The bundle is written aside and swapped in, so a running CLI never sees half a dist/.
import { build } from 'esbuild';
import { rename, rm } from 'node:fs/promises';

const root = new URL('../', import.meta.url);
const staging = new URL(`dist.build-${process.pid}/`, root);
const old = new URL(`dist.old-${process.pid}/`, root);
const dist = new URL('dist/', root);

await build({
  entryPoints: { bin: 'src/bin.ts', 'sandbox-daemon': 'src/sandbox/daemon-main.ts', 'tenable-simulator': 'src/sandbox/tenable-simulator-main.ts' },
  outdir: staging.pathname,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: 'linked',
  legalComments: 'none',
  chunkNames: 'chunks/[name]-[hash]',
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __nbCreateRequire } from 'node:module'; const require = __nbCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
await rename(dist, old).catch(() => undefined);
await rename(staging, dist);
await rm(old, { recursive: true, force: true });
