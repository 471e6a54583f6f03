import { call } from './ipc';
import type { Detail, Filter, FilterResult, Overview, Row } from './types';
export const overview = () => call<Overview>('overview');
export const filterMessages = (filter: Filter) => call<FilterResult>('filter_messages', { filter });
export const messageRows = (ids: number[]) => call<Row[]>('message_rows', { ids });
export const messageDetail = (id: number) => call<Detail>('message_detail', { id });
export const correctLabels = (id: number, add: string[], remove: string[], note: string) =>
  call<Detail>('correct_labels', { id, add, remove, note });
