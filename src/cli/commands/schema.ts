import type { Command } from 'commander';
import { globalsOf } from '../globals.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('Print the JSON Schema of fleet.yaml (generated from the same zod schema that validates it).')
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol schema > fleet.schema.json
  Then start fleet.yaml with:  # yaml-language-server: $schema=./fleet.schema.json`,
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const { fleetJsonSchema } = await import('../../config/json-schema.js');
      const g = globalsOf(cmd);
      const schema = fleetJsonSchema();
      process.stdout.write(`${JSON.stringify(g.json ? { ok: true, schema } : schema, null, 2)}\n`);
    });
}
