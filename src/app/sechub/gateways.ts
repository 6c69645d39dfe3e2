import type { AwsContext } from '../../adapters/aws/client-config.js';
import { SecurityHubGateway } from '../../adapters/aws/securityhub.js';
import { SechubStateParameter } from '../../adapters/aws/securityhub-state-ssm.js';
import { assumedRoleCredentials } from '../../adapters/aws/securityhub-sts.js';
import { callerIdentity } from '../../adapters/aws/sts.js';
import { arn, partitionOf } from '../../core/partition.js';
import { TAG } from '../../core/naming.js';
import type { HubTarget } from './importer.js';
import { textStateStore, type SechubStateStore } from './state-store.js';

export const SESSION_NAME = 'nessus-byol-sechub';

export function roleArnIn(account: string, roleName: string, region: string): string {
  return arn({ partition: partitionOf(region), service: 'iam', account, resource: `role/${roleName}` });
}

/** The AWS side of `sechub`, on one client configuration. */
export function sechubAws(ctx: AwsContext, assumeRole: string | undefined) {
  let caller: Promise<string> | undefined;
  return {
    callerAccount: () => (caller ??= callerIdentity(ctx).then((i) => i.account)),
    hubFor(account: string, via: 'caller' | 'assume-role'): HubTarget {
      if (via === 'caller' || !assumeRole) return new SecurityHubGateway(ctx, account);
      return new SecurityHubGateway(
        ctx,
        account,
        assumedRoleCredentials(ctx, roleArnIn(account, assumeRole, ctx.region), SESSION_NAME),
      );
    },
    ssmStateStore(name: string): SechubStateStore {
      const p = new SechubStateParameter(ctx, name);
      return textStateStore(`ssm:${name}`, {
        read: () => p.read(),
        write: (text) => p.write(text, { [TAG.managed]: 'true' }),
      });
    },
  };
}
