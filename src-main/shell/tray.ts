// The tray (menu-bar) icon: the app's always-reachable controls while its windows are hidden.
import { Menu, Tray, nativeImage } from 'electron';
import { join } from 'node:path';

export interface TrayState {
  captionsRunning: boolean;
  overlayVisible: boolean;
  dictating: boolean;
  autoStart: boolean;
}

export interface TrayActions {
  toggleCaptions(): void;
  toggleOverlay(): void;
  toggleDictation(): void;
  setAutoStart(enabled: boolean): void;
  showMain(): void;
  quit(): void;
}

export class AppTray {
  private readonly tray: Tray;

  constructor(
    resourcesDir: string,
    private readonly actions: TrayActions,
    private state: TrayState,
  ) {
    // macOS menu bars want a monochrome "template" image the OS tints; elsewhere the coloured icon.
    const file = process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png';
    const image = nativeImage.createFromPath(join(resourcesDir, file));
    if (process.platform === 'darwin') image.setTemplateImage(true);
    this.tray = new Tray(image);
    this.tray.setToolTip('Earshot');
    this.tray.on('click', () => actions.showMain());
    this.render();
  }

  update(patch: Partial<TrayState>): void {
    this.state = { ...this.state, ...patch };
    this.render();
  }

  private render(): void {
    const s = this.state;
    this.tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: s.captionsRunning ? 'Stop captions' : 'Start captions', click: () => this.actions.toggleCaptions() },
        { label: s.overlayVisible ? 'Hide overlay' : 'Show overlay', click: () => this.actions.toggleOverlay() },
        { label: s.dictating ? 'Stop dictation' : 'Dictate', click: () => this.actions.toggleDictation() },
        { type: 'separator' },
        { label: 'Start at login', type: 'checkbox', checked: s.autoStart, click: (item) => this.actions.setAutoStart(item.checked) },
        { label: 'Show Earshot', click: () => this.actions.showMain() },
        { type: 'separator' },
        { label: 'Quit Earshot', role: 'quit', click: () => this.actions.quit() },
      ]),
    );
  }

  destroy(): void {
    this.tray.destroy();
  }
}
