import { call } from './ipc';
import type { AppInfo } from './types';
import type { Lang } from '../i18n';
export const appInfo = () => call<AppInfo>('app_info');
export const setLanguage = (lang: Lang) => call<void>('set_language', { lang });
/** Native open dialog (the shell uses QUZHENG_E2E_OPEN_FILES instead in end-to-end tests). */
export const pickFiles = () => call<string[]>('pick_files');
/** Native save dialog; returns null when the user cancels. */
export const pickSavePath = (defaultName: string) => call<string | null>('pick_save_path', { defaultName });
/** Tells the shell the first screen is interactive (used only by the cold-start benchmark). */
export const uiReady = (screen: 'unlock' | 'first-run') => call<void>('ui_ready', { screen });
