//! Provider-defined functions (Terraform >= 1.8), e.g.
//! `provider::trustchain::ipv6_subnet(prefix, newbits, netnum)`.

pub mod ipv6;
