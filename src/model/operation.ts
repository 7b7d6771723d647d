/**
 * @module The one operation model every scenario shares: what a write to the API is (create,
 * update, delete), how it names its object, and the times it carries on the run's monotonic clock.
 */

/** The kinds of write a scenario performs on an object. */
export const operationTypes = ['create', 'update', 'delete'] as const;
/** One kind of write. */
export type OperationType = (typeof operationTypes)[number];

/** `Kind/namespace/name`: how operations, engine events and tracker records name an object. */
export function objectKeyOf(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

/** Times every operation carries, in ms on the run's monotonic clock. */
export interface OperationTimes {
  /** 0-based position of the operation in its stream (or schedule). */
  index: number;
  /** When the operation was due: open loop, from the schedule; closed loop, when a slot freed. Latencies count from here. */
  intendedStart: number;
  /** When the request was handed to the client. */
  sent: number;
  /** When its response had been read. */
  received: number;
}

/** A write the API accepted, as the tracker needs it to time the object's next milestone. */
export interface AcceptedWrite extends OperationTimes {
  key: string;
  kind: string;
  namespace: string | undefined;
  name: string;
  uid: string;
  /** `metadata.generation` after the write: Ready must be observed at a generation at least this. */
  generation: number;
}
