// Prints one closing line, "N passed, N failed, N skipped", from the JSON reports of vitest
// (reports/unit.json) and Playwright (reports/e2e.json). A missing report counts as a failure
// (its runner crashed); so do suite-level errors with no failed test, and a runner that exited
// non-zero (UNIT_RC, E2E_RC) with no failed test in its report: vitest fails a run on an
// unhandled rejection that no test owns, and its report still says success. Exit 1 on any failure.
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;

function read(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    console.error(`missing or unreadable report: ${file}`);
    failed += 1;
    return null;
  }
}

const unit = read('reports/unit.json');
if (unit) {
  passed += unit.numPassedTests;
  failed += unit.numFailedTests;
  skipped += (unit.numPendingTests ?? 0) + (unit.numTodoTests ?? 0);
  if (unit.numFailedTestSuites > 0 && unit.numFailedTests === 0) failed += unit.numFailedTestSuites;
}
const e2e = read('reports/e2e.json');
if (e2e) {
  const s = e2e.stats;
  passed += s.expected + s.flaky;
  failed += s.unexpected;
  skipped += s.skipped;
  if (Array.isArray(e2e.errors) && e2e.errors.length && s.unexpected === 0) failed += e2e.errors.length;
}
for (const [name, rc, counted] of [
  ['unit', process.env.UNIT_RC, unit?.numFailedTests ?? 0],
  ['e2e', process.env.E2E_RC, e2e?.stats?.unexpected ?? 0],
]) {
  if (rc !== undefined && rc !== '0' && counted === 0) {
    console.error(`the ${name} runner exited ${rc} without a failed test in its report (an error outside the tests)`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
