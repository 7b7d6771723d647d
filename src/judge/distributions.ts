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

/** A function that requires module `id` on its first call and returns it from then on. */
function lazy<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}

const normal = lazy<typeof NormalCdf>('@stdlib/stats-base-dists-normal-cdf');
const t = lazy<typeof TCdf>('@stdlib/stats-base-dists-t-cdf');
const tInverse = lazy<typeof TQuantile>('@stdlib/stats-base-dists-t-quantile');

/** The normal distribution's CDF at `x` (mean `mu`, standard deviation `sigma`). */
export function normalCdf(x: number, mu: number, sigma: number): number {
  return normal()(x, mu, sigma);
}

/** Student's t CDF at `x` with `v` degrees of freedom. */
export function tCdf(x: number, v: number): number {
  return t()(x, v);
}

/** Student's t quantile of probability `p` with `v` degrees of freedom. */
export function tQuantile(p: number, v: number): number {
  return tInverse()(p, v);
}
