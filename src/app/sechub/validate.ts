import { DESCRIPTION_MAX, PRODUCT_FIELD_VALUE_MAX, REMEDIATION_TEXT_MAX, TITLE_MAX } from './asff.js';
import type { AsffFinding } from './types.js';

/**
 * The BatchImportFindings rules we check before sending. Security Hub enforces them (and fails the
 * finding in FailedFindings); moto does not, so this is also how tests hold us to them.
 */
export function asffProblems(f: AsffFinding): string[] {
  const p: string[] = [];
  const iso = (name: string, v: string | undefined) => {
    if (v !== undefined && (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(Date.parse(v))))
      p.push(`${name} is not an ISO 8601 time`);
  };
  const len = (name: string, v: string | undefined, min: number, max: number) => {
    const n = v === undefined ? 0 : Array.from(v).length;
    if (n < min || n > max) p.push(`${name} must be ${min}–${max} characters (has ${n})`);
  };
  if (f.SchemaVersion !== '2018-10-08') p.push('SchemaVersion must be 2018-10-08');
  len('Id', f.Id, 1, 512);
  len('GeneratorId', f.GeneratorId, 1, 512);
  if (!/^\d{12}$/.test(f.AwsAccountId)) p.push(`AwsAccountId ${f.AwsAccountId} is not a 12-digit account id`);
  if (!/^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:\d{0,12}:product\/[^/]+\/[^/]+$/.test(f.ProductArn))
    p.push('ProductArn is not a Security Hub product ARN');
  if (f.Types.length < 1 || f.Types.length > 50) p.push('Types must hold 1–50 entries');
  len('Title', f.Title, 1, TITLE_MAX);
  len('Description', f.Description, 1, DESCRIPTION_MAX);
  if (!['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].includes(f.Severity.Label))
    p.push('Severity.Label is not a label');
  iso('CreatedAt', f.CreatedAt);
  iso('UpdatedAt', f.UpdatedAt);
  iso('FirstObservedAt', f.FirstObservedAt);
  iso('LastObservedAt', f.LastObservedAt);
  if (f.Resources.length < 1 || f.Resources.length > 32) p.push('Resources must hold 1–32 resources');
  for (const r of f.Resources) {
    if (!/^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{12}:instance\/i-[0-9a-f]+$/.test(r.Id))
      p.push(`Resources Id ${r.Id} is not an EC2 instance ARN`);
  }
  const fields = Object.entries(f.ProductFields);
  if (fields.length > 50) p.push('ProductFields holds more than 50 pairs');
  for (const [k, v] of fields) {
    if (k.length >= 128) p.push(`ProductFields key ${k.slice(0, 20)}… is too long`);
    if (Array.from(v).length > PRODUCT_FIELD_VALUE_MAX)
      p.push(`ProductFields ${k} is longer than ${PRODUCT_FIELD_VALUE_MAX}`);
  }
  if (f.Remediation?.Recommendation.Text !== undefined)
    len('Remediation.Recommendation.Text', f.Remediation.Recommendation.Text, 1, REMEDIATION_TEXT_MAX);
  if (f.RecordState !== 'ACTIVE' && f.RecordState !== 'ARCHIVED') p.push('RecordState must be ACTIVE or ARCHIVED');
  return p;
}
