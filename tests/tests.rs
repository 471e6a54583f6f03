//! Contract tests: they drive the real `quzheng` binary (../shared/contract/cli.md).

mod contract_classify;
mod contract_import;
mod contract_report;
mod contract_vault;
mod util;
