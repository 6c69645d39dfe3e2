import type { Ec2Gateway } from '../adapters/aws/ec2.js';
import { awsErrorCode, toAwsError } from '../adapters/aws/aws-errors.js';
import { AwsError } from '../core/errors.js';

export interface LaunchRequest {
  imageId: string;
  instanceTypes: string[];
  count: number;
  /** Subnets to try, the planned one first, then other AZs the config allows. */
  subnets: Array<{ id: string; publicIp: boolean }>;
  securityGroupId: string;
  instanceProfileName: string;
  keyName?: string;
  userData: string;
  rootDeviceName: string;
  volumeSizeGiB: number;
  kmsKeyId?: string | null;
  tags: Record<string, string>;
}

export interface LaunchOutcome {
  instanceIds: string[];
  instanceType: string;
  subnetId: string;
  attempts: Array<{ instanceType: string; subnetId: string; error: string }>;
}

const IAM_PROPAGATION = /Invalid IAM Instance Profile|iamInstanceProfile/i;

/**
 * RunInstances for N identical scanners, falling back to the next instance type and then the next
 * subnet/AZ on InsufficientInstanceCapacity, and waiting out IAM propagation of a new instance
 * profile ("Invalid IAM Instance Profile") with backoff.
 */
export async function launchWithFallback(
  ec2: Ec2Gateway,
  req: LaunchRequest,
  deps: { sleep: (ms: number) => Promise<void>; onRetry?: (message: string) => void; iamRetries?: number },
): Promise<LaunchOutcome> {
  const attempts: LaunchOutcome['attempts'] = [];
  for (const subnet of req.subnets) {
    for (const instanceType of req.instanceTypes) {
      for (let iamTry = 0; ; iamTry++) {
        try {
          const ids = await ec2.runInstances({
            imageId: req.imageId,
            instanceType,
            count: req.count,
            subnetId: subnet.id,
            securityGroupId: req.securityGroupId,
            instanceProfileName: req.instanceProfileName,
            ...(req.keyName ? { keyName: req.keyName } : {}),
            associatePublicIp: subnet.publicIp,
            userData: req.userData,
            rootDeviceName: req.rootDeviceName,
            volumeSizeGiB: req.volumeSizeGiB,
            kmsKeyId: req.kmsKeyId ?? null,
            tags: req.tags,
          });
          return { instanceIds: ids, instanceType, subnetId: subnet.id, attempts };
        } catch (e) {
          const code = awsErrorCode(e);
          const message = (e as Error).message ?? '';
          if (code === 'InvalidParameterValue' && IAM_PROPAGATION.test(message) && iamTry < (deps.iamRetries ?? 8)) {
            deps.onRetry?.(`instance profile not visible to EC2 yet (IAM propagation); retrying in ${2 + iamTry * 2}s`);
            await deps.sleep((2 + iamTry * 2) * 1000);
            continue;
          }
          if (code === 'InsufficientInstanceCapacity' || code === 'InstanceLimitExceeded' || (code === 'Unsupported' && /instance type/i.test(message))) {
            attempts.push({ instanceType, subnetId: subnet.id, error: code });
            deps.onRetry?.(`${code} for ${instanceType} in ${subnet.id}; trying the next option`);
            break;
          }
          throw toAwsError(e, `launching ${req.count} scanner(s) (ec2:RunInstances)`);
        }
      }
    }
  }
  if (attempts.length > 0 && attempts.every((a) => a.error === 'Unsupported')) {
    throw new AwsError('INSTANCE_TYPE_NOT_OFFERED', `${req.instanceTypes.join(', ')} is not offered in the availability zones of ${req.subnets.map((s) => s.id).join(', ')}.`, {
      hint: `pick a type offered there (\`aws ec2 describe-instance-type-offerings --location-type availability-zone --filters Name=instance-type,Values=${req.instanceTypes[0]}\`), or other subnets`,
      data: { attempts },
    });
  }
  throw new AwsError('INSUFFICIENT_CAPACITY', `No capacity for ${req.count} scanner(s): tried ${attempts.map((a) => `${a.instanceType} in ${a.subnetId} (${a.error})`).join(', ')}.`, {
    hint: 'add instance types (scanners.instanceType: [a, b]) or subnets in other availability zones, or retry later',
    data: { attempts },
  });
}
