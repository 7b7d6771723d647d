/**
 * @module The contract of the built-in schema validation, shared by fixtures (which must only
 * produce valid objects) and the sandbox API server (which answers 422/400 like a real one).
 */

/** One schema violation, shaped like a Kubernetes `StatusCause`. */
export interface FieldViolation {
  /** Kubernetes cause reason, e.g. `FieldValueRequired`, `FieldValueInvalid`, `FieldValueTypeInvalid`. */
  reason: string;
  /** Dotted field path as the API server names it, e.g. `spec.soaRecord.primaryNs`, `spec.ipv4Addresses`. */
  field: string;
  /** Human text in the API server's style, e.g. `Required value`, `Invalid value: "a.": spec.zoneName in body should match '^...$'`. */
  message: string;
}

/** What validating one object against its kind's structural schema found. */
export interface ValidationOutcome {
  violations: FieldViolation[];
  /** Paths of fields the schema does not know (a real API server prunes them, or rejects them with fieldValidation=Strict). */
  unknownFields: string[];
  /** A copy of the object with unknown fields removed and schema defaults applied (what would be stored). */
  pruned: unknown;
}

/** Validates one object of a fixed kind. */
export type ObjectValidator = (obj: unknown) => ValidationOutcome;
