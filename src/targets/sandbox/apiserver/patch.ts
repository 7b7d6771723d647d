/** @module The patch types of the Kubernetes API: JSON merge patch (RFC 7386), JSON patch (RFC 6902, via fast-json-patch) and their content types. */
import fjp from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { ApiStatusError, badRequest, failure } from './status.js';

/** Content types of PATCH requests. */
export const patchTypes = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** A plain JSON object. */
export type JsonObject = Record<string, unknown>;

/** True for a non-null, non-array object. */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * RFC 7386 JSON merge patch: objects merge recursively, `null` deletes, everything else
 * (scalars and arrays) replaces. Written here because it is ten lines; RFC 6902 uses a library.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * Applies an RFC 6902 JSON patch to a copy of `doc`. A patch that is not a list of operations is a
 * 400; an operation that cannot apply (failed `test`, missing path) is a 422, as a real server answers.
 */
export function jsonPatch(doc: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  try {
    return fjp.applyPatch(structuredClone(doc), patch as Operation[], true, true).newDocument;
  } catch (e) {
    if (e instanceof fjp.JsonPatchError) {
      const first = e.message.split('\n')[0] ?? e.message;
      const op: unknown = e.operation;
      const path = isObject(op) && typeof op.path === 'string' ? op.path : '';
      if (e.name === 'TEST_OPERATION_FAILED') {
        throw new ApiStatusError(failure(422, 'Invalid', `the server rejected our request due to an error in our request: testing value ${path} failed: ${first}`));
      }
      if (e.name === 'OPERATION_PATH_UNRESOLVABLE' || e.name === 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX' || e.name === 'OPERATION_VALUE_OUT_OF_BOUNDS') {
        throw new ApiStatusError(failure(422, 'Invalid', `the server rejected our request due to an error in our request: ${first}: ${path}`));
      }
      throw badRequest(`the server rejected our request due to an error in our request: ${first}`);
    }
    throw e;
  }
}
