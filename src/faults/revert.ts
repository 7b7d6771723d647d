/**
 * @module Reverting a fault from its journalled descriptor alone (what `cleanup` does after the
 * tool was killed): dispatch on the mechanism, revert, then prove it.
 */
import type { RevertDescriptor, RevertOutcome, RevertProof } from './fault.js';
import { revertProxyFault, verifyProxyFaultReverted } from './proxy/mechanism.js';
import { revertProcessFault, verifyProcessFaultReverted } from './process/mechanism.js';

/** What reverting one descriptor did, and the proof that followed. */
export interface DescriptorRevert {
  readonly descriptor: RevertDescriptor;
  readonly outcome: RevertOutcome;
  readonly proof: RevertProof;
}

/** Reverts the fault `descriptor` names (idempotent) and checks it is gone. */
export async function revertFromDescriptor(descriptor: RevertDescriptor): Promise<DescriptorRevert> {
  switch (descriptor.mechanism) {
    case 'sandbox-proxy': {
      const outcome = await revertProxyFault(descriptor);
      return { descriptor, outcome, proof: await verifyProxyFaultReverted(descriptor) };
    }
    case 'sandbox-process': {
      const outcome = await revertProcessFault(descriptor);
      return { descriptor, outcome, proof: await verifyProcessFaultReverted(descriptor) };
    }
  }
}
