//! A small evaluator of Terraform expressions over one module, with every input at
//! its default or at a value a caller gives: enough to expand `count`, `for_each`,
//! locals, `for` expressions and the common collection functions that generated
//! modules use. What it cannot know (inputs without defaults, other resources'
//! attributes, data sources) is `Unknown`, carrying why.
//!
//! The project's one evaluator: the module policy test (`tests/tests/module_policies.rs`)
//! expands resources with it, and `codegen review` counts instances for the cost
//! estimate with it, inputs at an example's values.

mod blocks;

pub use blocks::{Expansion, attr, expand, instances, label, nested};

use hcl::expr::{
    BinaryOperator, Expression, ObjectKey, TemplateExpr, TraversalOperator, UnaryOperator,
};
use hcl::template::{Element, Template};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
pub enum V {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<V>),
    Obj(BTreeMap<String, V>),
    /// Either branch of a conditional whose condition is unknown.
    Either(Vec<V>),
    Unknown(String),
}

impl V {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            V::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_num(&self) -> Option<f64> {
        match self {
            V::Num(n) => Some(*n),
            V::Str(s) => s.parse().ok(),
            _ => None,
        }
    }
    /// Elements of a list, values of an object; a scalar is itself.
    pub fn items(&self) -> Vec<V> {
        match self {
            V::List(l) => l.clone(),
            V::Obj(m) => m.values().cloned().collect(),
            V::Null => vec![],
            V::Either(alts) => alts.iter().flat_map(V::items).collect(),
            other => vec![other.clone()],
        }
    }
    /// Every string a value may hold (through lists, objects and alternatives).
    pub fn strings(&self) -> Vec<String> {
        match self {
            V::Str(s) => vec![s.clone()],
            V::List(l) | V::Either(l) => l.iter().flat_map(V::strings).collect(),
            V::Obj(m) => m.values().flat_map(V::strings).collect(),
            _ => vec![],
        }
    }
    fn to_key(&self) -> Option<String> {
        match self {
            V::Str(s) => Some(s.clone()),
            V::Num(n) => Some(fmt_num(*n)),
            V::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// One module: its variables' defaults and its locals, evaluated lazily, once each.
/// A caller's values take the place of the defaults ([`Module::with_inputs`]).
#[derive(Default)]
pub struct Module {
    pub defaults: BTreeMap<String, Option<Expression>>,
    pub locals: BTreeMap<String, Expression>,
    pub cache: std::cell::RefCell<BTreeMap<String, V>>,
}

pub type Scope = BTreeMap<String, V>;

impl Module {
    pub fn eval(&self, e: &Expression, scope: &Scope) -> V {
        self.eval_depth(e, scope, 0)
    }

    fn eval_depth(&self, e: &Expression, scope: &Scope, depth: usize) -> V {
        if depth > 64 {
            return V::Unknown("nested too deep".into());
        }
        let ev = |e: &Expression| self.eval_depth(e, scope, depth + 1);
        match e {
            Expression::Null => V::Null,
            Expression::Bool(b) => V::Bool(*b),
            Expression::Number(n) => V::Num(n.as_f64().unwrap_or(0.0)),
            Expression::String(s) => V::Str(s.clone()),
            Expression::Array(items) => V::List(items.iter().map(ev).collect()),
            Expression::Object(obj) => {
                let mut m = BTreeMap::new();
                for (k, v) in obj {
                    let key = match k {
                        ObjectKey::Identifier(id) => Some(id.to_string()),
                        ObjectKey::Expression(e) => ev(e).to_key(),
                        _ => None,
                    };
                    match key {
                        Some(key) => {
                            m.insert(key, ev(v));
                        }
                        None => return V::Unknown("object key".into()),
                    }
                }
                V::Obj(m)
            }
            Expression::TemplateExpr(t) => self.template(t, scope, depth),
            Expression::Variable(v) => self.root(v.as_str(), scope, depth),
            Expression::Traversal(t) => {
                // `var.x` / `local.x`: evaluate that one definition, not all of them.
                let mut ops = t.operators.iter();
                let mut cur = match (&t.expr, t.operators.first()) {
                    (Expression::Variable(root), Some(TraversalOperator::GetAttr(name)))
                        if !scope.contains_key(root.as_str())
                            && matches!(root.as_str(), "var" | "local") =>
                    {
                        ops.next();
                        self.named(root.as_str(), name.as_str(), depth)
                    }
                    _ => ev(&t.expr),
                };
                for op in ops {
                    cur = match op {
                        TraversalOperator::GetAttr(name) => get(&cur, name.as_str()),
                        TraversalOperator::Index(i) => match ev(i).to_key() {
                            Some(k) => get(&cur, &k),
                            None => V::Unknown("index".into()),
                        },
                        TraversalOperator::LegacyIndex(i) => get(&cur, &i.to_string()),
                        TraversalOperator::AttrSplat | TraversalOperator::FullSplat => {
                            V::List(cur.items())
                        }
                    };
                }
                cur
            }
            Expression::FuncCall(f) => {
                let mut args: Vec<V> = f.args.iter().map(ev).collect();
                if f.expand_final
                    && let Some(last) = args.pop()
                {
                    args.extend(last.items());
                }
                call(f.name.name.as_str(), args)
            }
            Expression::Parenthesis(e) => ev(e),
            Expression::Conditional(c) => match ev(&c.cond_expr) {
                V::Bool(true) => ev(&c.true_expr),
                V::Bool(false) => ev(&c.false_expr),
                _ => V::Either(vec![ev(&c.true_expr), ev(&c.false_expr)]),
            },
            Expression::Operation(op) => match op.as_ref() {
                hcl::expr::Operation::Unary(u) => match (u.operator, ev(&u.expr)) {
                    (UnaryOperator::Not, V::Bool(b)) => V::Bool(!b),
                    (UnaryOperator::Neg, V::Num(n)) => V::Num(-n),
                    _ => V::Unknown("unary".into()),
                },
                hcl::expr::Operation::Binary(b) => {
                    binary(b.operator, ev(&b.lhs_expr), ev(&b.rhs_expr))
                }
            },
            Expression::ForExpr(f) => {
                let collection = ev(&f.collection_expr);
                let pairs: Vec<(V, V)> = match &collection {
                    V::List(l) => l
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (V::Num(i as f64), v.clone()))
                        .collect(),
                    V::Obj(m) => m
                        .iter()
                        .map(|(k, v)| (V::Str(k.clone()), v.clone()))
                        .collect(),
                    V::Null => vec![],
                    _ => return V::Unknown("for over an unknown collection".into()),
                };
                let mut list = Vec::new();
                let mut obj = BTreeMap::new();
                for (k, v) in pairs {
                    let mut inner = scope.clone();
                    if let Some(kv) = &f.key_var {
                        inner.insert(kv.to_string(), k);
                    }
                    inner.insert(f.value_var.to_string(), v);
                    if let Some(cond) = &f.cond_expr
                        && self.eval_depth(cond, &inner, depth + 1) == V::Bool(false)
                    {
                        continue;
                    }
                    let value = self.eval_depth(&f.value_expr, &inner, depth + 1);
                    match &f.key_expr {
                        Some(ke) => match self.eval_depth(ke, &inner, depth + 1).to_key() {
                            Some(key) => {
                                obj.insert(key, value);
                            }
                            None => return V::Unknown("for key".into()),
                        },
                        None => list.push(value),
                    }
                }
                if f.key_expr.is_some() {
                    V::Obj(obj)
                } else {
                    V::List(list)
                }
            }
            _ => V::Unknown("expression kind".into()),
        }
    }

    /// `var.NAME` at its default, or `local.NAME`; memoized (both are scope-free).
    fn named(&self, root: &str, name: &str, depth: usize) -> V {
        let key = format!("{root}.{name}");
        if let Some(v) = self.cache.borrow().get(&key) {
            return v.clone();
        }
        // Guards a local that refers to itself.
        self.cache
            .borrow_mut()
            .insert(key.clone(), V::Unknown(format!("{key} (cycle)")));
        let v = match root {
            "var" => match self.defaults.get(name) {
                Some(Some(e)) => self.eval_depth(e, &Scope::new(), depth + 1),
                Some(None) => V::Unknown(format!("input var.{name} (no default)")),
                None => V::Unknown(format!("undeclared var.{name}")),
            },
            _ => match self.locals.get(name) {
                Some(e) => self.eval_depth(e, &Scope::new(), depth + 1),
                None => V::Unknown(format!("undeclared local.{name}")),
            },
        };
        self.cache.borrow_mut().insert(key, v.clone());
        v
    }

    fn root(&self, name: &str, scope: &Scope, depth: usize) -> V {
        if let Some(v) = scope.get(name) {
            return v.clone();
        }
        match name {
            "var" => V::Obj(
                self.defaults
                    .iter()
                    .map(|(k, d)| {
                        let v = match d {
                            Some(e) => self.eval_depth(e, &Scope::new(), depth + 1),
                            None => V::Unknown(format!("input var.{k} (no default)")),
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            "local" => V::Obj(
                self.locals
                    .iter()
                    .map(|(k, e)| (k.clone(), self.eval_depth(e, &Scope::new(), depth + 1)))
                    .collect(),
            ),
            other => V::Unknown(format!("{other}.* (not evaluated offline)")),
        }
    }

    fn template(&self, t: &TemplateExpr, scope: &Scope, depth: usize) -> V {
        let Ok(template) = Template::from_expr(t) else {
            return V::Unknown("template".into());
        };
        let mut out = String::new();
        for el in template.elements() {
            match el {
                Element::Literal(s) => out.push_str(s),
                Element::Interpolation(i) => match self.eval_depth(&i.expr, scope, depth + 1) {
                    V::Str(s) => out.push_str(&s),
                    V::Num(n) => out.push_str(&fmt_num(n)),
                    V::Bool(b) => out.push_str(&b.to_string()),
                    _ => return V::Unknown("interpolation".into()),
                },
                Element::Directive(_) => return V::Unknown("template directive".into()),
            }
        }
        V::Str(out)
    }
}

fn get(v: &V, key: &str) -> V {
    match v {
        V::Obj(m) => m.get(key).cloned().unwrap_or(V::Null),
        V::List(l) => key
            .parse::<usize>()
            .ok()
            .and_then(|i| l.get(i).cloned())
            .unwrap_or(V::Null),
        V::Unknown(why) => V::Unknown(why.clone()),
        V::Either(alts) => V::Either(alts.iter().map(|a| get(a, key)).collect()),
        _ => V::Unknown(format!("attribute {key} of a scalar")),
    }
}

fn binary(op: BinaryOperator, l: V, r: V) -> V {
    use BinaryOperator as B;
    match (op, &l, &r) {
        (B::Eq, V::Unknown(_), _) | (B::Eq, _, V::Unknown(_)) => V::Unknown("==".into()),
        (B::NotEq, V::Unknown(_), _) | (B::NotEq, _, V::Unknown(_)) => V::Unknown("!=".into()),
        (B::Eq, _, _) => V::Bool(l == r),
        (B::NotEq, _, _) => V::Bool(l != r),
        // With every input known (defaults, or the values a validation is tried
        // with), an operand the evaluator cannot compute does not change `false &&`
        // or `true ||`.
        (B::And, V::Bool(false), _) | (B::And, _, V::Bool(false)) => V::Bool(false),
        (B::Or, V::Bool(true), _) | (B::Or, _, V::Bool(true)) => V::Bool(true),
        (B::And, V::Bool(a), V::Bool(b)) => V::Bool(*a && *b),
        (B::Or, V::Bool(a), V::Bool(b)) => V::Bool(*a || *b),
        _ => match (l.as_num(), r.as_num()) {
            (Some(a), Some(b)) => match op {
                B::Plus => V::Num(a + b),
                B::Minus => V::Num(a - b),
                B::Mul => V::Num(a * b),
                B::Div => V::Num(a / b),
                B::Mod => V::Num(a % b),
                B::Less => V::Bool(a < b),
                B::LessEq => V::Bool(a <= b),
                B::Greater => V::Bool(a > b),
                B::GreaterEq => V::Bool(a >= b),
                _ => V::Unknown("operator".into()),
            },
            _ => V::Unknown("operator".into()),
        },
    }
}

/// The Terraform functions generated modules use to build rule sets; others are
/// unknown (which the checks treat as "cannot tell", never as "fine").
fn call(name: &str, args: Vec<V>) -> V {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(V::Null);
    match name {
        // The first argument that evaluates; `can` is true for a value it can compute.
        "try" => {
            return args
                .iter()
                .find(|a| !matches!(a, V::Unknown(_)))
                .cloned()
                .unwrap_or_else(|| V::Unknown("try".into()));
        }
        "can" if !matches!(arg(0), V::Unknown(_)) => return V::Bool(true),
        // Validations: false as soon as one element is (see `binary`).
        "alltrue" | "anytrue" => {
            let want = name == "anytrue";
            let items = arg(0).items();
            if items.contains(&V::Bool(want)) {
                return V::Bool(want);
            }
            if items.iter().all(|v| matches!(v, V::Bool(_))) {
                return V::Bool(!want);
            }
            return V::Unknown(name.into());
        }
        _ => {}
    }
    if let Some(V::Unknown(why)) = args.iter().find(|a| matches!(a, V::Unknown(_))) {
        return V::Unknown(format!("{name}({why})"));
    }
    match name {
        "contains" => V::Bool(arg(0).items().contains(&arg(1))),
        "strcontains" | "startswith" | "endswith" => match (arg(0), arg(1)) {
            (V::Str(s), V::Str(sub)) => V::Bool(match name {
                "strcontains" => s.contains(&sub),
                "startswith" => s.starts_with(&sub),
                _ => s.ends_with(&sub),
            }),
            _ => V::Unknown(name.into()),
        },
        "split" => match (arg(0), arg(1)) {
            (V::Str(sep), V::Str(s)) => V::List(s.split(&sep).map(|p| V::Str(p.into())).collect()),
            _ => V::Unknown("split".into()),
        },
        "tonumber" => match arg(0).as_num() {
            Some(n) => V::Num(n),
            None => V::Unknown("tonumber".into()),
        },
        "tolist" | "toset" => V::List(arg(0).items()),
        "flatten" => V::List(flatten(&arg(0))),
        "concat" => V::List(args.iter().flat_map(V::items).collect()),
        "compact" => V::List(
            arg(0)
                .items()
                .into_iter()
                .filter(|v| !matches!(v, V::Null) && v != &V::Str(String::new()))
                .collect(),
        ),
        "distinct" => {
            let mut out: Vec<V> = Vec::new();
            for v in arg(0).items() {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
            V::List(out)
        }
        "sort" => {
            let mut items = arg(0).items();
            items.sort_by_key(|v| v.to_key().unwrap_or_default());
            V::List(items)
        }
        "keys" => match arg(0) {
            V::Obj(m) => V::List(m.keys().cloned().map(V::Str).collect()),
            _ => V::Unknown("keys".into()),
        },
        "values" => V::List(arg(0).items()),
        "merge" => {
            let mut m = BTreeMap::new();
            for a in &args {
                match a {
                    V::Obj(o) => m.extend(o.clone()),
                    V::Null => {}
                    _ => return V::Unknown("merge".into()),
                }
            }
            V::Obj(m)
        }
        "setproduct" => {
            let mut acc: Vec<Vec<V>> = vec![vec![]];
            for a in &args {
                acc = acc
                    .into_iter()
                    .flat_map(|prefix| {
                        a.items().into_iter().map(move |v| {
                            let mut p = prefix.clone();
                            p.push(v);
                            p
                        })
                    })
                    .collect();
            }
            V::List(acc.into_iter().map(V::List).collect())
        }
        "lookup" => match get(&arg(0), &arg(1).to_key().unwrap_or_default()) {
            V::Null => arg(2),
            v => v,
        },
        "coalesce" => args
            .iter()
            .find(|v| !matches!(v, V::Null) && *v != &V::Str(String::new()))
            .cloned()
            .unwrap_or(V::Null),
        "length" => match arg(0) {
            V::Str(s) => V::Num(s.chars().count() as f64),
            v => V::Num(v.items().len() as f64),
        },
        "range" => match (arg(0).as_num(), arg(1).as_num()) {
            (Some(n), None) => V::List((0..n as i64).map(|i| V::Num(i as f64)).collect()),
            (Some(a), Some(b)) => V::List((a as i64..b as i64).map(|i| V::Num(i as f64)).collect()),
            _ => V::Unknown("range".into()),
        },
        "jsonencode" | "tostring" | "tomap" | "toobject" => arg(0),
        "format" => match arg(0) {
            V::Str(spec) => format_verbs(&spec, &args[1..]),
            _ => V::Unknown("format".into()),
        },
        other => more(other, &args),
    }
}

/// The rest of the functions generated modules and examples call.
fn more(name: &str, args: &[V]) -> V {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(V::Null);
    let nums = || args.iter().flat_map(V::items).map(|v| v.as_num());
    match name {
        "slice" => match (arg(1).as_num(), arg(2).as_num()) {
            (Some(a), Some(b)) => {
                let items = arg(0).items();
                let (a, b) = (a as usize, (b as usize).min(items.len()));
                V::List(items.get(a..b).map(<[V]>::to_vec).unwrap_or_default())
            }
            _ => V::Unknown("slice".into()),
        },
        "min" | "max" => match nums().collect::<Option<Vec<f64>>>() {
            Some(ns) if !ns.is_empty() => V::Num(ns.into_iter().fold(
                if name == "min" {
                    f64::INFINITY
                } else {
                    f64::NEG_INFINITY
                },
                if name == "min" { f64::min } else { f64::max },
            )),
            _ => V::Unknown(name.into()),
        },
        "sum" => match nums().collect::<Option<Vec<f64>>>() {
            Some(ns) => V::Num(ns.into_iter().sum()),
            None => V::Unknown("sum".into()),
        },
        "element" => {
            let items = arg(0).items();
            match arg(1).as_num() {
                Some(i) if !items.is_empty() => items[i as usize % items.len()].clone(),
                _ => V::Unknown("element".into()),
            }
        }
        "one" => match arg(0).items().as_slice() {
            [] => V::Null,
            [v] => v.clone(),
            _ => V::Unknown("one (more than one element)".into()),
        },
        "zipmap" => V::Obj(
            arg(0)
                .items()
                .iter()
                .filter_map(V::to_key)
                .zip(arg(1).items())
                .collect(),
        ),
        "lower" | "upper" | "join" => {
            let s = |v: V| v.as_str().map(str::to_string);
            match (name, s(arg(0)), s(arg(1))) {
                ("lower", Some(a), _) => V::Str(a.to_lowercase()),
                ("upper", Some(a), _) => V::Str(a.to_uppercase()),
                ("join", Some(sep), _) => match arg(1)
                    .items()
                    .iter()
                    .map(|v| v.to_key())
                    .collect::<Option<Vec<_>>>()
                {
                    Some(parts) => V::Str(parts.join(&sep)),
                    None => V::Unknown("join".into()),
                },
                _ => V::Unknown(name.into()),
            }
        }
        "abs" | "ceil" | "floor" => match arg(0).as_num() {
            Some(n) => V::Num(match name {
                "abs" => n.abs(),
                "ceil" => n.ceil(),
                _ => n.floor(),
            }),
            None => V::Unknown(name.into()),
        },
        // What a caller's value the evaluator could not compute becomes (see
        // `V::to_expression`): unknown, with the reason.
        "unknown" => V::Unknown(arg(0).as_str().unwrap_or("unknown").to_string()),
        other => V::Unknown(format!("function {other}")),
    }
}

/// Terraform's `format` for the verbs modules use: `%s`, `%d` (optionally zero-padded
/// to a width, `%05d`) and `%%`; anything else is unknown.
fn format_verbs(spec: &str, args: &[V]) -> V {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut width = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(*d);
            chars.next();
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('s') => match args.next() {
                Some(V::Str(s)) => out.push_str(s),
                Some(V::Num(n)) => out.push_str(&format!("{n}")),
                _ => return V::Unknown("format".into()),
            },
            Some('d') => match args.next().and_then(V::as_num) {
                Some(n) => {
                    let w: usize = width.trim_start_matches('0').parse().unwrap_or(0);
                    if width.starts_with('0') {
                        out.push_str(&format!("{:0w$}", n as i64));
                    } else {
                        out.push_str(&format!("{:w$}", n as i64));
                    }
                }
                None => return V::Unknown("format".into()),
            },
            _ => return V::Unknown("format".into()),
        }
    }
    V::Str(out)
}

fn flatten(v: &V) -> Vec<V> {
    match v {
        V::List(l) => l.iter().flat_map(flatten).collect(),
        other => vec![other.clone()],
    }
}
