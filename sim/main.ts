/**
 * npm run -s simulate -- --seed S --schedules N       one line per violation, then a summary
 * npm run -s simulate -- --seed S --replay K          the trace of schedule K
 * npm run -s simulate -- --seed S --minutes M         as many schedules as fit (--long: 60 minutes)
 * Options: --classes a,b (default: all), --baseline (leave out what today's engine is known to fail), --from K,
 *          --modes cas,folder,rclone (servers to draw from), --plant NAME (a planted bug: see sim/plants.ts). Exit 0 only when there is no violation.
 */
import { parseArgs } from 'node:util';
import { CLASSES, parseClasses } from './classes.js';
import { PLANTS } from './plants.js';
import { canonical, knownLines, runMany, tempRoot } from './run.js';
import { runSchedule } from './schedule.js';
import type { ServerMode } from './remote-store.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    schedules: { type: 'string' },
    replay: { type: 'string' },
    minutes: { type: 'string' },
    long: { type: 'boolean', default: false },
    from: { type: 'string', default: '0' },
    classes: { type: 'string' },
    baseline: { type: 'boolean', default: false },
    plant: { type: 'string' },
    modes: { type: 'string' },
  },
});

const allowed = values.classes ? parseClasses(values.classes) : [...CLASSES];
const baseline = values.baseline;
const modes = values.modes ? (values.modes.split(',') as ServerMode[]) : undefined;
const plant = values.plant ? PLANTS[values.plant]?.() : undefined;
if (values.plant && !plant) {
  console.error(`unknown plant ${values.plant} (known: ${Object.keys(PLANTS).join(', ')})`);
  process.exit(2);
}
const seed = values.seed!;

if (values.replay !== undefined) {
  const r = await runSchedule({
    seed,
    index: Number(values.replay),
    allowed,
    modes,
    baseline,
    plant,
    root: tempRoot(),
  });
  for (const line of canonical(r.trace)) console.log(line);
  process.exit(r.violations.length ? 1 : 0);
}

const minutes = values.long ? 60 : values.minutes ? Number(values.minutes) : undefined;
const count = minutes === undefined ? Number(values.schedules ?? 20) : undefined;
const s = await runMany({
  seed,
  from: Number(values.from),
  count,
  untilMs: minutes ? minutes * 60_000 : undefined,
  allowed,
  modes,
  baseline,
  plant,
  onViolation: (l) => console.log(l),
});
for (const l of knownLines(s)) console.log(l);
console.log(`rate: ${(s.schedules / (s.wallMs / 1000)).toFixed(2)} schedules/s over ${(s.wallMs / 1000).toFixed(1)} s`);
console.log(`schedules: ${s.schedules}, violations: ${s.violations}, digest: ${s.digest}`);
process.exit(s.violations ? 1 : 0);
