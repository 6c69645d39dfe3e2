import type { Step } from '../context.js';
import { accessCidrsStep } from './access-cidrs.js';
import { awsStep } from './aws.js';
import { fleetNameStep } from './fleet-name.js';
import { groupsStep } from './groups.js';
import { keyPairStep } from './key-pair.js';
import { linkModeStep } from './link-mode.js';
import { linkingKeyStep } from './linking-key.js';
import { networkStep } from './network.js';
import { scannersStep } from './scanners.js';
import { tagsStep } from './tags.js';
import { tenableStep } from './tenable.js';

/** The wizard's questions, in order. */
export const STEPS: readonly Step[] = [
  fleetNameStep,
  awsStep,
  networkStep,
  tenableStep,
  linkModeStep,
  linkingKeyStep,
  groupsStep,
  scannersStep,
  accessCidrsStep,
  keyPairStep,
  tagsStep,
];
