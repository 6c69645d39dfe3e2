import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Step } from '../context.js';
import { isSet, setIn, validateAt } from '../document.js';

type Mode = 'none' | 'create' | 'import' | 'existing';

/** SSH key pair: none (default; `ssh` commands can use SSM), create, import a public key, or an existing one. */
export const keyPairStep: Step = {
  id: 'key-pair',
  title: 'SSH key pair',
  paths: [['access', 'keyPair']],
  async run(ctx) {
    if (isSet(ctx.doc, ['access', 'keyPair'])) return;
    const mode = await ctx.prompts.select<Mode>('key-pair', {
      message: 'SSH key pair',
      choices: [
        { value: 'none', name: 'none', description: 'no SSH key (fine for CI and SSM access)' },
        { value: 'create', name: 'create', description: 'a new key pair; the private key is written 0400, never overwritten' },
        { value: 'import', name: 'import', description: 'import a public key file you have' },
        { value: 'existing', name: 'existing', description: 'a key pair that already exists in the region' },
      ],
      default: 'none',
    });
    if (mode === 'none' || mode === 'create') {
      setIn(ctx.doc, ['access', 'keyPair'], mode);
    } else if (mode === 'import') {
      const guess = ['id_ed25519.pub', 'id_ecdsa.pub', 'id_rsa.pub'].map((f) => join(homedir(), '.ssh', f)).find((f) => existsSync(f));
      const path = await ctx.prompts.input('key-pair-import', {
        message: 'Public key file to import',
        ...(guess ? { default: guess } : {}),
        validate: (v) => {
          const valid = validateAt(ctx.doc, ['access', 'keyPair'], { import: v.trim() });
          if (valid !== true) return valid;
          return existsSync(v.trim().replace(/^~(?=\/)/, homedir())) ? true : `${v.trim()}: no such file`;
        },
      });
      setIn(ctx.doc, ['access', 'keyPair'], { import: path.trim() });
    } else {
      const name = await ctx.prompts.input('key-pair-name', {
        message: 'Existing key pair name',
        validate: (v) => validateAt(ctx.doc, ['access', 'keyPair'], { name: v.trim() }),
      });
      setIn(ctx.doc, ['access', 'keyPair'], { name: name.trim() });
    }
  },
};
