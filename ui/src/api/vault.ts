import { call } from './ipc';
import type { Settings } from './types';
export const createVault = (passphrase: string) => call<void>('create_vault', { passphrase });
export const unlockVault = (passphrase: string) => call<void>('unlock_vault', { passphrase });
export const lockVault = () => call<void>('lock_vault');
export const changePassphrase = (old: string, newPassphrase: string) => call<void>('change_passphrase', { old, new: newPassphrase });
export const getSettings = () => call<Settings>('get_settings');
export const saveSettings = (settings: Settings) => call<void>('save_settings', { settings });
export const deleteEverything = (confirm: string) => call<void>('delete_everything', { confirm });
