//! Solidity security platform on EKS (facts/seed-solidity-aws-architecture.md).

use crate::model::{Header, PlatformView};
use crate::spec::{Located, SpecErrors};

pub fn build(located: &Located<'_>, _header: Header) -> Result<PlatformView, SpecErrors> {
    Err(SpecErrors(vec![located.error_at_path("platform.name", "solidity is not built yet".into())]))
}
