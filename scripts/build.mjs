// Bundles the CLI into dist/ so start-up is fast and users run the dependency versions we tested.
// Code splitting keeps heavy modules (AWS SDK, listr2, inquirer) in chunks that only the commands
// using them load.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

await rm(new URL('../dist/', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { bin: 'src/bin.ts', 'sandbox-daemon': 'src/sandbox/daemon-main.ts', 'tenable-simulator': 'src/sandbox/tenable-simulator-main.ts' },
  outdir: 'dist',
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
