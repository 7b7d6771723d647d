/**
 * @module How the sandbox supervisor starts a part as its own process: by running this same CLI
 * (`bindy-loadtest sandbox start <part> …`): the one-file bundle when this code runs from it (as
 * installed), the module build in dist/, or through tsx from src/. `BINDY_LOADTEST_SELF_ENTRY`
 * names a built entry to run instead: the test runner sets it to the bundle it has just made of
 * the same source, so the many processes tests start skip tsx's transform (about 2 s of CPU each
 * on this project's machines) and load one file instead of ~1,500.
 */
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The program and leading arguments that run `bindy-loadtest` exactly as this process runs it. */
export function selfCommand(env: NodeJS.ProcessEnv = process.env): { command: string; args: string[] } {
  const built = env['BINDY_LOADTEST_SELF_ENTRY'];
  if (built !== undefined && built !== '' && isAbsolute(built) && /\.m?js$/.test(built)) return { command: process.execPath, args: [built] };
  if (import.meta.url.endsWith('.mjs')) return { command: process.execPath, args: [fileURLToPath(import.meta.url)] };
  const fromTs = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(`../../../cli/entry.${fromTs ? 'ts' : 'js'}`, import.meta.url));
  return { command: process.execPath, args: [...(fromTs ? ['--import', 'tsx'] : []), entry] };
}
