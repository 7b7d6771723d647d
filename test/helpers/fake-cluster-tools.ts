/**
 * @module Test helper: fake `kind`, `k3d`, `kubectl` and `helm` executables (shell scripts) that
 * append their argv to a log file and exit 0, or act as told through the environment:
 *   FAKE_FAIL=<prefix>     a command line starting with it prints "boom: …" on stderr and exits 1
 *   FAKE_SLEEP=<prefix>    a command line starting with it sleeps 30 s (as itself: a signal ends it)
 *   FAKE_PRESENT=<prefix>  a probe (`kubectl … get`, `helm … status`) starting with it succeeds; other probes
 *                          exit 1 saying NotFound (FAKE_UNREACHABLE=1: saying the connection was refused)
 * A command line is logged as `<program> <args joined by spaces>`.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const script = `#!/bin/sh
line="$(basename "$0") $*"
echo "$line" >> "$FAKE_LOG"
if [ -n "\${FAKE_FAIL:-}" ]; then
  case "$line" in "$FAKE_FAIL"*) echo "boom: $line" >&2; exit 1;; esac
fi
if [ -n "\${FAKE_SLEEP:-}" ]; then
  case "$line" in "$FAKE_SLEEP"*) exec sleep 30;; esac
fi
case "$line" in
  kubectl*" get "*|helm*" status "*)
    if [ -n "\${FAKE_PRESENT:-}" ]; then
      case "$line" in "$FAKE_PRESENT"*) exit 0;; esac
    fi
    if [ -n "\${FAKE_UNREACHABLE:-}" ]; then echo "The connection to the server was refused" >&2; exit 1; fi
    echo "Error from server (NotFound): $line" >&2
    exit 1;;
esac
echo "ok: $line"
exit 0
`;

/** A folder of fake tools and the log they write. */
export interface FakeTools {
  dir: string;
  log: string;
  /** The command lines run so far, in order. */
  lines(): string[];
  /** An environment with the fakes first on PATH (then /usr/bin:/bin for sh, sleep, basename). */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
}

/** Writes the fakes (`tools`, default all four) into `<root>/bin`, logging to `<root>/calls.log`. */
export function fakeClusterTools(root: string, tools: readonly string[] = ['kind', 'k3d', 'kubectl', 'helm']): FakeTools {
  const dir = join(root, 'bin');
  mkdirSync(dir, { recursive: true });
  for (const t of tools) {
    writeFileSync(join(dir, t), script);
    chmodSync(join(dir, t), 0o755);
  }
  const log = join(root, 'calls.log');
  writeFileSync(log, '');
  return {
    dir,
    log,
    lines: () => readFileSync(log, 'utf8').split('\n').filter((l) => l !== ''),
    env: (extra = {}) => ({ PATH: `${dir}:/usr/bin:/bin`, FAKE_LOG: log, ...extra }),
  };
}
