/**
 * @module A zone loaded into the sandbox's named as bindcar loads it, without bindcar's HTTP request:
 * the zone file bindcar would write (its format, in its zone directory, a stale journal dropped
 * first), then `rndc addzone` with bindcar's block over named's control channel. For zones over
 * bindcar's 2 MiB request limit (`bind zones`); bindcar's delete route removes them like any other.
 */
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BindcarCreateZone } from '../../../drive/bindcar-client.js';
import { Rndc, readRndcConf } from '../bind9/rndc.js';
import { renderAddzoneBlock, renderZoneFile } from './zone-text.js';

/** How long addzone may take for a big zone (named parses the file in the command), ms. */
const addzoneTimeoutMs = 300_000;

/** Loads `request` into the named whose rndc.conf is `rndcConfFile`; bindcar's zone directory is that file's directory. */
export async function loadZoneAsBindcar(rndcConfFile: string, request: BindcarCreateZone): Promise<void> {
  const zoneDir = dirname(rndcConfFile);
  const file = join(zoneDir, `${request.zoneName}.zone`);
  await rm(`${file}.jnl`, { force: true });
  await writeFile(file, renderZoneFile(request.zoneConfig));
  const rndc = new Rndc({ ...readRndcConf(rndcConfFile), timeoutMs: addzoneTimeoutMs });
  await rndc.addzone(request.zoneName, renderAddzoneBlock(request, zoneDir));
}
