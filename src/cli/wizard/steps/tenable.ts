import { knownSiteOf } from '../../../config/tenable-endpoint.js';
import { ConfigError, UsageError } from '../../../core/errors.js';
import { tenableEndpointOf, type Step, type WizardContext } from '../context.js';
import { isSet, setIn, validateAt } from '../document.js';

type Site = 'cloud' | 'fedramp' | 'custom';

/** The API URL the environment points at (TIO_URL, or its alias). */
function envTenableUrl(ctx: WizardContext): string | undefined {
  return ctx.flags.tenableUrl || ctx.env.TIO_URL || ctx.env.NESSUS_BYOL_TENABLE_API_URL || undefined;
}

/**
 * The site suggested from the environment: only a known site's API URL names one. Any other URL
 * (the sandbox's 127.0.0.1 simulator, a proxy) moves API calls, not the link target, so it
 * suggests nothing.
 */
function siteFromEnv(ctx: WizardContext): Site {
  return knownSiteOf(envTenableUrl(ctx)) ?? 'cloud';
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
  } catch {
    return true;
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
    default: siteFromEnv(ctx),
  });
  if (site !== 'custom') {
    setIn(ctx.doc, ['tenable', 'site'], site);
    return;
  }
  // A custom site's API URL may be offered from the environment, never a local stand-in's.
  const envUrl = envTenableUrl(ctx);
  const tioUrl = envUrl && !knownSiteOf(envUrl) && !isLoopback(envUrl) ? envUrl : undefined;
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
  let apiUrl: string;
  try {
    apiUrl = tenableEndpointOf(ctx).url;
  } catch (e) {
    // TIO_URL naming another site than the one chosen: `up` would refuse it too; say so now.
    if (!(e instanceof ConfigError || e instanceof UsageError)) throw e;
    const reason = e instanceof ConfigError ? (e.problems[0]?.message ?? e.message) : e.message;
    ctx.session.tenable = { ok: false, reason };
    ctx.say(`  ✗ ${reason}${e instanceof ConfigError && e.problems[0]?.hint ? ` — ${e.problems[0].hint}` : ''}`);
    return;
  }
  ctx.say(`  Checking the Tenable API keys against ${apiUrl} …`);
  const check = await ctx.discovery.checkTenable(apiUrl);
  ctx.session.tenable = check;
  ctx.say(check.ok ? `  ✓ TIO_ACCESS_KEY/TIO_SECRET_KEY work (${check.scanners} scanner(s) visible)` : `  ✗ the Tenable API keys do not work: ${check.reason}`);
}
