//! Terraform values.

use std::collections::BTreeMap;

use super::error::ValueError;
use super::number::Number;
use super::path::{AttributePath, PathStep};
use super::types::Type;

/// What is already known about an unknown value (Terraform 1.6+ "refined
/// unknowns"). The default is "nothing is known".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Refinements {
    /// Whether the final value will be null. Terraform only ever sends
    /// `Some(false)`: "definitely not null". On the wire this is key 1 with
    /// the same boolean.
    pub nullness: Option<bool>,
    /// The final string value starts with this (string values only).
    pub string_prefix: Option<String>,
    /// Lower bound of the final number and whether it is inclusive.
    pub number_lower: Option<(Number, bool)>,
    /// Upper bound of the final number and whether it is inclusive.
    pub number_upper: Option<(Number, bool)>,
    /// Minimum length of the final collection (list, set, map).
    pub length_lower: Option<u64>,
    /// Maximum length of the final collection (list, set, map).
    pub length_upper: Option<u64>,
}

impl Refinements {
    /// "This value will not be null": the refinement providers use most.
    pub fn not_null() -> Self {
        Self {
            nullness: Some(false),
            ..Self::default()
        }
    }

    /// Whether nothing at all is known.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    pub fn is_definitely_not_null(&self) -> bool {
        self.nullness == Some(false)
    }

    #[must_use]
    pub fn with_string_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.string_prefix = Some(prefix.into());
        self
    }
}

/// A Terraform value. Values carry no type of their own; the [`Type`] they
/// are decoded with or encoded against comes from the schema.
///
/// Equality is by value: numbers compare numerically and sets compare
/// without regard to order.
#[derive(Debug, Clone, Default)]
pub enum Value {
    #[default]
    Null,
    Unknown(Refinements),
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    /// Set elements in the order they arrived (Terraform's order).
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
}

impl Value {
    /// A wholly unknown value.
    pub fn unknown() -> Value {
        Value::Unknown(Refinements::default())
    }

    /// An unknown value with refinements.
    pub fn unknown_refined(refinements: Refinements) -> Value {
        Value::Unknown(refinements)
    }

    /// Null, for any type. Values are untyped, so this is always
    /// [`Value::Null`]; it exists so call sites can say what they mean.
    pub fn null_for(_ty: &Type) -> Value {
        Value::Null
    }

    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn number(n: impl Into<Number>) -> Value {
        Value::Number(n.into())
    }

    pub fn list(items: impl IntoIterator<Item = Value>) -> Value {
        Value::List(items.into_iter().collect())
    }

    pub fn set(items: impl IntoIterator<Item = Value>) -> Value {
        Value::Set(items.into_iter().collect())
    }

    pub fn tuple(items: impl IntoIterator<Item = Value>) -> Value {
        Value::Tuple(items.into_iter().collect())
    }

    pub fn object<K: Into<String>>(attributes: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(attributes.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// Known at the top level (null counts as known).
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }

    /// Known here and everywhere below.
    pub fn is_fully_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().all(Value::is_fully_known)
            }
            Value::Map(entries) | Value::Object(entries) => {
                entries.values().all(Value::is_fully_known)
            }
            _ => true,
        }
    }

    /// The refinements of an unknown value.
    pub fn refinements(&self) -> Option<&Refinements> {
        match self {
            Value::Unknown(r) => Some(r),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The elements of a list, set or tuple.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// The entries of a map or the attributes of an object.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(entries) | Value::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// An object attribute (or map entry) by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.as_map()?.get(name)
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Map(entries) | Value::Object(entries) => entries.get_mut(name),
            _ => None,
        }
    }

    /// The part of this value that `path` leads to. Attribute steps follow
    /// objects, string keys follow maps, int keys follow lists, tuples and
    /// (by position) sets.
    pub fn at(&self, path: &AttributePath) -> Option<&Value> {
        path.steps
            .iter()
            .try_fold(self, |value, step| value.step(step))
    }

    pub fn at_mut(&mut self, path: &AttributePath) -> Option<&mut Value> {
        path.steps
            .iter()
            .try_fold(self, |value, step| value.step_mut(step))
    }

    fn step(&self, step: &PathStep) -> Option<&Value> {
        match (self, step) {
            (Value::Object(attrs), PathStep::Attribute(name)) => attrs.get(name),
            (Value::Map(entries), PathStep::ElementKeyString(key)) => entries.get(key),
            (
                Value::List(items) | Value::Set(items) | Value::Tuple(items),
                PathStep::ElementKeyInt(i),
            ) => items.get(usize::try_from(*i).ok()?),
            _ => None,
        }
    }

    fn step_mut(&mut self, step: &PathStep) -> Option<&mut Value> {
        match (self, step) {
            (Value::Object(attrs), PathStep::Attribute(name)) => attrs.get_mut(name),
            (Value::Map(entries), PathStep::ElementKeyString(key)) => entries.get_mut(key),
            (
                Value::List(items) | Value::Set(items) | Value::Tuple(items),
                PathStep::ElementKeyInt(i),
            ) => items.get_mut(usize::try_from(*i).ok()?),
            _ => None,
        }
    }

    /// Replace the part of this value at `path`. The parent must exist; an
    /// object attribute or map entry is added if it is not there yet, a list
    /// index must already exist.
    pub fn set_at(&mut self, path: &AttributePath, value: Value) -> Result<(), ValueError> {
        let Some((last, parent_steps)) = path.steps.split_last() else {
            *self = value;
            return Ok(());
        };
        let parent_path = AttributePath::new(parent_steps.to_vec());
        let fail = |message: String| {
            Err(ValueError::Path {
                path: path.clone(),
                message,
            })
        };
        let Some(parent) = self.at_mut(&parent_path) else {
            return fail("the parent value does not exist".into());
        };
        match (parent, last) {
            (Value::Object(attrs), PathStep::Attribute(name)) => {
                attrs.insert(name.clone(), value);
                Ok(())
            }
            (Value::Map(entries), PathStep::ElementKeyString(key)) => {
                entries.insert(key.clone(), value);
                Ok(())
            }
            (
                Value::List(items) | Value::Set(items) | Value::Tuple(items),
                PathStep::ElementKeyInt(i),
            ) => match usize::try_from(*i).ok().and_then(|i| items.get_mut(i)) {
                Some(slot) => {
                    *slot = value;
                    Ok(())
                }
                None => fail(format!(
                    "index {i} is out of range (length {})",
                    items.len()
                )),
            },
            (parent, _) => fail(format!("the parent value is {}", parent.kind())),
        }
    }

    /// Visit this value and everything below it, parents before children,
    /// with the path of each. Set elements get `ElementKeyInt` steps with
    /// their position: Terraform cannot resolve such a path in a diagnostic,
    /// so report set problems at the set itself.
    pub fn walk(&self, f: &mut impl FnMut(&AttributePath, &Value)) {
        let mut path = AttributePath::root();
        self.walk_inner(&mut path, f);
    }

    fn walk_inner(&self, path: &mut AttributePath, f: &mut impl FnMut(&AttributePath, &Value)) {
        f(path, self);
        match self {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(PathStep::ElementKeyInt(i as i64));
                    item.walk_inner(path, f);
                    path.pop();
                }
            }
            Value::Map(entries) => {
                for (key, item) in entries {
                    path.push(PathStep::ElementKeyString(key.clone()));
                    item.walk_inner(path, f);
                    path.pop();
                }
            }
            Value::Object(attrs) => {
                for (name, item) in attrs {
                    path.push(PathStep::Attribute(name.clone()));
                    item.walk_inner(path, f);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    /// Like [`Value::walk`] but may change values. `f` sees a value before
    /// its children; if it replaces the value, the walk continues into the
    /// replacement.
    pub fn walk_mut(&mut self, f: &mut impl FnMut(&AttributePath, &mut Value)) {
        let mut path = AttributePath::root();
        self.walk_mut_inner(&mut path, f);
    }

    fn walk_mut_inner(
        &mut self,
        path: &mut AttributePath,
        f: &mut impl FnMut(&AttributePath, &mut Value),
    ) {
        f(path, self);
        match self {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    path.push(PathStep::ElementKeyInt(i as i64));
                    item.walk_mut_inner(path, f);
                    path.pop();
                }
            }
            Value::Map(entries) => {
                for (key, item) in entries.iter_mut() {
                    path.push(PathStep::ElementKeyString(key.clone()));
                    item.walk_mut_inner(path, f);
                    path.pop();
                }
            }
            Value::Object(attrs) => {
                for (name, item) in attrs.iter_mut() {
                    path.push(PathStep::Attribute(name.clone()));
                    item.walk_mut_inner(path, f);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    /// The type this value would have on its own, used to encode values in
    /// `dynamic` slots. Null and unknown give `Dynamic`; a collection's
    /// element type is unified from its elements (`Dynamic` where no element
    /// says more, the first element's type where they disagree, which then
    /// fails to encode with a path to the odd element).
    pub fn infer_type(&self) -> Type {
        match self {
            Value::Null | Value::Unknown(_) => Type::Dynamic,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(items) => Type::list(unify_all(items.iter())),
            Value::Set(items) => Type::set(unify_all(items.iter())),
            Value::Map(entries) => Type::map(unify_all(entries.values())),
            Value::Tuple(items) => Type::Tuple(items.iter().map(Value::infer_type).collect()),
            Value::Object(attrs) => {
                Type::object(attrs.iter().map(|(name, v)| (name.clone(), v.infer_type())))
            }
        }
    }

    /// A short name for the kind of value, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown(_) => "unknown",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
            Value::Tuple(_) => "tuple",
        }
    }
}

fn unify_all<'a>(values: impl Iterator<Item = &'a Value>) -> Type {
    let mut result = Type::Dynamic;
    for value in values {
        let ty = value.infer_type();
        result = unify(&result, &ty).unwrap_or(result);
    }
    result
}

/// The most specific type both `a` and `b` fit, treating `Dynamic` as "not
/// yet known"; `None` when they conflict.
fn unify(a: &Type, b: &Type) -> Option<Type> {
    match (a, b) {
        (Type::Dynamic, t) | (t, Type::Dynamic) => Some(t.clone()),
        (Type::List(x), Type::List(y)) => Some(Type::list(unify(x, y)?)),
        (Type::Set(x), Type::Set(y)) => Some(Type::set(unify(x, y)?)),
        (Type::Map(x), Type::Map(y)) => Some(Type::map(unify(x, y)?)),
        (Type::Tuple(xs), Type::Tuple(ys)) if xs.len() == ys.len() => Some(Type::Tuple(
            xs.iter()
                .zip(ys)
                .map(|(x, y)| unify(x, y))
                .collect::<Option<_>>()?,
        )),
        (
            Type::Object {
                attributes: xs,
                optional,
            },
            Type::Object { attributes: ys, .. },
        ) if xs.len() == ys.len() => {
            let mut attributes = BTreeMap::new();
            for (name, x) in xs {
                attributes.insert(name.clone(), unify(x, ys.get(name)?)?);
            }
            Some(Type::Object {
                attributes,
                optional: optional.clone(),
            })
        }
        (x, y) if x == y => Some(x.clone()),
        _ => None,
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Unknown(a), Value::Unknown(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => a == b,
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => a == b,
            (Value::Set(a), Value::Set(b)) => same_elements(a, b),
            _ => false,
        }
    }
}

/// Multiset equality; quadratic, which is fine at Terraform set sizes.
fn same_elements(a: &[Value], b: &[Value]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut used = vec![false; b.len()];
    a.iter().all(|x| {
        let found = b
            .iter()
            .enumerate()
            .find(|(i, y)| !used[*i] && x == *y)
            .map(|(i, _)| i);
        match found {
            Some(i) => {
                used[i] = true;
                true
            }
            None => false,
        }
    })
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Number(Number::Int(n))
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(Number::Float(n))
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Value {
        Value::object([(
            "tier",
            Value::map([(
                "public",
                Value::list([Value::object([("name", Value::string("a"))])]),
            )]),
        )])
    }

    #[test]
    fn at_follows_attribute_key_and_index_steps() {
        let path = AttributePath::root()
            .attr("tier")
            .key("public")
            .index(0)
            .attr("name");
        assert_eq!(sample().at(&path), Some(&Value::string("a")));
        assert_eq!(
            sample().at(&AttributePath::root().attr("tier").attr("public")),
            None
        );
        assert_eq!(sample().at(&AttributePath::root()), Some(&sample()));
    }

    #[test]
    fn set_at_replaces_and_adds_attributes_but_not_list_elements() {
        let mut v = sample();
        let name = AttributePath::root()
            .attr("tier")
            .key("public")
            .index(0)
            .attr("name");
        v.set_at(&name, Value::unknown()).expect("set existing");
        assert!(v.at(&name).is_some_and(Value::is_unknown));
        let id = AttributePath::root().attr("id");
        v.set_at(&id, Value::string("x")).expect("add attribute");
        assert_eq!(v.get("id"), Some(&Value::string("x")));
        let past_end = AttributePath::root().attr("tier").key("public").index(5);
        let err = v.set_at(&past_end, Value::Null).expect_err("out of range");
        assert_eq!(err.path(), &past_end);
        let under_null = AttributePath::root().attr("nothing").attr("x");
        assert!(v.set_at(&under_null, Value::Null).is_err());
    }

    #[test]
    fn walk_visits_every_value_with_its_path_parents_first() {
        let mut seen = Vec::new();
        sample().walk(&mut |path, value| seen.push((path.to_string(), value.kind())));
        assert_eq!(
            seen,
            vec![
                (String::new(), "object"),
                ("tier".to_owned(), "map"),
                ("tier[\"public\"]".to_owned(), "list"),
                ("tier[\"public\"][0]".to_owned(), "object"),
                ("tier[\"public\"][0].name".to_owned(), "string"),
            ]
        );
    }

    #[test]
    fn walk_mut_can_mark_values_unknown() {
        let mut v = sample();
        v.walk_mut(&mut |path, value| {
            if path.last() == Some(&PathStep::Attribute("name".into())) {
                *value = Value::unknown();
            }
        });
        assert!(!v.is_fully_known());
        assert!(sample().is_fully_known());
    }

    #[test]
    fn set_equality_ignores_order_but_counts_duplicates() {
        let a = Value::set([Value::string("x"), Value::string("y")]);
        let b = Value::set([Value::string("y"), Value::string("x")]);
        assert_eq!(a, b);
        let c = Value::set([Value::string("x"), Value::string("x")]);
        assert_ne!(a, c);
        assert_ne!(
            Value::list([Value::string("x")]),
            Value::set([Value::string("x")])
        );
    }

    #[test]
    fn infer_type_unifies_collection_elements() {
        let v = Value::list([
            Value::object([("a", Value::Null)]),
            Value::object([("a", Value::string("x"))]),
        ]);
        assert_eq!(
            v.infer_type(),
            Type::list(Type::object([("a", Type::String)]))
        );
        assert_eq!(Value::list([]).infer_type(), Type::list(Type::Dynamic));
        assert_eq!(
            Value::tuple([Value::from(true), Value::from(1i64)]).infer_type(),
            Type::tuple([Type::Bool, Type::Number])
        );
    }
}
