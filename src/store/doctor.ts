// `taskpulse doctor`: examine a JSON store and, on request, repair it. Guarantees: examining only reads (it creates
// nothing, takes no lock, follows no link for anything but reading the files taskpulse itself reads); repairing
// takes the store lock, keeps every damaged file (renamed aside as `<name>.damaged-<time>`), deletes only what it
// created or what is provably stale (temporary files of dead writers or older than the lock's stale time, a stale
// lock), never writes through a link, never touches a file of a newer version, and rebuilds a lost or damaged
// state file from the last good copy plus the committed journal records, so no update that returned 0 is lost.
// Running it twice changes nothing the second time. The findings and the rebuild rule are documented in
// references/troubleshooting.md and references/store-format.md.
//
// The store directory also holds what cron jobs keep: run files (jobs/) and state documents (state/); doctor scans
// and checks them too, and a repair keeps a damaged document aside under the document's own lock.
//
// The work is in src/store/doctor/: findings.ts (the findings and what examine hands to a repair), scan.ts (the
// directory entries), lines.ts (files of JSON lines), history.ts (the state file against the journal), jobs-docs.ts
// (run files and state documents), examine.ts and repair.ts.
export { examine } from "./doctor/examine.ts";
export {
  FINDING_CODES,
  type Finding,
  type Report,
} from "./doctor/findings.ts";
export { repair } from "./doctor/repair.ts";
