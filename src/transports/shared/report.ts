/**
 * The shared part of "Probar Conexión", above the transports: a report builder whose steps time themselves, the
 * error block every report carries, and the probe round trip every file transport performs (create-exclusive write,
 * read back and compare, rename, delete and check it is gone).
 */
import { createHash, randomBytes } from 'node:crypto';
import { SyncError, type Text, toSyncError } from '../../errors.js';
import { commitGuaranteeStep } from '../commit-guarantee.js';
import type { CheckStep, ConnectionReport, FileTransport, Guarantees, ProtocolName } from '../types.js';
import { msg } from '../../messages/index.js';

interface ReportBuilder {
  report: ConnectionReport;
  /** Runs fn as a named step; a throw ends the test (caught by finish). */
  step(id: string, text: Text, fn: () => Promise<void>): Promise<void>;
  /** Records the error that ended the test. */
  fail(err: unknown): void;
}

export function reportBuilder(protocol: ProtocolName, facts: ConnectionReport['facts'] = {}): ReportBuilder {
  const steps: CheckStep[] = [];
  const report: ConnectionReport = { protocol, ok: false, steps, facts };
  return {
    report,
    async step(id, text, fn) {
      const t0 = Date.now();
      await fn();
      steps.push({ id, ok: true, text, durationMs: Date.now() - t0 });
    },
    fail(err) {
      const e = toSyncError(err);
      steps.push({ id: 'error', ok: false, text: e.text, hint: e.hint });
      report.error = reportError(e);
    },
  };
}

/** The error that ended a connection test, as the report carries it (code + bilingual message + hint). */
export function reportError(err: unknown): NonNullable<ConnectionReport['error']> {
  const e = toSyncError(err);
  // A form value the config rules refuse: its field, so the page marks it (the headline names the first one).
  const problems = (e.details as { problems?: Array<{ key: string; text: Text }> } | undefined)?.problems;
  return {
    code: e.code,
    message: e.text.es,
    message_en: e.text.en,
    hint: e.hint?.es,
    hint_en: e.hint?.en,
    ...(problems?.length ? { problems: problems.map((p) => ({ key: p.key, text: p.text })) } : {}),
  };
}

/** A report for a test that could not start (an unusable config, an unavailable protocol): one failed step. */
export function failedReport(protocol: ProtocolName, stepId: string, err: unknown): ConnectionReport {
  const e = toSyncError(err);
  return {
    protocol,
    ok: false,
    steps: [{ id: stepId, ok: false, text: e.text, hint: e.hint }],
    facts: {},
    error: reportError(e),
  };
}

/** Writes, reads back, renames and deletes a probe file; cleans up after a failure. */
export async function probeRoundTrip(t: FileTransport, b: ReportBuilder): Promise<void> {
  const probe = `.cordiax-probe-${randomBytes(4).toString('hex')}`;
  const renamed = `${probe}.renamed`;
  try {
    const body = randomBytes(4096);
    const sha = createHash('sha256').update(body).digest('hex');
    await b.step('write', msg('transport.wrote_probe_file'), async () => {
      if (!(await t.createExclusive(probe, body)))
        throw new SyncError('ALREADY_EXISTS', msg('transport.probe_file_already_existed'));
    });
    await b.step('read', msg('transport.read_probe_back_identical'), async () => {
      const r = await t.readSmall(probe);
      if (!r || createHash('sha256').update(r.data).digest('hex') !== sha)
        throw new SyncError('VERIFY_FAILED', msg('transport.probe_read_back_differs'));
    });
    await b.step('rename', msg('transport.renamed_probe'), () => t.rename(probe, renamed, { replace: true }));
    await b.step('delete', msg('transport.deleted_probe'), async () => {
      await t.remove(renamed);
      if (await t.stat(renamed)) throw new SyncError('VERIFY_FAILED', msg('transport.probe_still_exists_after'));
    });
  } catch (err) {
    await t.remove(probe).catch(() => {});
    await t.remove(renamed).catch(() => {});
    throw err;
  }
}

/** Records what the server guarantees and the commit guarantee that follows (facts.commit_guarantee + a step). */
export function reportGuarantees(report: ConnectionReport, g: Guarantees & { locks?: boolean }): void {
  report.guarantees = {
    conditionalWrite: g.conditionalWrite,
    exclusiveCreate: g.exclusiveCreate,
    atomicReplace: g.atomicReplace,
  };
  const { level, step } = commitGuaranteeStep(g);
  report.facts.commit_guarantee = level;
  report.steps.push(step);
}
