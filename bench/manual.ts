import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BYOL_PRODUCT_CODE, MARKETPLACE_OWNER_ID } from '../src/sandbox/moto.js';
import { cleanEnv, cli, countActions, failIfNot, fleetDir, timed } from './cli.js';
import { fleetYaml } from './fleet.js';
import { fmt, ratio, type BenchRow } from './row.js';
import type { BenchWorld } from './world.js';

/**
 * P5: `up --no-wait` against the manual procedure of Tenable's AWS guide (find the Nessus BYOL
 * AMI, security group, key pair, IAM role for the instance, user-data that links the scanner,
 * launch) scripted with the `aws` CLI, one process per call as a shell script would, for the same
 * resources against the same moto through the same proxy.
 */
export async function manualBench(world: BenchWorld, root: string): Promise<BenchRow[]> {
  const tool = fleetDir(root, 'p5-tool', fleetYaml('bench-tool', 1, 1, 'access: { keyPair: create }\nnetwork: { allowUiFrom: [203.0.113.0/24] }\n'));
  const c0 = world.proxy.calls.length;
  const up = await cli(['up', '-f', 'fleet.yaml', '--yes', '--no-wait', '--json'], world.env, tool);
  failIfNot(up, 'up --no-wait (bench-tool)');
  const toolCalls = world.proxy.calls.slice(c0);

  const dir = fleetDir(root, 'p5-manual', '');
  writeFileSync(join(dir, 'trust.json'), JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }));
  writeFileSync(join(dir, 'policy.json'), JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:us-east-1:123456789012:parameter/nessus-manual/linking-key' }] }));
  writeFileSync(
    join(dir, 'user-data.sh'),
    '#!/bin/bash\nservice nessusd stop\nKEY=$(aws ssm get-parameter --with-decryption --name /nessus-manual/linking-key --query Parameter.Value --output text)\n/opt/nessus/sbin/nessuscli managed link --key="$KEY" --cloud\nservice nessusd start\n',
  );
  const env = cleanEnv(world.env);
  const tags = (type: string) => `ResourceType=${type},Tags=[{Key=Name,Value=nessus-manual}]`;
  const c1 = world.proxy.calls.length;
  const t0 = process.hrtime.bigint();
  const aws = async (...args: string[]): Promise<string> => {
    const r = await timed('aws', [...args, '--region', 'us-east-1', '--output', 'text'], { env, cwd: dir });
    failIfNot(r, `aws ${args.slice(0, 2).join(' ')}`);
    return r.stdout.trim();
  };
  const ami = await aws('ec2', 'describe-images', '--owners', MARKETPLACE_OWNER_ID, '--filters', `Name=product-code,Values=${BYOL_PRODUCT_CODE}`, '--query', 'sort_by(Images,&CreationDate)[-1].ImageId');
  const vpc = await aws('ec2', 'describe-vpcs', '--filters', 'Name=isDefault,Values=true', '--query', 'Vpcs[0].VpcId');
  const subnet = await aws('ec2', 'describe-subnets', '--filters', `Name=vpc-id,Values=${vpc}`, '--query', 'Subnets[0].SubnetId');
  const sg = await aws('ec2', 'create-security-group', '--group-name', 'nessus-manual', '--description', 'Nessus scanner', '--vpc-id', vpc, '--tag-specifications', tags('security-group'), '--query', 'GroupId');
  await aws('ec2', 'authorize-security-group-ingress', '--group-id', sg, '--protocol', 'tcp', '--port', '8834', '--cidr', '203.0.113.0/24');
  await aws('ec2', 'revoke-security-group-egress', '--group-id', sg, '--ip-permissions', 'IpProtocol=-1,IpRanges=[{CidrIp=0.0.0.0/0}]');
  await aws('ec2', 'authorize-security-group-egress', '--group-id', sg, '--ip-permissions', 'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=0.0.0.0/0}]');
  const pem = await aws('ec2', 'create-key-pair', '--key-name', 'nessus-manual', '--query', 'KeyMaterial');
  writeFileSync(join(dir, 'nessus-manual.pem'), pem, { mode: 0o400 });
  await aws('iam', 'create-role', '--role-name', 'nessus-manual', '--assume-role-policy-document', 'file://trust.json');
  await aws('iam', 'put-role-policy', '--role-name', 'nessus-manual', '--policy-name', 'linking-key', '--policy-document', 'file://policy.json');
  await aws('iam', 'create-instance-profile', '--instance-profile-name', 'nessus-manual');
  await aws('iam', 'add-role-to-instance-profile', '--instance-profile-name', 'nessus-manual', '--role-name', 'nessus-manual');
  // The guide copies the linking key from the Tenable UI; here it is already known (no call).
  await aws('ssm', 'put-parameter', '--name', '/nessus-manual/linking-key', '--type', 'SecureString', '--value', world.linkingKey);
  await aws(
    'ec2', 'run-instances', '--image-id', ami, '--instance-type', 'm5.xlarge', '--count', '1', '--subnet-id', subnet, '--security-group-ids', sg,
    '--key-name', 'nessus-manual', '--iam-instance-profile', 'Name=nessus-manual', '--user-data', 'file://user-data.sh',
    '--metadata-options', 'HttpTokens=required,HttpPutResponseHopLimit=1', '--block-device-mappings', 'DeviceName=/dev/sda1,Ebs={VolumeSize=50,Encrypted=true}',
    '--tag-specifications', tags('instance'), '--query', 'Instances[0].InstanceId',
  );
  const manualMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const manualCalls = world.proxy.calls.slice(c1);
  const r = ratio(up.ms, manualMs);
  return [
    {
      id: 'P5',
      name: 'up --no-wait vs the guide\'s procedure scripted with the aws CLI',
      measured: `${fmt(r)}× (${fmt(up.ms / 1000, 1)} s, ${toolCalls.length} calls vs ${fmt(manualMs / 1000, 1)} s, ${manualCalls.length} aws processes)`,
      target: '≤ 0.25×',
      value: r,
      pass: r <= 0.25,
      detail: { toolMs: Math.round(up.ms), manualMs: Math.round(manualMs), toolCalls: countActions(toolCalls), manualCalls: countActions(manualCalls) },
    },
  ];
}
