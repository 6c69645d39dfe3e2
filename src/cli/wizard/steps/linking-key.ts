import { LINKING_KEY_ENV } from '../../../app/linking-key.js';
import { ownedLinkingKeyParameter } from '../../../core/naming.js';
import { Secret } from '../../../core/secret.js';
import { awsContextOf, type Step } from '../context.js';
import { getIn, isSet, setIn, validateAt } from '../document.js';

type From = 'tenable-api' | 'ssm' | 'secretsmanager' | 'paste';

/** Where the linking key comes from. Never into the file: a pasted key stays in memory as a Secret. */
export const linkingKeyStep: Step = {
  id: 'linking-key',
  title: 'Linking key',
  paths: [['link', 'key']],
  reset: (ctx) => {
    ctx.session.linkingKey = undefined;
    ctx.comments.delete('link.key');
  },
  async run(ctx) {
    if (getIn(ctx.doc, ['link', 'method']) === 'standalone' || isSet(ctx.doc, ['link', 'key'])) return;
    const fleet = String(ctx.doc.fleet);
    const keysOk = ctx.session.tenable?.ok === true;
    const from = await ctx.prompts.select<From>('linking-key-from', {
      message: 'Where the linking key comes from',
      choices: [
        {
          value: 'tenable-api',
          name: 'read from the Tenable API, stored in SSM',
          description: `read with TIO_ACCESS_KEY/TIO_SECRET_KEY at every \`up\`, stored in the SecureString ${ownedLinkingKeyParameter(fleet)}${keysOk ? '' : ' (the API keys did not work just now)'}`,
        },
        { value: 'ssm', name: 'an existing SSM parameter', description: 'a SecureString you already keep the key in' },
        { value: 'secretsmanager', name: 'an existing Secrets Manager secret', description: 'its SecretString is the key' },
        { value: 'paste', name: 'paste it now', description: `masked; kept in memory only and stored in SSM by \`up\` (saved files read ${LINKING_KEY_ENV})` },
      ],
      default: keysOk ? 'tenable-api' : 'paste',
    });

    if (from === 'tenable-api') {
      setIn(ctx.doc, ['link', 'key'], { from: 'tenable-api' });
    } else if (from === 'ssm') {
      const parameter = (
        await ctx.prompts.input('linking-key-parameter', {
          message: 'SSM parameter holding the linking key',
          default: '/nessus/linking-key',
          validate: (v) => validateAt(ctx.doc, ['link', 'key'], { from: 'ssm', parameter: v.trim() }),
        })
      ).trim();
      setIn(ctx.doc, ['link', 'key'], { from: 'ssm', parameter });
      const exists = await ctx.discovery.ssmParameterExists(awsContextOf(ctx), parameter).catch(() => undefined);
      if (exists === false) ctx.say(`  ! ${parameter} does not exist yet in ${awsContextOf(ctx).region}: create it before \`up\` (nessus-byol linking-key --store ssm:${parameter}).`);
    } else if (from === 'secretsmanager') {
      const secretId = (
        await ctx.prompts.input('linking-key-secret', {
          message: 'Secrets Manager secret name or ARN',
          default: 'nessus/linking-key',
          validate: (v) => validateAt(ctx.doc, ['link', 'key'], { from: 'secretsmanager', secretId: v.trim() }),
        })
      ).trim();
      setIn(ctx.doc, ['link', 'key'], { from: 'secretsmanager', secretId });
    } else {
      const value = await ctx.prompts.password('linking-key-value', {
        message: 'Linking key (Settings → Sensors → Nessus Scanners → Add; shown as *)',
        validate: (v) => (/^\S{16,}$/.test(v.trim()) ? true : 'paste the whole linking key (no spaces, at least 16 characters)'),
      });
      ctx.session.linkingKey = new Secret(value.trim(), 'linking key');
      setIn(ctx.doc, ['link', 'key'], { from: 'env' });
      ctx.comments.set('link.key', ` the pasted key is never saved: export ${LINKING_KEY_ENV} before \`up\`; it is stored in ${ownedLinkingKeyParameter(fleet)}`);
    }
  },
};
