import { defineConfig } from '@playwright/test';
import path from 'node:path';

// The release binary built by `cargo leptos build --release`, on its own data folder.
export const binary = path.resolve(__dirname, '../target/release/logbook');
export const dataDir = path.resolve(__dirname, '.data/e2e');
const port = 3123;

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  // A hung run fails here, not at CI's own limit.
  globalTimeout: 20 * 60_000,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `${binary} serve`,
    url: `http://127.0.0.1:${port}/healthz`,
    // First start seeds 50,000 demo events.
    timeout: 180_000,
    reuseExistingServer: false,
    env: {
      LOGBOOK_ADDR: `127.0.0.1:${port}`,
      LOGBOOK_DEMO_DATA: 'true',
      // The alert tests' receivers listen on loopback.
      LOGBOOK_ALERTS__ALLOW_PRIVATE_TARGETS: 'true',
      LOGBOOK_DATA_DIR: dataDir,
      LOGBOOK_SITE_ROOT: path.resolve(__dirname, '../target/site'),
    },
  },
});
