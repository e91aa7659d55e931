import { test, expect, Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { binary, dataDir } from '../playwright.config';
import { hydrated, signIn } from './helpers';

const filter = '/?tenant=stampy&action=user.*';

/** Clicks one export button; returns the file's text and the rows the page reported. */
async function exportAs(page: Page, label: string, shownAs = label) {
  await hydrated(page);
  const download = page.waitForEvent('download');
  await page.locator('.export-menu').getByRole('button', { name: label, exact: true }).click();
  const file = await download;
  const status = page.locator('.export-status.done');
  await expect(status).toContainText(`as ${shownAs}.`);
  const reported = Number((await status.textContent())!.match(/Exported ([\d,]+) rows/)![1].replace(/,/g, ''));
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: readFileSync(path!), reported };
}

test('each export button downloads the filtered rows, and the page counts them', async ({ page }) => {
  await signIn(page, 'admin@logbook.demo', filter);
  await expect(page.locator('section.log')).toBeVisible();

  const csv = await exportAs(page, 'CSV');
  expect(csv.reported).toBeGreaterThan(100);
  expect(csv.name).toMatch(/^logbook-stampy-action-user\.x-\d{4}-\d{2}-\d{2}_now\.csv$/);
  const csvLines = csv.bytes.toString('utf8').trim().split('\n');
  // Heading plus one line per row (no value in these rows spans lines).
  expect(csvLines.length - 1).toBe(csv.reported);

  const ndjson = await exportAs(page, 'NDJSON');
  const records = ndjson.bytes.toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(records.length).toBe(ndjson.reported);
  expect(new Set(records.map((r) => r.tenant))).toEqual(new Set(['stampy']));
  expect(records.every((r) => r.action.startsWith('user.'))).toBe(true);

  const json = await exportAs(page, 'JSON');
  expect(JSON.parse(json.bytes.toString('utf8')).length).toBe(json.reported);

  const xlsx = await exportAs(page, 'Excel');
  expect(xlsx.reported).toBe(csv.reported);
  expect(xlsx.name.endsWith('.xlsx')).toBe(true);
  expect(xlsx.bytes.subarray(0, 2).toString()).toBe('PK');
});

test('an NDJSON export with its proof verifies offline with the CLI, and fails once a byte changes', async ({ page }) => {
  await signIn(page, 'admin@logbook.demo', filter);
  await expect(page.locator('section.log')).toBeVisible();
  const proof = await exportAs(page, 'NDJSON + proof', 'NDJSON');
  const env = { ...process.env, LOGBOOK_DATA_DIR: dataDir };
  const key = execFileSync(binary, ['public-key'], { env }).toString().trim();
  const path = `${dataDir}/proof.ndjson`;

  writeFileSync(path, proof.bytes);
  const ok = spawnSync(binary, ['verify', '--file', path, '--public-key', key], { env });
  expect(ok.status, ok.stderr.toString()).toBe(0);
  expect(ok.stdout.toString()).toContain(`${proof.reported} events of stampy intact`);

  // One byte of one event's description changed.
  const text = proof.bytes.toString('utf8');
  const at = text.indexOf('"description":"') + '"description":"'.length;
  const flipped = text.slice(0, at) + (text[at] === 'X' ? 'Y' : 'X') + text.slice(at + 1);
  writeFileSync(path, flipped);
  const broken = spawnSync(binary, ['verify', '--file', path, '--public-key', key], { env });
  expect(broken.status).not.toBe(0);
  expect(broken.stderr.toString() + broken.stdout.toString()).toContain('was changed');
});
