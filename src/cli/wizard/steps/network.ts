import { AwsError } from '../../../core/errors.js';
import { awsContextOf, type Step } from '../context.js';
import { getIn, isSet, setIn, unsetIn } from '../document.js';

const ROUTE = { 'internet-gateway': 'internet gateway', 'nat-gateway': 'NAT gateway', none: 'no route to the internet' } as const;

/** VPC and subnets, listed live (default VPC first, names from tags). */
export const networkStep: Step = {
  id: 'network',
  title: 'VPC and subnets',
  paths: [['network', 'vpcId'], ['scanners', 'subnetIds']],
  async run(ctx) {
    if (isSet(ctx.doc, ['scanners', 'subnetIds'])) return;
    const aws = awsContextOf(ctx);
    let vpcId = getIn(ctx.doc, ['network', 'vpcId']) as string | undefined;
    const vpcs = await ctx.discovery.vpcs(aws);
    if (!vpcId) {
      if (vpcs.length === 0) {
        throw new AwsError('NO_VPC', `There is no VPC in ${aws.region}.`, { hint: 'create one (`aws ec2 create-default-vpc`) or pick another region' });
      }
      vpcId = await ctx.prompts.select('vpc', {
        message: 'VPC for the scanners',
        choices: vpcs.map((v) => ({
          value: v.id,
          name: `${v.id}${v.name ? ` ${v.name}` : ''}${v.isDefault ? ' (default VPC)' : ''}`,
          description: v.cidrBlock,
          short: v.id,
        })),
        default: vpcs[0]!.id,
      });
    }
    const subnets = await ctx.discovery.subnets(aws, vpcId);
    if (subnets.length === 0) {
      throw new AwsError('NO_SUBNETS', `VPC ${vpcId} has no subnets.`, { hint: 'create subnets in it, or pick another VPC' });
    }
    const reaching = subnets.filter((s) => s.route !== 'none');
    const chosen = await ctx.prompts.checkbox('subnets', {
      message: 'Subnets to spread the scanners over (space toggles)',
      choices: subnets.map((s) => ({
        value: s.id,
        name: `${s.id} ${s.availabilityZone}${s.name ? ` ${s.name}` : ''} — ${ROUTE[s.route]}`,
        short: s.id,
        checked: reaching.length === 0 || s.route !== 'none',
      })),
    });
    const isDefault = vpcs.find((v) => v.id === vpcId)?.isDefault ?? false;
    if (chosen.length === 0 || (isDefault && !isSet(ctx.doc, ['network', 'vpcId']) && chosen.length === reaching.length && reaching.length > 0)) {
      // The default VPC's usable subnets: leave it implicit, as a hand-written minimal file would.
      if (chosen.length === 0 && !isDefault) {
        setIn(ctx.doc, ['network', 'vpcId'], vpcId);
        ctx.say(`No subnet chosen: all subnets of ${vpcId} that reach the internet will be used.`);
      }
      unsetIn(ctx.doc, ['scanners', 'subnetIds']);
      return;
    }
    setIn(ctx.doc, ['network', 'vpcId'], vpcId);
    setIn(ctx.doc, ['scanners', 'subnetIds'], chosen);
  },
};
