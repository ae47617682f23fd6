/**
 * `npm run bench -- <suite…>`: runs the named benchmark suites (all when none is named) and
 * prints their figures. Each suite measures its own baseline in the same run.
 */
const SUITES: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  catalog: () => import('./catalog.bench.js'),
  ingest: () => import('./ingest.bench.js'),
  search: () => import('./search.bench.js'),
  storage: () => import('./storage.bench.js'),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(SUITES);
for (const name of names) {
  const load = SUITES[name];
  if (!load) {
    process.stderr.write(`unknown benchmark suite "${name}"; known: ${Object.keys(SUITES).join(', ')}\n`);
    process.exit(2);
  }
  process.stdout.write(`\n### ${name}\n`);
  await (await load()).run();
}
process.exit(0);
