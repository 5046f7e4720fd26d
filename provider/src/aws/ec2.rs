//! Small EC2 request builders every EC2-backed resource needs.

use aws_sdk_ec2::types::{AttributeBooleanValue, Filter};

/// A Describe* filter with one value, e.g. `filter("vpc-id", id)`.
pub fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

/// The boolean wrapper EC2's Modify*Attribute calls take.
pub fn bool_value(v: bool) -> AttributeBooleanValue {
    AttributeBooleanValue::builder().value(v).build()
}
