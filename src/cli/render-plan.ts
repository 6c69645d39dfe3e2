import type { Plan } from '../core/plan.js';
import type { SgRule } from '../core/security-group.js';

type Style = (format: 'bold' | 'green' | 'yellow' | 'red' | 'dim' | 'cyan', text: string) => string;

/** The plan as text: the same renderer serves `plan`, `up` (before asking) and the wizard review. */
export function renderPlan(plan: Plan, style: Style, opts: { showUserData?: boolean } = {}): string {
  const out: string[] = [];
  const mark = (action: string) =>
    action === 'create' || action === 'create-or-update' ? style('green', '+ create') : action === 'keep' ? style('dim', '= keep  ') : style('cyan', '~ use   ');
  const where = plan.accountId ? `account ${plan.accountId}, ` : '';
  out.push(style('bold', `Plan for fleet "${plan.fleet}" (${where}${plan.region}, partition ${plan.partition})${plan.offline ? ' — offline: nothing looked up in AWS' : ''}`));
  out.push(`  Tenable: site ${plan.tenable.site} (API ${plan.tenable.apiUrl}), link with ${plan.tenable.link}, method ${plan.linkMethod}`);
  out.push('');

  const ami = plan.ami.action === 'pinned' ? `pinned ${plan.ami.id}` : plan.ami.id ? `${plan.ami.id} (newest with product code ${plan.ami.productCode})` : `newest image with product code ${plan.ami.productCode} from owner ${plan.ami.owner} (resolved at run time)`;
  out.push(`  AMI              ${ami}${plan.ami.name ? ` — ${plan.ami.name}` : ''}`);
  out.push(`  Network          VPC ${plan.network.vpcId ?? '(default VPC)'}; subnets ${plan.network.subnets?.join(', ') ?? "(the default VPC's subnets, spread)"}; public IP ${plan.network.publicIp}`);
  const pc = plan.network.pathCheck;
  out.push(`  Network path     ${pc ? (pc.ok ? style('green', `ok — ${pc.summary}`) : style('red', `FAILS — ${pc.problems.join('; ')}`)) : 'not checked (offline)'}`);
  out.push('');

  const sg = plan.securityGroup;
  out.push(`${mark(sg.action)} security group ${sg.name}${sg.id ? ` (${sg.id})` : ''}`);
  out.push(`      inbound:  ${sg.ingress.length ? sg.ingress.map(rule).join(', ') : 'none'}`);
  out.push(`      outbound: ${sg.egress.map(rule).join(', ')} (the default allow-all egress rule is revoked)`);
  out.push(
    sg.scanEgress.length
      ? `      scan egress: all traffic to ${sg.scanEgress.map((r) => r.destination).join(', ')} (scan.egress)`
      : `      scan egress: none — \`scan\` can reach only what 443 out allows; list target CIDRs or security groups in scan.egress`,
  );

  if (plan.keyPair) {
    const kp = plan.keyPair;
    const detail = kp.mode === 'create' ? `private key written to ${kp.privateKeyPath} (0400, never overwritten)` : kp.mode === 'import' ? `public key from ${kp.publicKeyPath}` : 'existing key pair';
    out.push(`${mark(kp.action)} key pair ${kp.name} — ${detail}`);
  } else {
    out.push(`${style('dim', '  none  ')} key pair — no SSH key (access.keyPair: none)`);
  }

  if (plan.iam.mode === 'create') {
    out.push(`${mark(plan.iam.action)} IAM role ${plan.iam.roleName} + instance profile ${plan.iam.instanceProfileName}`);
    out.push(`      trust: ${JSON.stringify(plan.iam.trustPolicy.Statement[0]?.Principal)}`);
    for (const s of plan.iam.inlinePolicy?.Statement ?? []) out.push(`      allow ${[s.Action].flat().join(', ')} on ${[s.Resource].flat().join(', ')}`);
    for (const m of plan.iam.managedPolicies) out.push(`      attach ${m}`);
    if (!plan.iam.inlinePolicy && plan.iam.managedPolicies.length === 0) out.push('      no permissions (nothing to read at boot)');
  } else {
    out.push(`${mark('use-existing')} instance profile ${plan.iam.instanceProfileName} (not managed by nessus-byol)`);
  }

  if (plan.linkingKey) {
    const lk = plan.linkingKey;
    out.push(`${mark(lk.action)} linking key from ${lk.source} → ${lk.store}${lk.owned ? ' (owned by this fleet)' : ''}`);
  }

  const inst = plan.instances;
  out.push(`${inst.toLaunch > 0 ? style('green', '+ create') : style('dim', '= keep  ')} ${inst.toLaunch} of ${inst.desired} scanner instance(s)${inst.existing ? ` (${inst.existing} already running)` : ''}`);
  for (const l of inst.launches) {
    out.push(`      ${l.count} × ${l.instanceTypes.join(' | ')} in ${l.subnetId ?? '(default VPC subnet)'}${l.availabilityZone ? ` (${l.availabilityZone})` : ''}, public IP ${l.associatePublicIp}; names ${[...new Set(l.scannerNames)].join(', ')}`);
  }
  out.push(`      IMDSv2 required (hop limit ${inst.metadataOptions.HttpPutResponseHopLimit}); root ${inst.rootVolume.deviceName} ${inst.rootVolume.sizeGiB} GiB gp3 encrypted${inst.rootVolume.kmsKeyId ? ` with ${inst.rootVolume.kmsKeyId}` : ' (default EBS key)'}`);
  out.push(`      tags: ${Object.entries(inst.tags).map(([k, v]) => `${k}=${v}`).join(', ')}`);

  for (const d of plan.drift) out.push(style('yellow', `  drift: ${d}`));
  for (const w of plan.warnings) out.push(style('yellow', `  warning: ${w}`));

  if (opts.showUserData !== false && inst.launches[0]) {
    out.push('');
    out.push(style('bold', `User-data${inst.launches.length > 1 && inst.launches[0].userData !== inst.launches[1]?.userData ? ' (first scanner)' : ''} — secrets masked:`));
    out.push(inst.launches[0].userData.replace(/^/gm, '  │ '));
  }
  return out.join('\n');
}

function rule(r: SgRule): string {
  return `tcp/${r.port} ${r.cidr}`;
}
