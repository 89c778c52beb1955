// The Electron host's preload (sandboxed, context-isolated): the page gets exactly one
// function, trustpathHost.onState(cb), which delivers the states the main process
// forwards from trustpathd. Nothing goes back from the page; ipcRenderer itself is
// never exposed.
import { contextBridge, ipcRenderer as unsafeIpcRenderer } from 'electron';

const STATE_CHANNEL = 'trustpath:state';
let registered = false;

contextBridge.exposeInMainWorld('trustpathHost', Object.freeze({
  onState(cb: (state: unknown) => void): void {
    // One listener for the page's lifetime: the renderer registers once at load.
    if (registered || typeof cb !== 'function') return;
    registered = true;
    unsafeIpcRenderer.on(STATE_CHANNEL, (_event, state: unknown) => cb(state));
  },
}));
