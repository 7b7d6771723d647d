// A node:test reporter beside TAP: how long each test file took, the slowest first, printed when
// the run ends. Node's TAP names no file, and CI's time (goal: under 20 minutes on 2 cores) is
// spent per file: its sandbox start, its hooks, its tests. A file's time here runs from its first
// event (its tests are queued when it loads, before its hooks) to its last; the sum of its tests'
// own durations is printed beside it.
const shown = 20;

export default async function* fileTimes(source) {
  const files = new Map();
  for await (const event of source) {
    const file = event.data?.file;
    if (file === undefined) continue;
    const now = performance.now();
    let f = files.get(file);
    if (f === undefined) {
      f = { first: now, last: now, tests: 0, testMs: 0, failed: 0 };
      files.set(file, f);
    }
    f.last = now;
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0) {
      f.tests++;
      f.testMs += event.data.details?.duration_ms ?? 0;
      if (event.type === 'test:fail') f.failed++;
    }
  }
  if (files.size === 0) return;
  const rows = [...files.entries()].map(([file, f]) => ({ file: file.replace(`${process.cwd()}/`, ''), wall: (f.last - f.first) / 1000, tests: f.tests, testS: f.testMs / 1000, failed: f.failed }));
  rows.sort((a, b) => b.wall - a.wall);
  const total = rows.reduce((s, r) => s + r.wall, 0);
  yield `# file times: ${rows.length} files, ${total.toFixed(0)} s of file time in all; the ${Math.min(shown, rows.length)} slowest:\n`;
  for (const r of rows.slice(0, shown)) yield `#   ${r.wall.toFixed(1).padStart(7)} s  ${r.file}  (${r.tests} tests, ${r.testS.toFixed(1)} s in tests${r.failed > 0 ? `, ${r.failed} failed` : ''})\n`;
}
