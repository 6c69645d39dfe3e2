import { writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { renderBootstrapScript, renderStandaloneScript } from './render.js';
import { bootstrapInput, embeddedKey, proxyAuth, standaloneInput } from './fixtures.test-helper.js';
it('dump', () => {
  writeFileSync('/tmp/b.sh', renderBootstrapScript(bootstrapInput({ proxy: proxyAuth, osUpdate: true, awsScanner: true })));
  writeFileSync('/tmp/s.sh', renderStandaloneScript(standaloneInput({ activationCode: embeddedKey(), proxy: proxyAuth })));
});
