//! Contract tests: they drive the real `quzheng` binary (../shared/contract/cli.md).

mod util;
mod contract_classify;
