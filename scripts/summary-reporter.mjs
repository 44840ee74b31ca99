// A node:test reporter that writes one JSON line per finished test (name, file, outcome, skip/todo reason) to its
// destination. scripts/test.mjs and scripts/reliability.mjs read it to print the closing counts and, by name, every
// skipped test and every todo: a skip is visible, never a quiet pass.
export default async function* summaryReporter(source) {
  for await (const ev of source) {
    if (ev.type !== 'test:pass' && ev.type !== 'test:fail') continue;
    const d = ev.data;
    // Suites (describe) report as tests too; only leaves count, like the spec reporter's totals.
    if (d.details?.type === 'suite') continue;
    const outcome =
      d.skip !== undefined
        ? 'skipped'
        : d.todo !== undefined
          ? 'todo'
          : ev.type === 'test:pass'
            ? 'pass'
            : d.details?.error?.failureType === 'cancelledByParent'
              ? 'cancelled'
              : 'fail';
    const reason = typeof d.skip === 'string' ? d.skip : typeof d.todo === 'string' ? d.todo : '';
    yield `${JSON.stringify({ name: d.name, file: d.file ?? '', nesting: d.nesting, outcome, reason })}\n`;
  }
}
