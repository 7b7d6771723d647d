/** @module Object names: the DNS-1123 rules a real API server enforces on `metadata.name`, and `generateName`. */
import { randomInt } from 'node:crypto';
import type { StatusCause } from './status.js';

const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Which rule a resource's names follow: namespaces are DNS-1123 labels, most others DNS-1123 subdomains. */
export type NameRule = 'label' | 'subdomain';

/** The causes a real server reports for an invalid `metadata.name` (empty when the name is valid). */
export function nameViolations(name: string, rule: NameRule): StatusCause[] {
  const out: StatusCause[] = [];
  const bad = (message: string): void => {
    out.push({ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "${name}": ${message}` });
  };
  if (rule === 'label') {
    if (name.length > 63) bad('must be no more than 63 characters');
    if (!label.test(name)) {
      bad(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      );
    }
  } else {
    if (name.length > 253) bad('must be no more than 253 characters');
    if (!subdomain.test(name)) {
      bad(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      );
    }
  }
  return out;
}

// The alphabet apimachinery's rand.String uses: no vowels (no words) and no confusable characters.
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` plus 5 random characters, with the prefix cut so the result stays within 63 characters. */
export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += alphabet[randomInt(alphabet.length)] ?? 'x';
  return prefix.slice(0, 58) + suffix;
}
