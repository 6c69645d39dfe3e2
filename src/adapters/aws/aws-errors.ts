import { AwsError, NessusByolError } from '../../core/errors.js';

interface SdkErrorShape {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Error names that mean "credentials are missing or wrong" across services. */
const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'AuthFailure',
  'InvalidAccessKeyId',
  'IncompleteSignature',
]);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);

export function awsErrorCode(e: unknown): string {
  const err = e as SdkErrorShape;
  return err?.name ?? err?.Code ?? err?.code ?? 'Unknown';
}

export function isAwsErrorCode(e: unknown, ...codes: string[]): boolean {
  const code = awsErrorCode(e);
  return codes.includes(code) || codes.includes((e as SdkErrorShape)?.Code ?? '');
}

/** Turns an SDK error into the tool's AwsError with a cause and a fix; `action` names what we were doing. */
export function toAwsError(e: unknown, action: string): NessusByolError {
  if (e instanceof NessusByolError) return e;
  const code = awsErrorCode(e);
  const message = (e as SdkErrorShape)?.message ?? String(e);
  if (code === 'CredentialsProviderError' || /Could not load credentials|Unable to locate credentials/i.test(message)) {
    return new AwsError('NO_CREDENTIALS', `No AWS credentials were found while ${action}.`, {
      hint: 'configure credentials: `aws configure`, `aws sso login --profile <p>` with --profile/AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (in CI: an OIDC role)',
      cause: e,
    });
  }
  if (CREDENTIAL_ERRORS.has(code)) {
    return new AwsError('INVALID_CREDENTIALS', `AWS rejected the credentials while ${action} (${code}).`, {
      hint: 'check the access key / profile in use (`aws sts get-caller-identity`), and that it belongs to this partition (GovCloud keys differ)',
      cause: e,
    });
  }
  if (EXPIRED.has(code)) {
    return new AwsError('EXPIRED_TOKEN', `The AWS session token has expired (${code}) while ${action}.`, {
      hint: 'refresh it: `aws sso login`, re-assume the role, or renew the session credentials',
      cause: e,
    });
  }
  if (code === 'OptInRequired') {
    return new AwsError('NOT_SUBSCRIBED', `This AWS account is not subscribed to the Nessus Marketplace listing (${code}) while ${action}.`, {
      hint: 'subscribe once in AWS Marketplace ("Tenable Nessus (BYOL)" → Continue to Subscribe → Accept terms), then re-run',
      cause: e,
    });
  }
  if (code === 'UnauthorizedOperation' || code === 'AccessDenied' || code === 'AccessDeniedException') {
    return new AwsError('ACCESS_DENIED', `AWS denied ${action}: ${firstLine(message)}`, {
      hint: 'grant the caller the permissions in `nessus-byol iam-policy` (README: "IAM permissions")',
      cause: e,
    });
  }
  if (code === 'InsufficientInstanceCapacity') {
    return new AwsError('INSUFFICIENT_CAPACITY', `AWS has no capacity for the instance type while ${action}.`, {
      hint: 'list more instance types (scanners.instanceType: [a, b]) or subnets in other availability zones',
      cause: e,
    });
  }
  if (code === 'Unsupported' || code === 'InvalidParameterValue' && /instance type/i.test(message)) {
    return new AwsError('UNSUPPORTED', `AWS refused ${action}: ${firstLine(message)}`, {
      hint: 'choose an instance type offered in the subnet\'s availability zone (`aws ec2 describe-instance-type-offerings --location-type availability-zone`)',
      cause: e,
    });
  }
  if (/getaddrinfo|ECONNREFUSED|ENOTFOUND|connect ETIMEDOUT|socket hang up/i.test(message) || code === 'TimeoutError') {
    return new AwsError('UNREACHABLE', `AWS could not be reached while ${action}: ${firstLine(message)}`, {
      hint: 'check the network, proxy settings, the region name and AWS_ENDPOINT_URL if set',
      cause: e,
    });
  }
  return new AwsError(code.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase(), `AWS refused ${action}: ${code}: ${firstLine(message)}`, { cause: e });
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? s).slice(0, 300);
}

/** Runs an SDK call and maps its failure. */
export async function aws<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw toAwsError(e, action);
  }
}
