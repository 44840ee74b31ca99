// Accessibility of the web UI with axe-core in Debian's Chromium (issue 15, point 9): no serious or critical
// violation of WCAG 2.1 A/AA in the states people meet (first run, configured and synced, a form with errors, a
// conflict, English) at 1280, 390 and 320 px. axe runs through the DevTools protocol (page.evaluate), so the page's
// strict CSP stays on: nothing is injected into the page's own scripts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { StateStore } from '../src/engine/state.js';
import { targetId } from '../src/transports/registry.js';
import { makeTestDb, tmpDir } from './helpers/system.js';
import { buildUi, launchChromium, shot, startUiEnv, type UiEnv } from './ui-support.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

let env: UiEnv;
let browser: Browser;
const remote = tmpDir('cx-ui-a11y-remote-');

/** Runs axe on the page as it is now; returns the serious and critical violations, described for a failure message. */
async function audit(page: Page, label: string): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(`axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    resultTypes: ['violations'],
  }).then((r) => r.violations)`)) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `[${label}] ${v.id} (${v.impact}): ${v.help}\n${v.nodes
          .slice(0, 5)
          .map((n) => `    ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`)
          .join('\n')}`,
    );
}

async function openPage(width: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'es-ES' });
  const page = await context.newPage();
  await page.goto(env.ui.loginUrl());
  await page.waitForSelector('#save-config');
  await page.waitForSelector('#header-state');
  return page;
}

before(async () => {
  buildUi();
  const home = tmpDir('cx-ui-a11y-');
  makeTestDb(path.join(home, 'cordiax.db'), 20, { tag: 'a11y' });
  env = await startUiEnv({ home });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close().catch(() => {});
  await env?.close().catch(() => {});
});

describe('accesibilidad (axe-core, WCAG 2.1 AA) en Chromium', () => {
  test('primera vez, sin configurar: 1280, 390 y 320 px', async () => {
    const found: string[] = [];
    for (const width of [1280, 390, 320]) {
      const page = await openPage(width);
      found.push(...(await audit(page, `primera vez ${width}px`)));
      await page.context().close();
    }
    assert.deepEqual(found, [], found.join('\n'));
  });

  test('configurada y sincronizada, formulario con errores, inglés', async () => {
    writeFileSync(
      path.join(env.home, 'sync_config.json'),
      JSON.stringify({ enabled: false, protocol: 'folder', folder: { path: remote }, polling_interval: 300 }),
    );
    await env.svc.reloadConfig();
    await env.svc.syncNow();
    const found: string[] = [];
    for (const width of [1280, 390]) {
      const page = await openPage(width);
      await page.locator('#log-card').waitFor();
      found.push(...(await audit(page, `sincronizada ${width}px`)));
      // A field with an error, as the user sees it after typing.
      await page.fill('#f-polling_interval', '5');
      await page.locator('#f-polling_interval').blur();
      found.push(...(await audit(page, `intervalo no válido ${width}px`)));
      await page.click('#lang-en');
      found.push(...(await audit(page, `English ${width}px`)));
      await shot(page, `a11y-${width}`);
      await page.context().close();
    }
    assert.deepEqual(found, [], found.join('\n'));
  });

  test('con un conflicto por resolver', async () => {
    const cfgTarget = targetId(env.svc.config());
    await new StateStore(path.join(env.home, 'sync_state.json')).update(cfgTarget, {
      conflict: {
        copyPath: path.join(env.home, 'cordiax.conflict-otro-20261130T101010Z.db'),
        remoteGeneration: 2,
        remoteSha256: 'b'.repeat(64),
        remoteDevice: 'recepcion',
        remoteTime: new Date().toISOString(),
        remoteSize: 4096,
        localSize: 4096,
        localTime: new Date().toISOString(),
        detectedAt: new Date().toISOString(),
        reason: 'both-changed',
      },
    });
    const found: string[] = [];
    for (const width of [1280, 320]) {
      const page = await openPage(width);
      found.push(...(await audit(page, `conflicto ${width}px`)));
      await page.context().close();
    }
    assert.deepEqual(found, [], found.join('\n'));
  });

  test('la auditoría ve una violación cuando la hay (control: una imagen sin texto alternativo)', async () => {
    const page = await openPage(1280);
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'image';
      input.src = '/favicon.svg';
      document.body.append(input);
    });
    const found = await audit(page, 'control');
    await page.context().close();
    assert.ok(
      found.some((f) => f.includes('input-image-alt')),
      `axe did not report a planted violation: ${found.join('\n')}`,
    );
  });
});
