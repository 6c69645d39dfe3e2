import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  DescribeInternetGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { RuntimeError } from '../core/errors.js';
import { motoClientConfig } from './aws-env.js';

export interface PreparedRegion {
  vpcId: string;
  internetGatewayId: string;
  routeTableId: string;
}

/**
 * Makes moto's default VPC look like a real one: an attached internet gateway and a 0.0.0.0/0 route
 * in its main route table (moto creates neither). Safe to call again.
 */
export async function prepareMotoRegion(endpoint: string, region: string): Promise<PreparedRegion> {
  const ec2 = new EC2Client(motoClientConfig(endpoint, region));
  try {
    const vpcs = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
    const vpcId = vpcs.Vpcs?.[0]?.VpcId;
    if (!vpcId) throw new RuntimeError('SANDBOX_NO_DEFAULT_VPC', `moto has no default VPC in ${region}.`);

    const igws = await ec2.send(
      new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }),
    );
    let internetGatewayId = igws.InternetGateways?.[0]?.InternetGatewayId;
    if (!internetGatewayId) {
      const created = await ec2.send(
        new CreateInternetGatewayCommand({
          TagSpecifications: [{ ResourceType: 'internet-gateway', Tags: [{ Key: 'Name', Value: 'default' }] }],
        }),
      );
      internetGatewayId = created.InternetGateway?.InternetGatewayId;
      if (!internetGatewayId) throw new RuntimeError('SANDBOX_IGW', 'moto created no internet gateway.');
      await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: internetGatewayId, VpcId: vpcId }));
    }

    const tables = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'association.main', Values: ['true'] },
        ],
      }),
    );
    const main = tables.RouteTables?.[0];
    const routeTableId = main?.RouteTableId;
    if (!routeTableId)
      throw new RuntimeError('SANDBOX_ROUTE_TABLE', `moto's default VPC ${vpcId} has no main route table.`);
    const hasDefaultRoute = (main.Routes ?? []).some((r) => r.DestinationCidrBlock === '0.0.0.0/0');
    if (!hasDefaultRoute) {
      await ec2.send(
        new CreateRouteCommand({
          RouteTableId: routeTableId,
          DestinationCidrBlock: '0.0.0.0/0',
          GatewayId: internetGatewayId,
        }),
      );
    }
    return { vpcId, internetGatewayId, routeTableId };
  } finally {
    ec2.destroy();
  }
}
