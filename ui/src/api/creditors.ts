import { call } from './ipc';
import type { Creditor } from './types';
export const listCreditors = () => call<Creditor[]>('list_creditors');
/** Renames `from` to `to`; when `to` already exists the two are merged. */
export const renameCreditor = (from: string, to: string) => call<void>('rename_creditor', { from, to });
