//! What Terraform does around the provider, as far as these tests need it: the
//! schema as Terraform receives it (from GetProviderSchema), the places a
//! configuration can be unknown or null, the proposed new state it sends to
//! PlanResourceChange, and the checks it makes of the answer (a planned value keeps
//! the configuration; apply's final plan, made once the unknowns are known, stays
//! compatible with the plan).

use tfplugin::testing::pb;
use tfplugin::value::{AttributePath, PathStep, Type, Value};

#[derive(Clone, Debug)]
pub struct Attr {
    pub name: String,
    pub ty: Type,
    pub optional: bool,
    pub computed: bool,
    pub write_only: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
}

#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub name: String,
    pub nesting: Nesting,
    pub min_items: i64,
    pub block: Block,
}

#[derive(Clone, Debug, Default)]
pub struct Block {
    pub attributes: Vec<Attr>,
    pub blocks: Vec<NestedBlock>,
}

impl Block {
    /// The schema of a type as GetProviderSchema announced it.
    pub fn from_pb(b: &pb::schema::Block) -> Block {
        Block {
            attributes: b
                .attributes
                .iter()
                .map(|a| {
                    assert!(
                        a.nested_type.is_none(),
                        "{}: nested attributes are new here; teach these tests about them",
                        a.name
                    );
                    Attr {
                        name: a.name.clone(),
                        ty: Type::from_json_bytes(&a.r#type).expect("attribute type"),
                        optional: a.optional,
                        computed: a.computed,
                        write_only: a.write_only,
                    }
                })
                .collect(),
            blocks: b
                .block_types
                .iter()
                .map(|nb| NestedBlock {
                    name: nb.type_name.clone(),
                    nesting: match pb::schema::nested_block::NestingMode::try_from(nb.nesting) {
                        Ok(pb::schema::nested_block::NestingMode::List) => Nesting::List,
                        Ok(pb::schema::nested_block::NestingMode::Set) => Nesting::Set,
                        Ok(pb::schema::nested_block::NestingMode::Map) => Nesting::Map,
                        _ => Nesting::Single,
                    },
                    min_items: nb.min_items,
                    block: Block::from_pb(nb.block.as_ref().expect("nested block schema")),
                })
                .collect(),
        }
    }

    pub fn value_type(&self) -> Type {
        let attrs = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.ty.clone()));
        let blocks = self.blocks.iter().map(|b| {
            let t = b.block.value_type();
            let t = match b.nesting {
                Nesting::Single => t,
                Nesting::List => Type::list(t),
                Nesting::Set => Type::set(t),
                Nesting::Map => Type::map(t),
            };
            (b.name.clone(), t)
        });
        Type::object(attrs.chain(blocks).collect::<Vec<_>>())
    }

    /// A configuration as Terraform builds it: absent list and set blocks are
    /// empty collections, not null.
    pub fn normalize(&self, v: &mut Value) {
        let Value::Object(m) = v else { return };
        for b in &self.blocks {
            let slot = m.entry(b.name.clone()).or_insert(Value::Null);
            if slot.is_null() {
                match b.nesting {
                    Nesting::List => *slot = Value::List(Vec::new()),
                    Nesting::Set => *slot = Value::Set(Vec::new()),
                    Nesting::Map => *slot = Value::Map(Default::default()),
                    Nesting::Single => {}
                }
            }
            match slot {
                Value::List(xs) | Value::Set(xs) => {
                    xs.iter_mut().for_each(|x| b.block.normalize(x))
                }
                Value::Map(xs) => xs.values_mut().for_each(|x| b.block.normalize(x)),
                o @ Value::Object(_) => b.block.normalize(o),
                _ => {}
            }
        }
    }
}

/// A place in a configuration a user can make unknown (a variable, another
/// resource's attribute, a dynamic block with an unknown for_each) or null.
#[derive(Clone, Debug)]
pub struct Leaf {
    pub path: AttributePath,
    pub null_allowed: bool,
}

/// Every leaf of a configuration: each argument (also those left out), each
/// element of a list, set or map argument, each argument inside each nested block,
/// and each whole nested block.
pub fn leaves(block: &Block, config: &Value, path: &AttributePath, out: &mut Vec<Leaf>) {
    for a in block
        .attributes
        .iter()
        .filter(|a| a.optional || !a.computed)
    {
        let p = path.child(PathStep::Attribute(a.name.clone()));
        out.push(Leaf {
            path: p.clone(),
            null_allowed: a.optional,
        });
        match config.get(&a.name) {
            Some(Value::List(xs) | Value::Set(xs)) => {
                for i in 0..xs.len() {
                    out.push(Leaf {
                        path: p.child(PathStep::ElementKeyInt(i as i64)),
                        null_allowed: true,
                    });
                }
            }
            Some(Value::Map(xs)) => {
                for k in xs.keys() {
                    out.push(Leaf {
                        path: p.child(PathStep::ElementKeyString(k.clone())),
                        null_allowed: true,
                    });
                }
            }
            _ => {}
        }
    }
    for b in &block.blocks {
        let p = path.child(PathStep::Attribute(b.name.clone()));
        out.push(Leaf {
            path: p.clone(),
            // An absent single block is null; a required one cannot be.
            null_allowed: b.nesting == Nesting::Single && b.min_items == 0,
        });
        match (b.nesting, config.get(&b.name)) {
            (Nesting::Single, Some(v @ Value::Object(_))) => leaves(&b.block, v, &p, out),
            (_, Some(Value::List(xs) | Value::Set(xs))) => {
                for (i, x) in xs.iter().enumerate() {
                    leaves(
                        &b.block,
                        x,
                        &p.child(PathStep::ElementKeyInt(i as i64)),
                        out,
                    );
                }
            }
            (_, Some(Value::Map(xs))) => {
                for (k, x) in xs {
                    leaves(
                        &b.block,
                        x,
                        &p.child(PathStep::ElementKeyString(k.clone())),
                        out,
                    );
                }
            }
            _ => {}
        }
    }
}

/// The proposed new state Terraform sends with a configuration: the
/// configuration, with prior values for computed attributes it leaves null
/// (objchange.ProposedNew, for the nestings these schemas use).
pub fn proposed_new(block: &Block, prior: &Value, config: &Value) -> Value {
    if config.is_null() || config.is_unknown() {
        return config.clone();
    }
    let get = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    let mut out = Vec::new();
    for a in &block.attributes {
        let c = get(config, &a.name);
        let v = if a.computed && c.is_null() {
            get(prior, &a.name)
        } else {
            c
        };
        out.push((a.name.clone(), v));
    }
    for b in &block.blocks {
        let c = get(config, &b.name);
        let p = get(prior, &b.name);
        let v = match (b.nesting, &c) {
            (Nesting::Single, Value::Object(_)) => proposed_new(&b.block, &p, &c),
            (Nesting::List, Value::List(xs)) => {
                let ps = p.as_list().map(<[Value]>::to_vec).unwrap_or_default();
                Value::List(
                    xs.iter()
                        .enumerate()
                        .map(|(i, x)| proposed_new(&b.block, ps.get(i).unwrap_or(&Value::Null), x))
                        .collect(),
                )
            }
            (Nesting::Set, Value::Set(xs)) => Value::Set(
                xs.iter()
                    .map(|x| proposed_new(&b.block, &Value::Null, x))
                    .collect(),
            ),
            (Nesting::Map, Value::Map(xs)) => Value::Map(
                xs.iter()
                    .map(|(k, x)| (k.clone(), proposed_new(&b.block, &get(&p, k), x)))
                    .collect(),
            ),
            _ => c.clone(),
        };
        out.push((b.name.clone(), v));
    }
    Value::object(out)
}

/// What Terraform refuses in a planned state (objchange.AssertPlanValid): a
/// planned value that differs from the configuration where the configuration
/// decides (every argument that is not computed, and computed ones it sets).
pub fn plan_problems(
    block: &Block,
    config: &Value,
    planned: &Value,
    path: &AttributePath,
) -> Vec<String> {
    let mut out = Vec::new();
    if config.is_unknown() {
        if !planned.is_unknown() {
            out.push(format!("{path}: configured unknown, planned {planned:?}"));
        }
        return out;
    }
    let get = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    for a in &block.attributes {
        let (c, p) = (get(config, &a.name), get(planned, &a.name));
        if a.write_only {
            if !p.is_null() {
                out.push(format!("{path}.{}: write-only, planned {p:?}", a.name));
            }
        } else if (!a.computed || !c.is_null()) && c != p {
            out.push(format!(
                "{path}.{}: configured {c:?}, planned {p:?}",
                a.name
            ));
        }
    }
    for b in &block.blocks {
        let (c, p) = (get(config, &b.name), get(planned, &b.name));
        let here = path.child(PathStep::Attribute(b.name.clone()));
        match (&c, &p) {
            (Value::Unknown(_), _) if !p.is_unknown() => {
                out.push(format!("{here}: configured unknown, planned {p:?}"));
            }
            (Value::Object(_), _) => out.extend(plan_problems(&b.block, &c, &p, &here)),
            (Value::List(cs), Value::List(ps)) | (Value::Set(cs), Value::Set(ps)) => {
                if cs.len() != ps.len() {
                    out.push(format!(
                        "{here}: {} blocks configured, {} planned",
                        cs.len(),
                        ps.len()
                    ));
                } else if b.nesting == Nesting::List {
                    for (i, (c, p)) in cs.iter().zip(ps).enumerate() {
                        out.extend(plan_problems(
                            &b.block,
                            c,
                            p,
                            &here.child(PathStep::ElementKeyInt(i as i64)),
                        ));
                    }
                }
            }
            (Value::Null, Value::Null) | (Value::Unknown(_), _) => {}
            _ => out.push(format!("{here}: configured {c:?}, planned {p:?}")),
        }
    }
    out
}

/// Where apply's final plan (`last`, made with every value known) breaks the
/// promises of the plan (`planned`, made while some were unknown): a value planned
/// known must stay as planned (objchange.AssertObjectCompatible).
pub fn incompatibilities(
    planned: &Value,
    last: &Value,
    path: &AttributePath,
    out: &mut Vec<String>,
) {
    match (planned, last) {
        (Value::Unknown(_), _) => {}
        (Value::Object(a), Value::Object(b)) | (Value::Map(a), Value::Map(b)) => {
            if a.keys().ne(b.keys()) {
                out.push(format!(
                    "{path}: planned keys {:?}, final {:?}",
                    a.keys().collect::<Vec<_>>(),
                    b.keys().collect::<Vec<_>>()
                ));
                return;
            }
            for (k, v) in a {
                let step = if matches!(planned, Value::Object(_)) {
                    PathStep::Attribute(k.clone())
                } else {
                    PathStep::ElementKeyString(k.clone())
                };
                incompatibilities(v, &b[k], &path.child(step), out);
            }
        }
        (Value::List(a), Value::List(b)) => {
            if a.len() != b.len() {
                out.push(format!(
                    "{path}: planned {} elements, final {}",
                    a.len(),
                    b.len()
                ));
                return;
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                incompatibilities(x, y, &path.child(PathStep::ElementKeyInt(i as i64)), out);
            }
        }
        // A set with unknown elements may gain or merge elements; a known one stays.
        (Value::Set(_), _) if !planned.is_fully_known() => {}
        (a, b) if a != b => out.push(format!("{path}: planned {a:?}, final {b:?}")),
        _ => {}
    }
}

/// A diagnostic path as text.
pub fn pb_path(p: &Option<pb::AttributePath>) -> String {
    let Some(p) = p else { return String::new() };
    let mut path = AttributePath::root();
    for s in &p.steps {
        match &s.selector {
            Some(pb::attribute_path::step::Selector::AttributeName(n)) => {
                path = path.attr(n.clone())
            }
            Some(pb::attribute_path::step::Selector::ElementKeyString(k)) => {
                path = path.key(k.clone())
            }
            Some(pb::attribute_path::step::Selector::ElementKeyInt(i)) => path = path.index(*i),
            None => {}
        }
    }
    path.to_string()
}
