/** @module bindcar's ApiError: the variant decides status and message prefix; the body is `{error, details: null}`. */

/** bindcar's ApiError variants (src/types.rs) with their status codes and Display prefixes. */
export const apiErrors = {
  zoneFile: { status: 500, prefix: 'Zone file error' },
  rndc: { status: 500, prefix: 'RNDC command failed' },
  invalidRequest: { status: 400, prefix: 'Invalid request' },
  zoneNotFound: { status: 404, prefix: 'Zone not found' },
  zoneAlreadyExists: { status: 409, prefix: 'Zone already exists' },
  internal: { status: 500, prefix: 'Internal server error' },
  dynamicUpdatesNotEnabled: { status: 400, prefix: 'Dynamic updates not enabled' },
  nsupdate: { status: 500, prefix: 'nsupdate command failed' },
  invalidRecord: { status: 400, prefix: 'Invalid record' },
} as const;

/** One ApiError variant's name. */
export type ApiErrorKind = keyof typeof apiErrors;

/** A handler's failure, turned into bindcar's JSON error response by the pipeline. */
export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status: number;

  constructor(kind: ApiErrorKind, detail: string) {
    super(`${apiErrors[kind].prefix}: ${detail}`);
    this.kind = kind;
    this.status = apiErrors[kind].status;
  }

  /** The response body bindcar sends: `{"error": "<Display>", "details": null}`. */
  body(): { error: string; details: null } {
    return { error: this.message, details: null };
  }
}
