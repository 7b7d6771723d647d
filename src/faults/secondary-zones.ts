/**
 * @module What a secondary's named keeps on disk, for the faults that act on zone files: nothing
 * per zone. bindcar adds a secondary zone with no `file` clause (as bindy has it do), so named
 * keeps what it transferred in memory and transfers it again each time it starts.
 */

/** Why `target` (a part) has no zone files to act on, when it is a secondary's named (pure); undefined otherwise. */
export function secondaryZoneFilesReason(target: string, fault: string): string | undefined {
  const m = /^named-(secondary-\d+)$/.exec(target);
  if (m === null) return undefined;
  return `${fault} acts on the zone files named loads when it starts, and ${m[1]}'s named has none: bindcar adds a secondary zone with no file clause, so its zones come by transfer, stay in memory and are transferred again at each start (a secondary that comes back without its zones: bind9-crash server=${m[1]} zoneData=lose)`;
}
