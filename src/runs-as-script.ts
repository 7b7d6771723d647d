/** @module Whether a module was started as a script of its own (`node path/to/run.js`), as opposed to imported. */
import { pathToFileURL } from 'node:url';

/**
 * True when the process was started with the module at `moduleUrl` as its script, and that module
 * is the file `path` (without extension, e.g. `sidecar/run`). The file check keeps a one-file
 * bundle, whose modules all share the bundle's URL, from running every such script at once.
 */
export function runsAsScript(moduleUrl: string, path: string): boolean {
  const argv1 = process.argv[1];
  return argv1 !== undefined && moduleUrl === pathToFileURL(argv1).href && /\.[cm]?[jt]s$/.test(moduleUrl) && moduleUrl.replace(/\.[cm]?[jt]s$/, '').endsWith(`/${path}`);
}
