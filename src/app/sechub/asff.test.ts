import { describe, expect, it } from 'vitest';
import { parseAsset, parseVuln, type TenableVuln } from '../../adapters/tenable/exports.js';
import { assetRecords, INSTANCES, vulnRecord } from '../../../test/fixtures/sechub/findings.js';
import { defaultProductArn, findingId, severityLabel, toAsff, truncate } from './asff.js';
import type { AwsAsset } from './types.js';
import { asffProblems } from './validate.js';

const ctx = { productArn: defaultProductArn('us-east-1'), fallbackTime: '2024-06-01T00:00:00.000Z' };

function asset(n = 0): AwsAsset {
  const a = parseAsset(assetRecords()[n])!;
  return { ...a.aws!, uuid: a.uuid, ipv4s: a.ipv4s, ipv6s: a.ipv6s };
}
function vuln(spec: Parameters<typeof vulnRecord>[0]): TenableVuln {
  const v = parseVuln(vulnRecord(spec));
  if ('unreadable' in v) throw new Error(v.unreadable);
  return v;
}

describe('toAsff', () => {
  it('maps a finding field by field', () => {
    const i = INSTANCES[0]!;
    const f = toAsff(
      vuln({
        assetUuid: i.assetUuid,
        pluginId: 42873,
        severity: 'medium',
        port: 443,
        cves: ['CVE-2016-2183', 'cve-2016-6329'],
      }),
      asset(),
      ctx,
    );
    expect(f).toEqual({
      SchemaVersion: '2018-10-08',
      Id: 'us-east-1/i-0a1b2c3d4e5f60001/42873/443/tcp',
      ProductArn: 'arn:aws:securityhub:us-east-1::product/tenable/vulnerability-management',
      GeneratorId: 'tenable-plugin-42873',
      AwsAccountId: '123456789012',
      Types: ['Software and Configuration Checks/Vulnerabilities/CVE'],
      CreatedAt: '2024-03-22T13:29:22.070Z',
      UpdatedAt: '2024-05-01T12:00:00.000Z',
      FirstObservedAt: '2024-03-22T13:29:22.070Z',
      LastObservedAt: '2024-05-01T12:00:00.000Z',
      Severity: { Label: 'MEDIUM', Original: 'medium' },
      Title: 'Amazon Linux 2 : openssl (ALAS-2024-42873)',
      Description: 'The version of openssl installed on the remote host is affected (plugin 42873).',
      SourceUrl: 'https://www.tenable.com/plugins/nessus/42873',
      ProductFields: {
        'tenable/plugin/id': '42873',
        'tenable/plugin/family': 'Amazon Linux Local Security Checks',
        'tenable/plugin/type': 'local',
        'tenable/asset/uuid': i.assetUuid,
        'tenable/port': '443',
        'tenable/protocol': 'tcp',
        'tenable/service': 'www',
        'tenable/state': 'open',
        'tenable/cves': 'CVE-2016-2183, CVE-2016-6329',
        'tenable/vpr': '5.9',
      },
      Remediation: {
        Recommendation: {
          Text: "Run 'yum update openssl' to update your system.",
          Url: 'https://alas.aws.amazon.com/AL2/ALAS-2024-2502.html',
        },
      },
      Resources: [
        {
          Type: 'AwsEc2Instance',
          Id: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f60001',
          Partition: 'aws',
          Region: 'us-east-1',
          Details: {
            AwsEc2Instance: {
              Type: 'm5.large',
              ImageId: 'ami-0abc000000000001',
              IpV4Addresses: ['10.0.0.10'],
              IpV6Addresses: ['2001:db8::10'],
              SubnetId: 'subnet-00aa11bb22cc33dd4',
              VpcId: 'vpc-00aa11bb22cc33dd44',
            },
          },
        },
      ],
      Vulnerabilities: [
        {
          Id: 'CVE-2016-2183',
          RelatedVulnerabilities: ['CVE-2016-6329'],
          Vendor: { Name: 'Tenable', Url: 'https://www.tenable.com/plugins/nessus/42873' },
          ReferenceUrls: ['https://alas.aws.amazon.com/AL2/ALAS-2024-2502.html'],
          FixAvailable: 'YES',
          Cvss: [{ Version: '3.0', BaseScore: 7.5, BaseVector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
        },
      ],
      RecordState: 'ACTIVE',
    });
    expect(asffProblems(f)).toEqual([]);
  });

  it('labels every severity and keeps the original', () => {
    for (const [sev, label] of [
      ['info', 'INFORMATIONAL'],
      ['low', 'LOW'],
      ['medium', 'MEDIUM'],
      ['high', 'HIGH'],
      ['critical', 'CRITICAL'],
    ] as const) {
      expect(severityLabel(sev)).toBe(label);
      const f = toAsff(vuln({ assetUuid: 'x', pluginId: 1, severity: sev }), asset(), ctx);
      expect(f.Severity).toEqual({ Label: label, Original: sev });
      expect(f).not.toHaveProperty('Severity.Normalized');
    }
  });

  it('archives fixed findings and dates them by the fix; reopened stays active', () => {
    const fixed = toAsff(vuln({ assetUuid: 'x', pluginId: 2, severity: 'high', state: 'FIXED' }), asset(), ctx);
    expect(fixed.RecordState).toBe('ARCHIVED');
    expect(fixed.UpdatedAt).toBe('2024-05-02T08:00:00.000Z');
    expect(fixed.ProductFields['tenable/state']).toBe('fixed');
    expect(
      toAsff(vuln({ assetUuid: 'x', pluginId: 2, severity: 'high', state: 'REOPENED' }), asset(), ctx).RecordState,
    ).toBe('ACTIVE');
  });

  it('gives one Id per port and protocol, stable across runs', () => {
    const ids = [80, 443, 8443].map(
      (port) => toAsff(vuln({ assetUuid: 'x', pluginId: 42873, severity: 'medium', port }), asset(), ctx).Id,
    );
    expect(new Set(ids).size).toBe(3);
    expect(findingId({ region: 'us-east-1', instanceId: 'i-1', pluginId: 5, port: 53, protocol: 'UDP' })).toBe(
      'us-east-1/i-1/5/53/udp',
    );
    const again = toAsff(vuln({ assetUuid: 'x', pluginId: 42873, severity: 'medium', port: 80 }), asset(), {
      ...ctx,
      fallbackTime: '2030-01-01T00:00:00.000Z',
    });
    expect(again.Id).toBe(ids[0]);
    expect(again.UpdatedAt).toBe('2024-05-01T12:00:00.000Z'); // no clock in the mapping
  });

  it('truncates the title to 256 and the description to 1024 characters', () => {
    const f = toAsff(
      vuln({
        assetUuid: 'x',
        pluginId: 3,
        severity: 'low',
        name: `N${'é'.repeat(400)}`,
        description: 'd'.repeat(5000),
      }),
      asset(),
      ctx,
    );
    expect(Array.from(f.Title)).toHaveLength(256);
    expect(f.Title.endsWith('…')).toBe(true);
    expect(f.Description).toHaveLength(1024);
    expect(truncate('short', 10)).toBe('short');
    expect(asffProblems(f)).toEqual([]);
  });

  it('uses the owner account and the asset region (partition included) for the resource', () => {
    const other = asset(2);
    const f = toAsff(vuln({ assetUuid: other.uuid, pluginId: 4, severity: 'high' }), other, ctx);
    expect(f.AwsAccountId).toBe('210987654321');
    expect(f.Resources[0]!.Id).toBe('arn:aws:ec2:us-east-1:210987654321:instance/i-0b1b2c3d4e5f60001');
    const gov = { ...other, region: 'us-gov-west-1' };
    const g = toAsff(vuln({ assetUuid: other.uuid, pluginId: 4, severity: 'high' }), gov, {
      ...ctx,
      productArn: defaultProductArn('us-gov-west-1'),
    });
    expect(g.Resources[0]).toMatchObject({
      Id: 'arn:aws-us-gov:ec2:us-gov-west-1:210987654321:instance/i-0b1b2c3d4e5f60001',
      Partition: 'aws-us-gov',
    });
    expect(g.ProductArn).toBe('arn:aws-us-gov:securityhub:us-gov-west-1::product/tenable/vulnerability-management');
  });

  it('omits CVE details when there are none', () => {
    const f = toAsff(vuln({ assetUuid: 'x', pluginId: 19506, severity: 'info' }), asset(), ctx);
    expect(f.Types).toEqual(['Software and Configuration Checks/Vulnerabilities']);
    expect(f).not.toHaveProperty('Vulnerabilities');
    expect(f.ProductFields).not.toHaveProperty('tenable/cves');
  });
});

describe('asffProblems', () => {
  it('finds what Security Hub would reject (moto accepts it all)', () => {
    const f = toAsff(vuln({ assetUuid: 'x', pluginId: 5, severity: 'low' }), asset(), ctx);
    expect(asffProblems({ ...f, AwsAccountId: '12345' })).toEqual(['AwsAccountId 12345 is not a 12-digit account id']);
    expect(asffProblems({ ...f, Title: 't'.repeat(257) })[0]).toMatch(/^Title must be 1–256/);
    expect(asffProblems({ ...f, Resources: [] })).toContain('Resources must hold 1–32 resources');
    expect(asffProblems({ ...f, CreatedAt: 'yesterday' })).toContain('CreatedAt is not an ISO 8601 time');
  });
});

describe('parseAsset', () => {
  it('reads the v1 flat and the v2 nested AWS fields, and pads numeric owner ids', () => {
    expect(
      parseAsset({
        id: 'a',
        aws_ec2_instance_id: 'i-0123456789abcdef0',
        aws_owner_id: 12345678901,
        aws_availability_zone: 'eu-west-1b',
      })?.aws,
    ).toMatchObject({
      ownerId: '012345678901',
      region: 'eu-west-1',
    });
    expect(
      parseAsset({
        id: 'b',
        cloud: {
          aws: {
            ec2_instance_id: 'i-00f9e618482900000',
            owner_id: '600832220000',
            region: 'us-east-1',
            ec2_instance_type: 't2.medium',
          },
        },
        network: { ipv4s: ['192.168.1.2'] },
      }),
    ).toMatchObject({
      uuid: 'b',
      ipv4s: ['192.168.1.2'],
      aws: { instanceId: 'i-00f9e618482900000', ownerId: '600832220000', instanceType: 't2.medium' },
    });
    expect(parseAsset({ id: 'c', ipv4s: ['10.0.0.1'] })?.aws).toBeUndefined();
    expect(parseAsset({ id: 'd', aws_ec2_instance_id: 'i-0123456789abcdef0' })?.aws).toBeUndefined(); // no owner/region
  });
});

describe('parseVuln', () => {
  it('accepts severity ids and odd casing; rejects what cannot be mapped', () => {
    const v = parseVuln({
      asset: { uuid: 'a' },
      plugin: { id: '10' },
      severity_id: 4,
      state: 'Reopened',
      port: { port: '8080', protocol: 'UDP' },
    });
    expect(v).toMatchObject({ pluginId: 10, severity: 'critical', state: 'reopened', port: 8080, protocol: 'udp' });
    expect(parseVuln({ plugin: { id: 1 }, severity: 'high', state: 'OPEN' })).toEqual({ unreadable: 'no asset.uuid' });
    expect(parseVuln({ asset: { uuid: 'a' }, plugin: { id: 1 }, severity: 'high', state: 'WEIRD' })).toEqual({
      unreadable: 'unknown state WEIRD',
    });
  });
});
