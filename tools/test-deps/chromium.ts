/**
 * Chromium (the browser the Swagger UI test drives): `CHROMIUM_PATH` when set, else Debian's
 * `chromium` package, installed with apt-get on first use when the run is root. playwright-core
 * never downloads a browser of its own.
 */
import { DebianToolOptions, ensureDebianTool, type DebianTool } from './debian-tool';

export const CHROMIUM_DEFAULT_PATH = '/usr/bin/chromium';

const CHROMIUM: DebianTool = {
  name: 'Chromium',
  packageName: 'chromium',
  pathVariable: 'CHROMIUM_PATH',
  defaultPath: CHROMIUM_DEFAULT_PATH,
  executable: 'a Chromium or Chrome executable',
};

/** Returns the path of a Chromium that starts, installing Debian's package when there is none and the run may. */
export function ensureChromium(options: DebianToolOptions = {}): string {
  return ensureDebianTool(CHROMIUM, options);
}
