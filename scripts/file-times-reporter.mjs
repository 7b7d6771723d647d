// A node:test reporter beside TAP: how long each test file took, the slowest first, printed when
// the run ends. Node's TAP names no file, and CI's time (goal: under 20 minutes on 2 cores) is
// spent per file: its sandbox start, its hooks, its tests. The runner emits an event for the file
// itself (its name is its path) when it is dequeued to run and when it completes: the file's time
// is between them, hooks included; the sum of its tests' own durations is printed beside it.
const shown = 20;

export default async function* fileTimes(source) {
  const files = new Map();
  for await (const event of source) {
    if (event.data?.file === undefined) continue;
    // The runner runs the type-stripped copy (.test-build/…/x.test.js); a test's own location is
    // source-mapped back to x.test.ts. Both are one file, named as in the repository.
    const file = event.data.file.replace(`${process.cwd()}/`, '').replace(/^\.test-build\/(.*)\.js$/, '$1.ts');
    const itself = event.data.name === event.data.file;
    const now = performance.now();
    let f = files.get(file);
    if (f === undefined) {
      f = { first: null, last: null, tests: 0, testMs: 0, failed: 0 };
      files.set(file, f);
    }
    if (itself && event.type === 'test:dequeue') f.first = now;
    if (itself && event.type === 'test:complete') f.last = now;
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && !itself) {
      f.tests++;
      f.testMs += event.data.details?.duration_ms ?? 0;
      if (event.type === 'test:fail') f.failed++;
    }
  }
  for (const [file, f] of files) if (f.first === null || f.last === null) files.delete(file);
  if (files.size === 0) return;
  const t0 = Math.min(...[...files.values()].map((f) => f.first));
  const rows = [...files.entries()].map(([file, f]) => ({ file, wall: (f.last - f.first) / 1000, from: (f.first - t0) / 1000, tests: f.tests, testS: f.testMs / 1000, failed: f.failed }));
  rows.sort((a, b) => b.wall - a.wall);
  const total = rows.reduce((s, r) => s + r.wall, 0);
  const end = Math.max(...rows.map((r) => r.from + r.wall));
  // When each started tells how the files packed into the runner's slots (an idle slot at the end is lost time).
  yield `# file times: ${rows.length} files, ${total.toFixed(0)} s of file time in all, ${end.toFixed(0)} s from the first start to the last end; the ${Math.min(shown, rows.length)} slowest:\n`;
  for (const r of rows.slice(0, shown)) yield `#   ${r.wall.toFixed(1).padStart(7)} s  ${r.file}  (${r.tests} tests, ${r.testS.toFixed(1)} s in tests${r.failed > 0 ? `, ${r.failed} failed` : ''}; started at ${r.from.toFixed(0)} s)\n`;
  const last = [...rows].sort((a, b) => b.from + b.wall - (a.from + a.wall)).slice(0, 3);
  yield `# the last to end: ${last.map((r) => `${r.file} (${r.from.toFixed(0)}–${(r.from + r.wall).toFixed(0)} s)`).join(', ')}\n`;
}
