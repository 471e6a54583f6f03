// Shapes returned by the shell's commands (serde structs in src-tauri/src/commands/*.rs).
export interface LabelInfo { id: string; name: string; time: boolean }
export interface AppInfo { version: string; vault_exists: boolean; vault_path: string; labels: LabelInfo[] }
/** The vault's settings (quzheng::vault::VaultSettings); `night` is `HH:MM-HH:MM` local. */
export interface Settings { zone: string; night: string; max_per_day: number; lang: 'zh' | 'en'; auto_lock_min: number }
export interface ImportProgress { file: string; file_index: number; files: number; bytes_done: number; bytes_total: number; records: number }
/** One file's result; `skipped` and `warnings` are sentences from the core's i18n. */
export interface FileSummary { name: string; sha256: string; format: string; imported: number; duplicates: number; skipped: string[]; warnings: string[]; error: string | null }
export interface ImportSummary { files: FileSummary[]; imported: number; duplicates: number; skipped: number; warnings: number; failed: number }
export interface Count { name: string; n: number }
export interface Overview {
  total: number; collection: number; night: number; night_window: string;
  by_label: Count[]; by_creditor: Count[];
  per_day: { day: string; n: number; night: number }[];
  per_hour: number[]; night_hours: number[];
  worst_day: { day: string; n: number } | null;
}
export interface Filter { labels: string[]; creditor: string | null; since: string | null; until: string | null; text: string; collection_only: boolean }
export interface FilterResult { ids: number[]; total: number; elapsed_us: number }
/** `marks`: the findings' spans in `body`, `[start, end)` in code points (as FindingInfo). */
export interface Row { id: number; local: string; address: string; creditor: string | null; labels: string[]; collection: boolean; body: string; marks: [number, number][] }
export interface FindingInfo { label: string; rule: string; start: number; end: number; text: string }
export interface CorrectionInfo { add: string[]; remove: string[]; note: string; at: string }
export interface Detail extends Row {
  utc: string; zone: string; kind: string; direction: string;
  source_name: string; source_sha256: string; fingerprint: string;
  findings: FindingInfo[]; corrections: CorrectionInfo[]; classifier_labels: string[];
}
/** quzheng::api::classify::CreditorRow */
export interface Creditor { name: string; messages: number; addresses: string[]; aliases: string[] }
export interface PackRequest { creditors: string[]; since: string | null; until: string | null; audience: 'police' | 'regulator' | 'court'; complainant: string }
export interface PackInfo { sha256: string; pack_id: string; pages: number; messages: number; has_docx: boolean }
export interface Saved { path: string; sha256: string }
export interface VerifyResult { intact: boolean; detail: string }
