import { PREAUTHORIZED_PRODUCT_CODE } from '../../../config/schema.js';
import type { Step } from '../context.js';
import { isSet, setIn, validateAt } from '../document.js';

type Method = 'bootstrap' | 'preauthorized-json' | 'standalone';

/** How scanners link, each mode explained in one line. */
export const linkModeStep: Step = {
  id: 'link-mode',
  title: 'Link mode',
  paths: [['link', 'method'], ['link', 'embedInUserData'], ['link', 'activationCode']],
  affects: ['linking-key', 'groups'],
  async run(ctx) {
    if (isSet(ctx.doc, ['link', 'method'])) return;
    for (;;) {
      const method = await ctx.prompts.select<Method>('link-method', {
        message: 'How the scanners link',
        choices: [
          { value: 'bootstrap', name: 'bootstrap (recommended)', description: 'a user-data script runs `nessuscli managed link` at boot; the key is read from SSM, never put in user-data' },
          { value: 'preauthorized-json', name: 'pre-authorized JSON', description: 'JSON user-data of the pre-authorized Marketplace AMI; it carries the linking key in user-data' },
          { value: 'standalone', name: 'standalone', description: 'activation code, no link: the scanners never appear in Tenable Vulnerability Management' },
        ],
        default: 'bootstrap',
      });
      if (method === 'preauthorized-json') {
        const accept = await ctx.prompts.confirm('embed-key', {
          message: 'The pre-authorized format puts the linking key in user-data (readable with ec2:DescribeInstanceAttribute). Accept?',
          default: false,
        });
        if (!accept) continue;
        setIn(ctx.doc, ['link', 'embedInUserData'], true);
        if (!isSet(ctx.doc, ['ami'])) setIn(ctx.doc, ['ami'], { productCode: PREAUTHORIZED_PRODUCT_CODE });
      }
      // Set first: the schema accepts activationCode only with method standalone.
      setIn(ctx.doc, ['link', 'method'], method);
      if (method === 'standalone' && !isSet(ctx.doc, ['link', 'activationCode'])) {
        const from = await ctx.prompts.select<'ssm' | 'secretsmanager'>('activation-code-from', {
          message: 'Where the activation code is stored',
          choices: [
            { value: 'ssm', name: 'SSM SecureString parameter' },
            { value: 'secretsmanager', name: 'Secrets Manager secret' },
          ],
          default: 'ssm',
        });
        const key = from === 'ssm' ? 'parameter' : 'secretId';
        const name = await ctx.prompts.input('activation-code-name', {
          message: from === 'ssm' ? 'SSM parameter name' : 'Secrets Manager secret name or ARN',
          default: from === 'ssm' ? '/nessus/activation-code' : 'nessus/activation-code',
          validate: (v) => validateAt(ctx.doc, ['link', 'activationCode'], { from, [key]: v.trim() }),
        });
        setIn(ctx.doc, ['link', 'activationCode'], { from, [key]: name.trim() });
      }
      const ami = ctx.doc.ami as { productCode?: string } | undefined;
      if (method !== 'preauthorized-json' && ami?.productCode === PREAUTHORIZED_PRODUCT_CODE && Object.keys(ami).length === 1) delete ctx.doc.ami;
      setIn(ctx.doc, ['link', 'method'], method);
      return;
    }
  },
};
