//! IPv6 helper functions: `ipv6_subnet` (cidrsubnet for IPv6, with errors that name
//! the argument) and `ipv6_tier_subnet` (the /64 of the shared index scheme).

use crate::ipv6::{self, Ipv6Cidr};
use tfplugin::provider::{Function, FunctionError, Parameter, Signature};
use tfplugin::value::{Type, Value};

fn string_arg(args: &[Value], i: usize) -> Result<&str, FunctionError> {
    args.get(i)
        .and_then(Value::as_str)
        .ok_or_else(|| FunctionError::argument(i, "expected a string"))
}

fn int_arg(args: &[Value], i: usize, name: &str) -> Result<i64, FunctionError> {
    args.get(i)
        .and_then(Value::as_number)
        .and_then(|n| n.as_i64())
        .ok_or_else(|| FunctionError::argument(i, format!("{name} must be a whole number")))
}

fn prefix_arg(args: &[Value], i: usize) -> Result<Ipv6Cidr, FunctionError> {
    Ipv6Cidr::parse(string_arg(args, i)?).map_err(|e| FunctionError::argument(i, e.to_string()))
}

pub struct Ipv6Subnet;

impl Function for Ipv6Subnet {
    fn name(&self) -> &str {
        "ipv6_subnet"
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![
                Parameter::new("prefix", Type::String, "IPv6 CIDR block to divide, e.g. \"2600:1f18:abcd:1200::/56\"."),
                Parameter::new("newbits", Type::Number, "Bits to add to the prefix length (8 turns a /56 into /64s)."),
                Parameter::new("netnum", Type::Number, "Subnet number, from 0 to 2^newbits - 1."),
            ],
            variadic: None,
            return_type: Type::String,
            summary: "Carve an IPv6 subnet out of a prefix".into(),
            description: "Like the built-in cidrsubnet, for IPv6: returns subnet number netnum of size /(prefix length + newbits). Refuses prefixes with host bits set and netnums that do not fit, naming the argument at fault.".into(),
        }
    }

    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError> {
        let prefix = prefix_arg(&args, 0)?;
        let newbits = int_arg(&args, 1, "newbits")?;
        let netnum = int_arg(&args, 2, "netnum")?;
        match prefix.subnet(newbits, netnum) {
            Ok(c) => Ok(Value::String(c.to_string())),
            Err(
                e @ (ipv6::PlanError::TooManyBits { .. } | ipv6::PlanError::NegativeNewbits { .. }),
            ) => Err(FunctionError::argument(1, e.to_string())),
            Err(e) => Err(FunctionError::argument(2, e.to_string())),
        }
    }
}

pub struct Ipv6TierSubnet;

impl Function for Ipv6TierSubnet {
    fn name(&self) -> &str {
        "ipv6_tier_subnet"
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![
                Parameter::new("prefix", Type::String, "The VPC's IPv6 CIDR block (/60 or shorter)."),
                Parameter::new("tier_index", Type::Number, "The tier's index in the scheme (0 for the first tier)."),
                Parameter::new("availability_zone", Type::String, "Zone name; its final letter picks the slot (a = 0 ... p = 15)."),
            ],
            variadic: None,
            return_type: Type::String,
            summary: "The /64 of a tier and zone under the trustchain index scheme".into(),
            description: "Returns the /64 that trustchain_ipv6_plan and trustchain_ipv6_network assign to this tier and zone: subnet number tier_index * 16 + zone letter index inside the prefix. Adding zones or tiers never changes an existing result.".into(),
        }
    }

    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError> {
        let prefix = prefix_arg(&args, 0)?;
        let tier = int_arg(&args, 1, "tier_index")?;
        let zone = string_arg(&args, 2)?;
        let az = ipv6::az_index(zone).map_err(|e| FunctionError::argument(2, e.to_string()))?;
        prefix
            .tier_subnet(tier, az)
            .map(|c| Value::String(c.to_string()))
            .map_err(|e| match e {
                ipv6::PlanError::TierIndexOutOfRange { .. } => {
                    FunctionError::argument(1, e.to_string())
                }
                _ => FunctionError::argument(0, e.to_string()),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;
    use tfplugin::value::Number;

    fn s(x: &str) -> Value {
        Value::String(x.into())
    }

    fn n(x: i64) -> Value {
        Value::Number(x.into())
    }

    #[test]
    fn ipv6_subnet_carves_and_names_the_bad_argument() {
        let f = Ipv6Subnet;
        assert_eq!(
            f.call(vec![s("2001:db8::/56"), n(8), n(1)]),
            Ok(s("2001:db8:0:1::/64"))
        );
        assert_eq!(
            f.call(vec![s("2001:db8::/56"), n(8), n(256)])
                .unwrap_err()
                .argument,
            Some(2)
        );
        assert_eq!(
            f.call(vec![s("2001:db8::/56"), n(80), n(0)])
                .unwrap_err()
                .argument,
            Some(1)
        );
        assert_eq!(
            f.call(vec![s("10.0.0.0/8"), n(8), n(0)])
                .unwrap_err()
                .argument,
            Some(0)
        );
    }

    #[test]
    fn numbers_past_the_address_space_name_their_argument() {
        // Used to overflow a shift (::/0 with 128 new bits) and a multiplication
        // (a tier index of 2^62).
        let f = Ipv6Subnet;
        assert_eq!(f.call(vec![s("::/0"), n(128), n(7)]), Ok(s("::7/128")));
        assert_eq!(
            f.call(vec![s("::/0"), n(-1), n(0)]).unwrap_err().argument,
            Some(1)
        );
        let t = Ipv6TierSubnet;
        let e = t
            .call(vec![s("::/0"), n(1 << 62), s("us-east-1a")])
            .unwrap_err();
        assert_eq!(e.argument, Some(1), "{}", e.text);
        assert!(e.text.contains("4611686018427387904"), "{}", e.text);
        assert_eq!(
            t.call(vec![
                s("::/0"),
                Value::Number(Number::parse("1e30").unwrap()),
                s("us-east-1a")
            ])
            .unwrap_err()
            .argument,
            Some(1)
        );
    }

    proptest::proptest! {
        /// Whatever numbers reach the functions (whole, fractional, huge,
        /// negative): a result or an error naming an argument, never a panic.
        #[test]
        fn any_numbers_get_an_answer(
            len in 0u8..=128,
            a in proptest::prop_oneof![proptest::num::i64::ANY.prop_map(|x| x.to_string()), "-?[0-9]{1,40}(\\.[0-9]{1,3})?(e[0-9]{1,3})?"],
            b in proptest::prop_oneof![proptest::num::i64::ANY.prop_map(|x| x.to_string()), "-?[0-9]{1,40}(\\.[0-9]{1,3})?"],
            zone in "[a-z0-9-]{0,12}",
        ) {
            use proptest::prelude::*;
            let num = |t: &str| Number::parse(t).map(Value::Number).unwrap_or(Value::Null);
            let prefix = s(&format!("::/{len}"));
            match Ipv6Subnet.call(vec![prefix.clone(), num(&a), num(&b)]) {
                Ok(v) => prop_assert!(v.as_str().is_some()),
                Err(e) => prop_assert!(matches!(e.argument, Some(0..=2)), "{e:?}"),
            }
            match Ipv6TierSubnet.call(vec![prefix, num(&a), s(&zone)]) {
                Ok(v) => prop_assert!(v.as_str().is_some_and(|c| c.ends_with("/64"))),
                Err(e) => prop_assert!(matches!(e.argument, Some(0..=2)), "{e:?}"),
            }
        }
    }

    #[test]
    fn ipv6_tier_subnet_follows_the_scheme() {
        let f = Ipv6TierSubnet;
        assert_eq!(
            f.call(vec![s("2001:db8:0:100::/56"), n(2), s("us-east-1c")]),
            Ok(s("2001:db8:0:122::/64"))
        );
        assert_eq!(
            f.call(vec![s("2001:db8::/56"), n(0), s("use1-az1")])
                .unwrap_err()
                .argument,
            Some(2)
        );
        assert_eq!(
            f.call(vec![s("2001:db8::/56"), n(16), s("us-east-1a")])
                .unwrap_err()
                .argument,
            Some(1)
        );
    }
}
