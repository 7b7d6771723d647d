/**
 * @module Waiting for one object to reach a state (I/O): read it, then watch it by name from that
 * resourceVersion (reconnecting as {@link ObjectFollower} does), until a predicate on it (or on
 * its absence) holds or the time runs out. No polling: every change the API server sends is seen.
 */
import type { ObjectKind } from '../../model/object-kinds.js';
import type { KubeClient, KubeObject } from '../../observe/kube-client.js';
import { ObjectFollower } from '../../observe/object-follower.js';

/** What the predicate decides on the object as it is now (null: it does not exist). */
export type WaitVerdict = { readonly done: true } | { readonly done: false } | { readonly failed: string };

/** How a wait ended: the predicate held, failed, or the time ran out; with the last state seen. */
export interface WaitResult {
  readonly outcome: 'done' | 'failed' | 'timeout';
  /** The object as last seen (null: gone, or never there). */
  readonly last: KubeObject | null;
  readonly detail: string;
}

/** Waits until `decide` says done or failed for `kind` `namespace/name`, at most `timeoutMs`. */
export async function waitForObject(client: KubeClient, kind: ObjectKind, namespace: string, name: string, decide: (obj: KubeObject | null) => WaitVerdict, timeoutMs: number): Promise<WaitResult> {
  let last: KubeObject | null = null;
  let settle: (r: WaitResult) => void = () => undefined;
  const result = new Promise<WaitResult>((resolve) => {
    settle = resolve;
  });
  let ended = false;
  const judge = (obj: KubeObject | null): void => {
    if (ended) return;
    last = obj;
    const v = decide(obj);
    if ('failed' in v) {
      ended = true;
      settle({ outcome: 'failed', last: obj, detail: v.failed });
    } else if (v.done) {
      ended = true;
      settle({ outcome: 'done', last: obj, detail: '' });
    }
  };
  let lastError = '';
  const follower = new ObjectFollower({
    client,
    kind,
    namespace,
    select: { name },
    onObject: judge,
    onDeleted: () => judge(null),
    onError: (m) => {
      lastError = m;
    },
  });
  const timer = setTimeout(() => {
    if (ended) return;
    ended = true;
    settle({ outcome: 'timeout', last, detail: lastError === '' ? `not within ${Math.round(timeoutMs / 1000)} s` : `not within ${Math.round(timeoutMs / 1000)} s (${lastError})` });
  }, timeoutMs);
  try {
    await follower.start();
    // Nothing there on the first read: its absence is a state too (a deletion already done).
    if (!ended && last === null) judge(null);
    return await result;
  } finally {
    clearTimeout(timer);
    follower.stop();
  }
}
