// The caption overlay: a frameless, transparent strip above every other window (full-screen apps included),
// optionally click-through, remembered per display. Geometry rules live in window-state.ts (pure, tested).
import { BrowserWindow, screen, type Display } from 'electron';
import { rememberBounds, restoreBounds, type DisplayInfo, type WindowState } from './window-state.js';

export interface OverlayOptions {
  url: string;
  preload: string;
  state: WindowState;
  clickThrough: boolean;
  alwaysOnTop: boolean;
  /** Called (debounced) with the new geometry state whenever the user moves or resizes the overlay. */
  onStateChange: (state: WindowState) => void;
}

const toInfo = (d: Display): DisplayInfo => ({ id: d.id, bounds: d.bounds, workArea: d.workArea });

export class OverlayWindow {
  private win: BrowserWindow | null = null;
  private state: WindowState;
  private clickThrough: boolean;
  private alwaysOnTop: boolean;
  private saveTimer: NodeJS.Timeout | null = null;
  private readonly onDisplaysChanged = () => this.reposition();

  constructor(private readonly opts: OverlayOptions) {
    this.state = opts.state;
    this.clickThrough = opts.clickThrough;
    this.alwaysOnTop = opts.alwaysOnTop;
  }

  get visible(): boolean {
    return this.win?.isVisible() ?? false;
  }

  private create(): BrowserWindow {
    const displays = screen.getAllDisplays().map(toInfo);
    const bounds = restoreBounds(this.state, displays, toInfo(screen.getPrimaryDisplay()));
    const win = new BrowserWindow({
      ...bounds,
      frame: false,
      transparent: true,
      backgroundColor: '#00000000',
      hasShadow: false,
      skipTaskbar: true,
      resizable: true,
      minimizable: false,
      maximizable: false,
      fullscreenable: false,
      show: false,
      title: 'Earshot captions',
      webPreferences: { preload: this.opts.preload, contextIsolation: true, sandbox: true, nodeIntegration: false, spellcheck: false },
    });
    this.applyAlwaysOnTop(win);
    this.applyClickThrough(win);
    win.on('moved', () => this.scheduleSave());
    win.on('resized', () => this.scheduleSave());
    win.on('closed', () => {
      this.win = null;
    });
    screen.on('display-added', this.onDisplaysChanged);
    screen.on('display-removed', this.onDisplaysChanged);
    screen.on('display-metrics-changed', this.onDisplaysChanged);
    void win.loadURL(this.opts.url);
    return win;
  }

  show(): void {
    this.win ??= this.create();
    // showInactive: the overlay must never steal the keyboard focus from the app the user is in.
    this.win.showInactive();
  }

  hide(): void {
    this.win?.hide();
  }

  toggle(): boolean {
    if (this.visible) this.hide();
    else this.show();
    return this.visible;
  }

  setClickThrough(enabled: boolean): void {
    this.clickThrough = enabled;
    if (this.win) this.applyClickThrough(this.win);
  }

  setAlwaysOnTop(enabled: boolean): void {
    this.alwaysOnTop = enabled;
    if (this.win) this.applyAlwaysOnTop(this.win);
  }

  /** Click-through: mouse events go to whatever is below; `forward` still lets the page see hover to show a grab handle. */
  private applyClickThrough(win: BrowserWindow): void {
    if (this.clickThrough) win.setIgnoreMouseEvents(true, { forward: true });
    else win.setIgnoreMouseEvents(false);
    win.setFocusable(!this.clickThrough);
  }

  /** 'screen-saver' is the highest level macOS/Windows allow; Linux window managers treat it as plain above. */
  private applyAlwaysOnTop(win: BrowserWindow): void {
    win.setAlwaysOnTop(this.alwaysOnTop, 'screen-saver');
    win.setVisibleOnAllWorkspaces(this.alwaysOnTop, { visibleOnFullScreen: true, skipTransformProcessType: true });
  }

  private scheduleSave(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      if (!this.win) return;
      this.state = rememberBounds(this.state, this.win.getBounds(), screen.getAllDisplays().map(toInfo));
      this.opts.onStateChange(this.state);
    }, 400);
  }

  /** A display came, went or changed: put the overlay back where it belongs on what exists now. */
  private reposition(): void {
    if (!this.win) return;
    const displays = screen.getAllDisplays().map(toInfo);
    this.win.setBounds(restoreBounds(this.state, displays, toInfo(screen.getPrimaryDisplay())));
  }

  destroy(): void {
    screen.off('display-added', this.onDisplaysChanged);
    screen.off('display-removed', this.onDisplaysChanged);
    screen.off('display-metrics-changed', this.onDisplaysChanged);
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.win?.destroy();
    this.win = null;
  }
}
