/**
 * The phases of a sync or restore and the catalogue key that names each one: pure data, shared by the engine's log
 * (operation.ts) and the page's progress box (src/ui/web/progress.ts).
 */
import type { Phase } from './operation.js';

/** How the log and the page name each phase (the page adds the amounts: src/ui/web/progress.ts). */
export const PHASE_KEY = {
  compare: 'progress.phase.compare',
  snapshot: 'progress.phase.snapshot',
  upload: 'progress.phase.upload',
  verify: 'progress.phase.verify',
  publish: 'progress.phase.publish',
  download: 'progress.phase.download',
  check: 'progress.phase.check',
  apply: 'progress.phase.apply',
  save: 'progress.phase.save',
} as const satisfies Record<Phase, string>;
