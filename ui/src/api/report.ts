import { call } from './ipc';
import type { PackInfo, PackRequest, Saved, VerifyResult } from './types';
export const buildReport = (request: PackRequest) => call<PackInfo>('build_report', { request });
/** Writes one part of the last built pack (`pdf`, `docx`, `csv`, `json`) to `path`. */
export const savePack = (part: 'pdf' | 'docx' | 'csv' | 'json', path: string) => call<Saved>('save_pack', { part, path });
export const verifyPack = (path: string) => call<VerifyResult>('verify_pack', { path });
/** The bytes of the last built PDF (for the in-app preview). */
export const packPdf = () => call<ArrayBuffer>('pack_pdf');
