/**
 * @module How the sandbox supervisor starts a part as its own process: by running this same CLI
 * (`bindy-loadtest sandbox start <part> …`), from dist/ when installed, through tsx from src/.
 */
import { fileURLToPath } from 'node:url';

/** The program and leading arguments that run `bindy-loadtest` exactly as this process runs it. */
export function selfCommand(): { command: string; args: string[] } {
  const fromTs = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(`../../../cli/entry.${fromTs ? 'ts' : 'js'}`, import.meta.url));
  return { command: process.execPath, args: [...(fromTs ? ['--import', 'tsx'] : []), entry] };
}
