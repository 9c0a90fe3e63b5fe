// The one way every browser test starts Chromium: Debian's (or $CHROMIUM),
// headless, with nothing that would reach the network on its own.
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** A new headless Chromium; the caller closes it. */
export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
