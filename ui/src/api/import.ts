import { call, on } from './ipc';
import type { ImportProgress, ImportSummary } from './types';
export const importFiles = (paths: string[]) => call<ImportSummary>('import_files', { paths });
export const onImportProgress = (f: (p: ImportProgress) => void) => on<ImportProgress>('import-progress', f);
import { getCurrentWebview } from '@tauri-apps/api/webview';
/** Files dropped on the window (Tauri gives real paths; HTML drop events would not). */
export const onFilesDropped = (f: (paths: string[]) => void, hover: (over: boolean) => void) =>
  getCurrentWebview().onDragDropEvent((e) => {
    if (e.payload.type === 'drop') {
      hover(false);
      f(e.payload.paths);
    } else hover(e.payload.type === 'enter' || e.payload.type === 'over');
  });
