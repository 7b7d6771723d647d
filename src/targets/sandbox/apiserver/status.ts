/** @module `kind: Status` bodies of the sandbox API server, with the codes, reasons and messages of a real kube-apiserver. */
import { ExitCode, LoadtestError } from '../../../errors.js';

/** One cause of a Status, as in metav1.StatusCause. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** metav1.StatusDetails. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** A metav1.Status body, as every error (and some successes) is answered. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, string>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** Builds a failure Status body. */
export function failure(code: number, reason: string, message: string, details?: StatusDetails): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details === undefined ? {} : { details }),
    code,
  };
}

/**
 * A request the server refuses, carrying the Status to answer. It never leaves the handler (the
 * handler turns it into an HTTP response); it extends LoadtestError only to keep one error family.
 */
export class ApiStatusError extends LoadtestError {
  readonly status: StatusBody;
  readonly headers: Record<string, string>;

  constructor(status: StatusBody, headers: Record<string, string> = {}) {
    super(status.message ?? status.reason ?? 'API error', 'E_APISERVER_STATUS', ExitCode.targetNotReady);
    this.status = status;
    this.headers = headers;
  }
}

/** What the Status helpers need to name a resource: `arecords.bindy.firestoned.io` or `namespaces`. */
export interface ResourceRef {
  group: string;
  plural: string;
  kind: string;
}

/** `plural.group`, or `plural` for the core group, as a real server names a resource in messages. */
export function qualifiedResource(r: ResourceRef): string {
  return r.group === '' ? r.plural : `${r.plural}.${r.group}`;
}

function refDetails(r: ResourceRef, name: string): StatusDetails {
  return r.group === '' ? { name, kind: r.plural } : { name, group: r.group, kind: r.plural };
}

/** 404 NotFound for one named object. */
export function notFound(r: ResourceRef, name: string): ApiStatusError {
  return new ApiStatusError(failure(404, 'NotFound', `${qualifiedResource(r)} "${name}" not found`, refDetails(r, name)));
}

/** 404 for a path that names no resource the server knows. */
export function pathNotFound(): ApiStatusError {
  return new ApiStatusError(failure(404, 'NotFound', 'the server could not find the requested resource', {}));
}

/** 409 AlreadyExists on create. */
export function alreadyExists(r: ResourceRef, name: string): ApiStatusError {
  return new ApiStatusError(failure(409, 'AlreadyExists', `${qualifiedResource(r)} "${name}" already exists`, refDetails(r, name)));
}

/** 409 Conflict on a stale resourceVersion (optimistic concurrency). */
export function conflict(r: ResourceRef, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiStatusError {
  return new ApiStatusError(
    failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(r)} "${name}": ${why}`, refDetails(r, name)),
  );
}

/**
 * 422 Invalid. The message lists `field: message` of every cause, in brackets when there are
 * several, exactly like apimachinery's `NewInvalid` (`Kind.group "name" is invalid: [a, b]`).
 */
export function invalid(r: ResourceRef, name: string, causes: StatusCause[]): ApiStatusError {
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message ?? ''}` : (c.message ?? '')));
  const list = parts.length === 1 ? (parts[0] ?? '') : `[${parts.join(', ')}]`;
  const qualifiedKind = r.group === '' ? r.kind : `${r.kind}.${r.group}`;
  const details: StatusDetails = { name, ...(r.group === '' ? {} : { group: r.group }), kind: r.kind, causes };
  return new ApiStatusError(failure(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${list}`, details));
}

/** 400 BadRequest. */
export function badRequest(message: string): ApiStatusError {
  return new ApiStatusError(failure(400, 'BadRequest', message));
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(): ApiStatusError {
  return new ApiStatusError(failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
}

/** 415 UnsupportedMediaType, e.g. a strategic merge patch sent to a custom resource. */
export function unsupportedMediaType(contentType: string, accepted: readonly string[]): ApiStatusError {
  return new ApiStatusError(
    failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format (${contentType}) - accepted media types include: ${accepted.join(', ')}`,
    ),
  );
}

/** 410 Expired: the requested resourceVersion is older than the event history the server keeps. */
export function expired(message: string): ApiStatusError {
  return new ApiStatusError(failure(410, 'Expired', message));
}

/** 401 Unauthorized (no or wrong bearer token). */
export function unauthorized(): ApiStatusError {
  return new ApiStatusError(failure(401, 'Unauthorized', 'Unauthorized'));
}

/** 403 Forbidden. */
export function forbidden(message: string, r?: ResourceRef, name?: string): ApiStatusError {
  return new ApiStatusError(failure(403, 'Forbidden', message, r === undefined ? undefined : refDetails(r, name ?? '')));
}

/** 429 TooManyRequests with Retry-After, as API Priority and Fairness answers. */
export function tooManyRequests(retryAfterSeconds: number): ApiStatusError {
  return new ApiStatusError(
    failure(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds }),
    { 'retry-after': String(retryAfterSeconds) },
  );
}

/** 500 InternalError. */
export function internalError(message: string): ApiStatusError {
  return new ApiStatusError(
    failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] }),
  );
}

/** 503 ServiceUnavailable. */
export function serviceUnavailable(message: string): ApiStatusError {
  return new ApiStatusError(failure(503, 'ServiceUnavailable', message));
}

/** 504 Timeout, e.g. a list at a resourceVersion the server has not reached. */
export function timeout(message: string, causes?: StatusCause[]): ApiStatusError {
  return new ApiStatusError(failure(504, 'Timeout', message, causes === undefined ? undefined : { causes }));
}
