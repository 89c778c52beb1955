// The Electron prompt host (production). trustpathd starts it as the `trustpath` user
// on the subject's display with the state channel on fd 3 (fd3-frames.ts) and pushes
// view states; this process shows them in one frameless, full-screen, always-on-top
// window that loads only the local prompt page. The page gets states through the
// preload's bridge and nothing else: no navigation, no new windows, no permissions, no
// network, no menu accelerators, no input (keys are read by trustpath-input).
// When the channel closes or carries anything malformed, the host exits: the daemon
// treats that as the end of the prompt (fail closed).
import { app, BrowserWindow, Menu, session } from 'electron';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StateFrameDecoder } from '../fd3-frames.js';

const STATE_CHANNEL = 'trustpath:state';
const STATE_FD = 3;
const PAGE = join(__dirname, '..', '..', 'page', 'prompt.html');
const PAGE_DIR_URL = pathToFileURL(join(__dirname, '..', '..', 'page')).href + '/';

let win: BrowserWindow | null = null;
let latest: Record<string, unknown> | null = null;
let pageReady = false;

function fail(why: string): never {
  process.stderr.write(`trustpath-prompt: ${why}\n`);
  win?.destroy();
  app.exit(1);
  process.exit(1);
}

function deliver(state: Record<string, unknown>): void {
  latest = state;
  if (win !== null && pageReady) win.webContents.send(STATE_CHANNEL, state);
}

function readStates(): void {
  const decoder = new StateFrameDecoder();
  const input = createReadStream('', { fd: STATE_FD, highWaterMark: 16 * 1024 });
  input.on('data', (chunk) => {
    const { states, error } = decoder.push(chunk as Buffer);
    for (const s of states) deliver(s);
    if (error !== undefined) fail(`state channel: ${error}`);
  });
  input.on('error', (e) => fail(`state channel: ${e.message}`));
  input.on('end', () => { win?.destroy(); app.exit(0); });
}

function lockDownSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  // Only the page's own folder: no network, no other file.
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !details.url.startsWith(PAGE_DIR_URL) }));
}

function createWindow(): BrowserWindow {
  const w = new BrowserWindow({
    title: 'trustpath', frame: false, fullscreen: true, alwaysOnTop: true, closable: false,
    minimizable: false, maximizable: false, resizable: false, movable: false, skipTaskbar: true,
    backgroundColor: '#10151c', show: true,
    webPreferences: {
      preload: join(__dirname, 'preload.js'), contextIsolation: true, sandbox: true, nodeIntegration: false,
      nodeIntegrationInWorker: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false,
      devTools: false, spellcheck: false, navigateOnDragDrop: false, safeDialogs: true, backgroundThrottling: false,
    },
  });
  w.setAlwaysOnTop(true, 'screen-saver');
  w.on('close', (e) => e.preventDefault()); // the WM cannot close the prompt; the daemon ends it
  w.webContents.on('before-input-event', (e) => e.preventDefault());
  w.webContents.on('did-finish-load', () => {
    pageReady = true;
    if (latest !== null) deliver(latest);
  });
  w.webContents.on('render-process-gone', (_e, d) => fail(`renderer gone: ${d.reason}`));
  return w;
}

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});
app.on('window-all-closed', () => app.exit(0));
app.commandLine.appendSwitch('disable-background-timer-throttling');
app.commandLine.appendSwitch('disable-renderer-backgrounding');
app.commandLine.appendSwitch('disable-backgrounding-occluded-windows');
Menu.setApplicationMenu(null);

readStates();
app.whenReady().then(() => {
  lockDownSession();
  win = createWindow();
  return win.loadFile(PAGE);
}).catch((e: unknown) => fail(`cannot show the prompt: ${(e as Error).message}`));
