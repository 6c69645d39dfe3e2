/**
 * The Nessus images the sandbox registers in moto (MOTO_AMIS_PATH). They carry the real Marketplace
 * owner account and product codes so the tool's AMI lookup runs unchanged against the sandbox.
 */
import { BYOL_PRODUCT_CODE, MARKETPLACE_OWNER_ID, PREAUTHORIZED_PRODUCT_CODE } from '../config/schema.js';
import { newestFirst } from '../core/newest-image.js';

export { BYOL_PRODUCT_CODE, MARKETPLACE_OWNER_ID, PREAUTHORIZED_PRODUCT_CODE };

export const SANDBOX_AMIS = {
  /** Nessus BYOL, the image `ami: { productCode }` resolves to. */
  byol: 'ami-0a5e7b0c1d2e3f401',
  /**
   * A second BYOL image for "newer AMI" tests. moto gives every MOTO_AMIS_PATH image the load time as
   * creation date, so tests switch a pinned `ami.id` between `byol` and this one.
   */
  byolNewer: 'ami-0a5e7b0c1d2e3f402',
  /** Nessus pre-authorized scanner (JSON user-data, links itself at first boot). */
  preauthorized: 'ami-0a5e7b0c1d2e3f403',
} as const;

interface MotoAmi {
  ami_id: string;
  name: string;
  description: string;
  owner_id: string;
  state: 'available';
  public: boolean;
  architecture: 'x86_64';
  root_device_name: string;
  root_device_type: 'ebs';
  virtualization_type: 'hvm';
  hypervisor: 'xen';
  image_location: string;
  product_codes: string[];
  // No `creation_date`: in moto 5.2.1 an entry carrying it breaks POST /moto-api/reset.
}

function image(id: string, name: string, description: string, productCode: string): MotoAmi {
  return {
    ami_id: id,
    name,
    description,
    owner_id: MARKETPLACE_OWNER_ID,
    state: 'available',
    public: true,
    architecture: 'x86_64',
    root_device_name: '/dev/xvda',
    root_device_type: 'ebs',
    virtualization_type: 'hvm',
    hypervisor: 'xen',
    image_location: `aws-marketplace/${name}`,
    product_codes: [productCode],
  };
}

/** The BYOL image `ami: { productCode }` resolves to in the sandbox: the newest by the rule `up` uses. */
export function newestSandboxByolAmi(): { id: string; name: string } {
  const byol = sandboxAmiDocument()
    .filter((i) => i.product_codes.includes(BYOL_PRODUCT_CODE))
    .sort((a, b) => newestFirst({ name: a.name }, { name: b.name }));
  return { id: byol[0]!.ami_id, name: byol[0]!.name };
}

export function sandboxAmiDocument(): MotoAmi[] {
  return [
    image(
      SANDBOX_AMIS.byol,
      'Nessus 10.8.3 BYOL-5b1f1c5e-3e0a-4a2b-9d6c-0f6f2b2a7c11',
      'Tenable Nessus 10.8.3 (BYOL)',
      BYOL_PRODUCT_CODE,
    ),
    image(
      SANDBOX_AMIS.byolNewer,
      'Nessus 10.9.1 BYOL-8c2d4e6f-7a1b-4c3d-8e5f-1a2b3c4d5e6f',
      'Tenable Nessus 10.9.1 (BYOL)',
      BYOL_PRODUCT_CODE,
    ),
    image(
      SANDBOX_AMIS.preauthorized,
      'Nessus 10.8.3 Pre-Authorized Scanner-2f4e6a8c-1b3d-4f5a-9c7e-3d5f7b9a1c2e',
      'Tenable Nessus 10.8.3 pre-authorized scanner',
      PREAUTHORIZED_PRODUCT_CODE,
    ),
  ];
}
