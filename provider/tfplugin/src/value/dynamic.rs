//! `DynamicValue`: a value as Terraform sends it, kept as bytes until the schema type
//! that decodes it is known.

use super::error::ValueError;
use super::json::decode_json;
use super::msgpack::{decode_msgpack, encode_msgpack};
use super::types::Type;
use super::values::Value;

/// One of msgpack or JSON bytes (Terraform sends msgpack; JSON appears in older
/// clients and tests). Both empty means null.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DynamicValue {
    pub msgpack: Vec<u8>,
    pub json: Vec<u8>,
}

impl DynamicValue {
    /// Decodes with the schema's type: msgpack when present, else JSON, else null.
    pub fn decode(&self, ty: &Type) -> Result<Value, ValueError> {
        if !self.msgpack.is_empty() {
            decode_msgpack(&self.msgpack, ty)
        } else if !self.json.is_empty() {
            decode_json(&self.json, ty)
        } else {
            Ok(Value::Null)
        }
    }

    /// Encodes as msgpack, the form every Terraform reads.
    pub fn encode(v: &Value, ty: &Type) -> Result<DynamicValue, ValueError> {
        Ok(DynamicValue {
            msgpack: encode_msgpack(v, ty)?,
            json: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_bytes_are_null_and_msgpack_round_trips() {
        let ty = Type::object([("id", Type::String)]);
        assert_eq!(DynamicValue::default().decode(&ty), Ok(Value::Null));
        let v = Value::object([("id", Value::string("vpc-1"))]);
        let dv = DynamicValue::encode(&v, &ty).expect("encode");
        assert_eq!(dv.decode(&ty), Ok(v));
    }

    #[test]
    fn json_is_read_when_msgpack_is_absent() {
        let ty = Type::object([("id", Type::String)]);
        let dv = DynamicValue {
            msgpack: Vec::new(),
            json: br#"{"id":"x"}"#.to_vec(),
        };
        assert_eq!(
            dv.decode(&ty),
            Ok(Value::object([("id", Value::string("x"))]))
        );
    }
}
