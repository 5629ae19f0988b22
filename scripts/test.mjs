// `npm test`: lint, typecheck, unit, integration, build and e2e, in that order; every suite runs
// even when an earlier one fails, and the last line sums them: `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const results = [];
const run = (name, command, args) => {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const { status } = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  console.log(`=== ${name}: ${status === 0 ? 'ok' : `failed (exit ${status})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return status === 0;
};
const record = (name, ok) => results.push({ name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 });
const vitest = (project) => {
  mkdirSync('test-results', { recursive: true });
  const report = `test-results/vitest-${project}.json`;
  const ok = run(project, 'npx', ['vitest', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
  let passed = 0;
  let failed = ok ? 0 : 1;
  let skipped = 0;
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed = json.numPassedTests;
    failed = json.numFailedTests + (ok || json.numFailedTests > 0 ? 0 : 1);
    skipped = json.numPendingTests + json.numTodoTests;
  } catch {
    // no report: the run itself failed, counted above
  }
  results.push({ name: project, passed, failed, skipped });
};

record('lint', run('lint', 'npx', ['eslint', '.']));
record('typecheck node', run('typecheck', 'npx', ['tsc', '-p', 'tsconfig.node.json', '--noEmit']));
record('typecheck web', run('typecheck', 'npx', ['tsc', '-p', 'tsconfig.web.json', '--noEmit']));
vitest('unit');
vitest('integration');
const built = run('build', 'node', ['scripts/build.mjs']);
record('build', built);
if (built) vitest('e2e');

console.log('\nsuite           passed  failed skipped');
for (const r of results) console.log(`${r.name.padEnd(15)} ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${String(r.skipped).padStart(6)}`);
const sum = (key) => results.reduce((n, r) => n + r[key], 0);
console.log(`${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`);
process.exit(sum('failed') === 0 ? 0 : 1);
