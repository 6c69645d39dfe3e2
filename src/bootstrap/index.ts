export type { BootstrapInput, KeySource, LinkTarget, PreauthorizedInput, Proxy, StandaloneInput } from './types.js';
export { DEFAULT_LINK_ATTEMPTS, renderBootstrapScript, renderStandaloneScript } from './render.js';
export { preauthorizedSecrets, renderPreauthorizedJson } from './preauthorized.js';
export {
  FEDRAMP_HOST,
  FEDRAMP_PORT,
  NESSUSCLI_PATH,
  linkArgs,
  linkArgsToShell,
  linkArgv,
  renderNessuscliLinkLine,
  type LinkArg,
} from './link-args.js';
export { USER_DATA_MASK, embeddedSecrets, maskUserData } from './mask.js';
export { templatesDir } from './templates.js';
export { shellQuote } from './validate.js';
