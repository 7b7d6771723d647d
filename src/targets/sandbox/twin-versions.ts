/** @module The bindy and bindcar releases the sandbox twins model (DESIGN.md "Versions"), as every sandbox run records them. */
import { twinVersion as bindcarTwinVersion } from './sidecar/metrics.js';

/** The bindy release line the operator twin follows (TARGET.md: bindy 0.6.2). */
export const bindyTwinVersion = '0.6.2';

/** What a sandbox run's result names as the measured release (`metadata.target.bindyVersion`). */
export const sandboxBindyVersion = `bindy ${bindyTwinVersion}, bindcar ${bindcarTwinVersion} (sandbox twins)`;
