/** @module Writes a whole fixture set to a directory: objects YAML, one zone file per zone, one dnsperf query file. */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { FixtureOptions } from '../fixtures/options.js';
import { generateAll, generateZone, generateZoneRecords } from '../fixtures/generate.js';
import { generateQueries } from '../fixtures/queries.js';
import { writeYamlStream } from './yaml-writer.js';
import { writeZoneFile } from './zone-file.js';
import { writeQueryFile } from './query-file.js';
import type { WriteStats } from './sink.js';

/** What was written, with paths relative to the output directory. */
export interface FixtureFilesReport {
  objects?: { path: string; documents: number; bytes: number };
  zoneFiles: { path: string; zoneName: string; records: number; bytes: number }[];
  queries?: { path: string; lines: number; bytes: number };
}

/** The fixture outputs: Kubernetes objects, BIND zone files, dnsperf query files. */
export type FixtureFormat = 'yaml' | 'zonefile' | 'queries';
/** Every format. */
export const fixtureFormats: readonly FixtureFormat[] = ['yaml', 'zonefile', 'queries'];

async function toFile(path: string, write: (out: Writable) => Promise<WriteStats>): Promise<WriteStats> {
  const out = createWriteStream(path);
  try {
    const stats = await write(out);
    out.end();
    await finished(out);
    return stats;
  } catch (err) {
    out.destroy();
    throw err;
  }
}

/**
 * Writes `objects.yaml` (every object, apply order), `zones/<zone>.zone` and `queries.txt` under
 * `dir` (created if missing). Records are regenerated per file from the seed instead of kept, so
 * memory stays flat for any size. Options must have been through `resolveFixtureOptions`.
 */
export async function writeFixtureFiles(
  o: FixtureOptions,
  dir: string,
  formats: readonly FixtureFormat[] = fixtureFormats,
): Promise<FixtureFilesReport> {
  await mkdir(dir, { recursive: true });
  const report: FixtureFilesReport = { zoneFiles: [] };
  if (formats.includes('yaml')) {
    const y = await toFile(join(dir, 'objects.yaml'), (out) => writeYamlStream(generateAll(o), out));
    report.objects = { path: 'objects.yaml', documents: y.items, bytes: y.bytes };
  }
  if (formats.includes('zonefile')) await mkdir(join(dir, 'zones'), { recursive: true });
  const zoneFiles = report.zoneFiles;
  for (let i = 0; formats.includes('zonefile') && i < o.zones; i++) {
    const zone = generateZone(o, i);
    const path = join('zones', `${zone.spec.zoneName}.zone`);
    const z = await toFile(join(dir, path), (out) => writeZoneFile(zone, generateZoneRecords(o, i), out));
    zoneFiles.push({ path, zoneName: zone.spec.zoneName, records: o.recordsPerZone, bytes: z.bytes });
  }
  if (formats.includes('queries')) {
    const q = await toFile(join(dir, 'queries.txt'), (out) => writeQueryFile(generateQueries(o), out));
    report.queries = { path: 'queries.txt', lines: q.items, bytes: q.bytes };
  }
  return report;
}
