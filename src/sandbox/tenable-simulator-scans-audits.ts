import type { Severity } from './tenable-simulator-scans-plugins.js';

/**
 * The CIS AWS Foundations checks a simulated Audit Cloud Infrastructure scan reports, per audit file.
 * Audit ids and names follow the "Amazon AWS" compliance entries recorded in pyTenable's
 * `tests/io/cassettes/test_scan_create_scan_document_scanner_uuid_pass.yaml` (github:tenable/pyTenable
 * @ 9674fac2af92); the results (which checks pass, warn or fail) are made up.
 */

export type CheckResult = 'PASSED' | 'WARNING' | 'FAILED';

export interface SimCheck {
  name: string;
  result: CheckResult;
}

export interface SimAudit {
  id: string;
  name: string;
  checks: SimCheck[];
}

const check = (name: string, result: CheckResult): SimCheck => ({ name, result });

/**
 * CIS numbering depends on the benchmark version: access key rotation is 1.4 in v1.2.0 and 1.14 in
 * v1.5.0 (where v1.2.0's 1.14 is the root hardware MFA check the guide's screenshot shows). The v1.2.0
 * audit id is the recorded one; the v1.5.0 id follows its pattern.
 */
export const AWS_AUDITS: readonly SimAudit[] = [
  {
    id: '72426_CIS_Amazon_Web_Services_Foundations_v1.5.0_L1.audit',
    name: 'CIS Amazon Web Services Foundations L1 1.5.0',
    checks: [
      check("1.4 Ensure no 'root' user account access key exists", 'PASSED'),
      check("1.5 Ensure MFA is enabled for the 'root' user account", 'PASSED'),
      check("1.6 Ensure hardware MFA is enabled for the 'root' user account", 'WARNING'),
      check('1.8 Ensure IAM password policy requires minimum length of 14 or greater', 'FAILED'),
      check('1.9 Ensure IAM password policy prevents password reuse', 'FAILED'),
      check(
        '1.10 Ensure multi-factor authentication (MFA) is enabled for all IAM users that have a console password',
        'PASSED',
      ),
      check('1.12 Ensure credentials unused for 45 days or greater are disabled', 'WARNING'),
      check('1.13 Ensure there is only one active access key available for any single IAM user', 'PASSED'),
      check('1.14 Ensure access keys are rotated every 90 days or less', 'FAILED'),
      check('1.16 Ensure IAM policies that allow full "*:*" administrative privileges are not attached', 'PASSED'),
      check('1.17 Ensure a support role has been created to manage incidents with AWS Support', 'WARNING'),
      check('3.1 Ensure CloudTrail is enabled in all regions', 'PASSED'),
    ],
  },
  {
    id: '72426_CIS_Amazon_Web_Services_Foundations_v1.2.0_Level1.audit',
    name: 'CIS Amazon Web Services Foundations L1 1.2.0',
    checks: [
      check("1.1 Avoid the use of the 'root' account", 'WARNING'),
      check(
        '1.2 Ensure multi-factor authentication (MFA) is enabled for all IAM users that have a console password',
        'PASSED',
      ),
      check('1.3 Ensure credentials unused for 90 days or greater are disabled', 'PASSED'),
      check('1.4 Ensure access keys are rotated every 90 days or less', 'FAILED'),
      check('1.9 Ensure IAM password policy requires minimum length of 14 or greater', 'FAILED'),
      check('1.10 Ensure IAM password policy prevents password reuse', 'FAILED'),
      check('1.12 Ensure no root account access key exists', 'PASSED'),
      check("1.13 Ensure MFA is enabled for the 'root' account", 'PASSED'),
      check("1.14 Ensure hardware MFA is enabled for the 'root' account", 'WARNING'),
      check('2.1 Ensure CloudTrail is enabled in all regions', 'PASSED'),
    ],
  },
];

export const AWS_COMPLIANCE_FAMILY = 'Amazon AWS Compliance Checks';
/** Audit results land at these severities (PASSED info, WARNING medium, FAILED high). */
export const CHECK_SEVERITY: Record<CheckResult, Severity> = { PASSED: 0, WARNING: 2, FAILED: 3 };
