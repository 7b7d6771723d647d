/**
 * @module The bindcar releases the sidecar twin behaves as (pure). 0.7 is bindcar 0.7.3, what bindy
 * 0.6.2 deploys; 0.9 is bindcar 0.9.0, bindy's default from its v0.8 line (TARGET.md "bindy's v0.8
 * line"): a limiter of 600 requests per 60 s with a burst of 50 per client IP (0.8.0 changed the
 * defaults and the formula), and 404 for a command on a zone named does not have (0.7.3 answers
 * 500 for freeze, thaw, reload, notify, retransfer and delete there).
 */
import { UsageError } from '../../../errors.js';
import type { RateLimitConfig, Quota } from './rate-limiter.js';

/** The bindcar release lines the twin models. */
export const bindcarLines = ['0.7', '0.9'] as const;
/** One of {@link bindcarLines}. */
export type BindcarLine = (typeof bindcarLines)[number];

/** True for the names of {@link bindcarLines}. */
export function isBindcarLine(v: string): v is BindcarLine {
  return (bindcarLines as readonly string[]).includes(v);
}

/** What differs between the lines. */
export interface BindcarRules {
  /** The version `/health` and `bindcar_app_info` report. */
  readonly release: string;
  /** RATE_LIMIT_* defaults. */
  readonly rateLimit: RateLimitConfig;
  /** The quota a RATE_LIMIT_* setting gives in that release (0.7's integer formula, or 0.8 on's period / requests). */
  readonly quota: (config: Pick<RateLimitConfig, 'requestsPerPeriod' | 'periodSecs' | 'burstSize'>) => Quota;
  /** Every zone command answers 404 when named does not have the zone (0.7.3: only GET, status and modify do). */
  readonly missingZone404: boolean;
}

function checked(config: Pick<RateLimitConfig, 'requestsPerPeriod' | 'periodSecs' | 'burstSize'>): void {
  if (config.requestsPerPeriod <= 0 || config.periodSecs <= 0 || config.burstSize <= 0) {
    throw new UsageError('requests per period, period and burst must all be greater than 0');
  }
}

/** Each line's rules, with where they come from. */
export const bindcarRules: Readonly<Record<BindcarLine, BindcarRules>> = {
  // bindcar 0.7.3 src/rate_limit.rs and main.rs (see bindcarQuota in rate-limiter.ts for its formula).
  '0.7': {
    release: '0.7.3',
    rateLimit: { enabled: true, requestsPerPeriod: 100, periodSecs: 60, burstSize: 10 },
    quota: (c) => {
      checked(c);
      // `per_second(max(1, requests / period))` in integer arithmetic means one cell every n seconds.
      const perSecond = Math.max(1, Math.floor(c.requestsPerPeriod / Math.max(1, c.periodSecs)));
      return { replenishMs: perSecond * 1000, burst: Math.floor(c.burstSize) };
    },
    missingZone404: false,
  },
  // bindcar 0.8.0/0.9.0 (TARGET.md): 600 per 60 s, burst 50 — one cell every period/requests.
  '0.9': {
    release: '0.9.0',
    rateLimit: { enabled: true, requestsPerPeriod: 600, periodSecs: 60, burstSize: 50 },
    quota: (c) => {
      checked(c);
      return { replenishMs: (c.periodSecs * 1000) / c.requestsPerPeriod, burst: Math.floor(c.burstSize) };
    },
    missingZone404: true,
  },
};
