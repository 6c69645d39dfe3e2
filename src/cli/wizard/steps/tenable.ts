import { TENABLE_SITES } from '../../../config/resolve.js';
import { tenableApiUrlOf, type Step, type WizardContext } from '../context.js';
import { isSet, setIn, validateAt } from '../document.js';

type Site = 'cloud' | 'fedramp' | 'custom';

function siteFromTioUrl(url: string | undefined): Site {
  if (!url) return 'cloud';
  try {
    const host = new URL(url).hostname;
    return host === TENABLE_SITES.cloud.linkHost ? 'cloud' : host === TENABLE_SITES.fedramp.linkHost ? 'fedramp' : 'custom';
  } catch {
    return 'cloud';
  }
}

/** Tenable site, then one API call to tell whether TIO_ACCESS_KEY/TIO_SECRET_KEY work. */
export const tenableStep: Step = {
  id: 'tenable',
  title: 'Tenable site and API keys',
  paths: [['tenable']],
  affects: ['groups'],
  reset: (ctx) => {
    ctx.session.tenable = undefined;
  },
  async run(ctx) {
    if (!isSet(ctx.doc, ['tenable', 'site'])) await askSite(ctx);
    await checkKeys(ctx);
  },
};

async function askSite(ctx: WizardContext): Promise<void> {
  const site = await ctx.prompts.select<Site>('tenable-site', {
    message: 'Tenable Vulnerability Management site',
    choices: [
      { value: 'cloud', name: 'cloud', description: 'cloud.tenable.com (scanners link with --cloud)' },
      { value: 'fedramp', name: 'FedRAMP', description: 'fedcloud.tenable.com:443' },
      { value: 'custom', name: 'custom URL', description: 'another API URL and link host/port' },
    ],
    default: siteFromTioUrl(ctx.env.TIO_URL),
  });
  if (site !== 'custom') {
    setIn(ctx.doc, ['tenable', 'site'], site);
    return;
  }
  const tioUrl = siteFromTioUrl(ctx.env.TIO_URL) === 'custom' ? ctx.env.TIO_URL : undefined;
  const url = (
    await ctx.prompts.input('tenable-url', {
      message: 'Tenable API URL',
      ...(tioUrl ? { default: tioUrl } : {}),
      validate: (v) => validateAt(ctx.doc, ['tenable'], { site: 'custom', url: v.trim(), linkHost: 'placeholder.invalid' }),
    })
  ).trim();
  const linkHost = (
    await ctx.prompts.input('tenable-link-host', {
      message: 'Host the scanners link to',
      default: new URL(url).hostname,
      validate: (v) => validateAt(ctx.doc, ['tenable'], { site: 'custom', url, linkHost: v.trim() }),
    })
  ).trim();
  const port = await ctx.prompts.input('tenable-link-port', {
    message: 'Port the scanners link to',
    default: '443',
    validate: (v) => (/^\d+$/.test(v.trim()) ? validateAt(ctx.doc, ['tenable'], { site: 'custom', url, linkHost, linkPort: Number(v.trim()) }) : 'a port number'),
  });
  setIn(ctx.doc, ['tenable'], { site: 'custom', url, linkHost, linkPort: Number(port.trim()) });
}

async function checkKeys(ctx: WizardContext): Promise<void> {
  if (!ctx.env.TIO_ACCESS_KEY || !ctx.env.TIO_SECRET_KEY) {
    ctx.session.tenable = { ok: false, reason: 'TIO_ACCESS_KEY and TIO_SECRET_KEY are not set' };
    ctx.say('  ! TIO_ACCESS_KEY / TIO_SECRET_KEY are not set: `up` needs them to watch the scanners link (export them before provisioning).');
    return;
  }
  const apiUrl = tenableApiUrlOf(ctx);
  ctx.say(`  Checking the Tenable API keys against ${apiUrl} …`);
  const check = await ctx.discovery.checkTenable(apiUrl);
  ctx.session.tenable = check;
  ctx.say(check.ok ? `  ✓ TIO_ACCESS_KEY/TIO_SECRET_KEY work (${check.scanners} scanner(s) visible)` : `  ✗ the Tenable API keys do not work: ${check.reason}`);
}
