/**
 * @module The @stdlib distribution functions the judge uses, each loaded on its first call.
 *
 * Loading them costs some 15 MB of resident memory (hundreds of small CommonJS files; a bare Node
 * process goes from 41 to 56 MB), and most runs never call them: a burst judges without a t
 * quantile unless it has a steady phase of 10 minutes or more; `analyze` needs them.
 */
import { createRequire } from 'node:module';
import type NormalCdf from '@stdlib/stats-base-dists-normal-cdf';
import type TCdf from '@stdlib/stats-base-dists-t-cdf';
import type TQuantile from '@stdlib/stats-base-dists-t-quantile';

const require = createRequire(import.meta.url);

let normal: typeof NormalCdf | undefined;
let tCdfFn: typeof TCdf | undefined;
let tQuantileFn: typeof TQuantile | undefined;

/** The normal distribution's CDF at `x` (mean `mu`, standard deviation `sigma`). */
export function normalCdf(x: number, mu: number, sigma: number): number {
  normal ??= require('@stdlib/stats-base-dists-normal-cdf') as typeof NormalCdf;
  return normal(x, mu, sigma);
}

/** Student's t CDF at `x` with `v` degrees of freedom. */
export function tCdf(x: number, v: number): number {
  tCdfFn ??= require('@stdlib/stats-base-dists-t-cdf') as typeof TCdf;
  return tCdfFn(x, v);
}

/** Student's t quantile of probability `p` with `v` degrees of freedom. */
export function tQuantile(p: number, v: number): number {
  tQuantileFn ??= require('@stdlib/stats-base-dists-t-quantile') as typeof TQuantile;
  return tQuantileFn(p, v);
}
