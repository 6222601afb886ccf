use super::*;
use proptest::prelude::{Strategy, prop};
use proptest::prop_oneof;
use serde_json::json;

fn one(text: &str, input: Value) -> Result<Value, EvalError> {
    Program::compile(text, []).unwrap().run_one(&input, &Map::new())
}

#[test]
fn evaluates_jq() {
    assert_eq!(one(".a + 1", json!({"a": 2})).unwrap(), json!(3));
    assert_eq!(one("[.[] | select(. > 1)]", json!([1, 2, 3])).unwrap(), json!([2, 3]));
    assert_eq!(one("map(.id)", json!([{"id": "x"}])).unwrap(), json!(["x"]));
    assert_eq!(one("[range(3)]", json!(null)).unwrap(), json!([0, 1, 2]));
    assert_eq!(one("{a: 1.5, b: \"t\"}", json!(null)).unwrap(), json!({"a": 1.5, "b": "t"}));
}

#[test]
fn variables_are_dollar_names_and_vars() {
    let mut vars = Map::new();
    vars.insert("region".into(), json!("eu"));
    vars.insert("postman-key".into(), json!("k"));
    let program = Program::compile("[$region, $vars[\"postman-key\"]]", vars.keys().map(String::as_str)).unwrap();
    assert_eq!(program.run_one(&Value::Null, &vars).unwrap(), json!(["eu", "k"]));
    let error = Program::compile("$nope", []).unwrap_err();
    assert!(error.message.contains("unknown variable `$nope`"), "{error}");
    assert!(Program::check("$later + 1").is_ok());
}

#[test]
fn zero_or_several_outputs_are_errors_for_run_one() {
    assert!(one("empty", json!(1)).unwrap_err().message.contains("no value"));
    assert!(one(".[]", json!([1, 2])).unwrap_err().message.contains("wrap it in `[…]`"));
}

#[test]
fn syntax_errors_have_a_position() {
    let error = Program::check(".a | | .b").unwrap_err();
    assert_eq!(error.column(".a | | .b"), 6, "{error:?}");
    let error = Program::check("[1, 2").unwrap_err();
    assert!(error.message.contains("closing bracket"), "{error:?}");
    let error = Program::check("nosuch(1)").unwrap_err();
    assert!(error.message.contains("unknown filter `nosuch/1`"), "{error:?}");
    assert_eq!(error.offset, 0);
}

#[test]
fn the_sandbox_refuses_each_forbidden_builtin() {
    for text in [
        "env",
        "$ENV",
        "input",
        "inputs",
        "debug",
        "debug(1)",
        "stderr",
        "halt",
        "halt_error",
        "localtime",
        "now | strflocaltime(\"%H\")",
        "input_filename",
    ] {
        let error = Program::check(text).map(|()| text).unwrap_err();
        assert!(error.message.contains("not available") || error.message.contains("unknown"), "{text}: {error:?}");
    }
    assert!(Program::check("import \"x\" as x; 1").is_err());
    assert!(Program::check("now | type").is_ok());
}

#[test]
fn runaway_expressions_end_with_an_error() {
    for text in [
        "[range(1e12)]",
        "[repeat(.)]",
        "def f: [f]; f",
        "def f: f; f",
        "last(range(1e15))",
        "[limit(1e9; repeat(1))] | length",
    ] {
        let error = one(text, json!(1)).unwrap_err();
        assert!(error.message.contains("did not finish") || error.message.contains("too deeply"), "{text}: {error:?}");
    }
    // And evaluation works normally afterwards on the same thread.
    assert_eq!(one("1 + 1", json!(null)).unwrap(), json!(2));
}

#[test]
fn values_too_large_for_memory_are_errors_not_aborts() {
    for text in [
        "\"x\" * 1000000000000 | length",
        "reduce range(40) as $i ([1]; . + .) | length",
        "reduce range(40) as $i (\"ab\"; . + .) | length",
    ] {
        let error = one(text, json!(null)).unwrap_err();
        assert!(error.message.contains("over the limit") || error.message.contains("256 MiB"), "{text}: {error:?}");
    }
    // Repeated squaring turns into an infinite float instead of a huge integer.
    let value = one("reduce range(30) as $i (3; . * .) | . > 1e300", json!(null)).unwrap();
    assert_eq!(value, json!(true));
}

/// Recursion of every kind (filter calls with filter arguments, values built deeper
/// and deeper, paths, parsing) ends with an error; none overflows the stack.
#[test]
fn recursion_of_every_kind_ends_with_an_error() {
    for text in [
        "def f(x): f([x]); f(.)",
        "def f(x): f({a: x}); f(.)",
        "def f($x): f([$x]); f(.)",
        "def f: [f]; f",
        "reduce range(1000000) as $i (0; [.])",
        "reduce range(1000000) as $i (0; {a: .})",
        "reduce range(1000000) as $i (0; [.]) | . == .",
        "reduce range(1000000) as $i (0; {(tostring): .})",
        "reduce range(1000000) as $i ([]; [.] + .)",
        "reduce range(1000000) as $i (null; .a = .)",
        "[foreach range(1000000) as $i (0; [.])] | length",
        "last(recurse([.]))",
        "path(def f: .a | f; f)",
        "\"[\" * 200000 | fromjson",
        "\"{\\\"a\\\":\" * 200000 | fromjson",
    ] {
        let error = one(text, json!(null)).map(|_| text).unwrap_err();
        assert!(error.message.len() < 400, "{text}: {error:?}");
    }
    assert_eq!(one("\"[[1]]\" | fromjson", json!(null)).unwrap(), json!([[1]]));
    // And evaluation works normally afterwards on the same thread.
    assert_eq!(one("[1, [2]] | tojson", json!(null)).unwrap(), json!("[1,[2]]"));
}

#[test]
fn parsing_json_is_bounded_in_depth_with_a_clear_error() {
    for text in ["\"[\" * 200000 | fromjson", "\"[\" * 600 + \"]\" * 600 | fromjson"] {
        let error = one(text, json!(null)).unwrap_err();
        assert!(error.message.contains("maximal depth exceeded"), "{text}: {error:?}");
    }
    let deep = "[".repeat(200) + &"]".repeat(200);
    assert!(one("fromjson | length", json!(deep)).is_ok());
}

/// What an evaluation builds is bounded: shared parts (`[., .]`) count for what
/// converting or writing them would make.
#[test]
fn what_an_evaluation_builds_is_bounded_by_its_budget() {
    for text in [
        "reduce range(30) as $i ([0]; [., .])",
        "reduce range(30) as $i ({}; {a: ., b: .}) | tostring | length",
        "reduce range(30) as $i ([\"abcdefgh\"]; [., .]) | tojson | length",
        "reduce range(30) as $i ([0]; [., .]) | flatten | length",
    ] {
        let started = Instant::now();
        let error = one(text, json!(null)).unwrap_err();
        assert!(error.message.contains("256 MiB") || error.message.contains("did not finish"), "{text}: {error:?}");
        assert!(started.elapsed() < Duration::from_secs(10), "{text}: {:?}", started.elapsed());
    }
    // A message quoting a huge value is short, and quick to make.
    let error = one("reduce range(40) as $i ([0]; [., .]) | .a", json!(null)).unwrap_err();
    assert!(error.message.len() < 400, "{error:?}");
}

#[test]
fn imports_and_includes_are_refused() {
    for text in ["import \"path\" as $d; $d", "import \"x\" as x; 1", "include \"x\"; 1", "import \"a\" as $a; 1"] {
        let error = Program::check(text).map(|()| text).unwrap_err();
        assert!(error.message.contains("`import` and `include` are not available"), "{text}: {error:?}");
        assert!(Program::compile(text, []).is_err(), "{text}");
    }
    let error = Program::check("1 | import \"p\" as $d; $d").unwrap_err();
    assert!(!error.message.is_empty());
}

/// The pieces random expressions are made of: recursion and size forms.
fn runaway() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(vec![".", "0", "\"ab\"", "[]", "{}", "$vars"]).prop_map(str::to_owned);
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|x| format!("[{x}]")),
            inner.clone().prop_map(|x| format!("{{a: {x}}}")),
            inner.clone().prop_map(|x| format!("[{x}, {x}]")),
            inner.clone().prop_map(|x| format!("({x}) | tostring")),
            inner.clone().prop_map(|x| format!("({x}) | tojson | fromjson")),
            (inner.clone(), 1..40u32).prop_map(|(x, n)| format!("reduce range({n}) as $i ({x}; [., .])")),
            (inner.clone(), 1..200_000u32).prop_map(|(x, n)| format!("reduce range({n}) as $i ({x}; [.])")),
            inner.clone().prop_map(|x| format!("def f(y): f([y]); f({x})")),
            inner.clone().prop_map(|x| format!("def f: [f]; ({x}) | f")),
            (inner.clone(), 1..300_000u32).prop_map(|(x, n)| format!("(\"[\" * {n}) as $s | ({x}) | $s | fromjson")),
            inner.clone().prop_map(|x| format!("({x}) * 1000000")),
            inner.prop_map(|x| format!("[limit(100000; repeat({x}))]")),
        ]
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    /// However an expression combines those forms, it gives a value or an error:
    /// never a crash, never more than its budget.
    #[test]
    fn runaway_expressions_of_any_shape_end(text in runaway()) {
        if let Ok(program) = Program::compile(&text, []) {
            match program.run_one(&json!({"k": [1, 2]}), &Map::new()) {
                Ok(_) => {}
                Err(error) => proptest::prop_assert!(error.message.len() < 400, "{}: {:?}", text, error),
            }
        }
    }
}

#[test]
fn depth_is_found_without_recursing() {
    assert_eq!(json_depth(&json!(1)), 0);
    assert_eq!(json_depth(&json!([1, {"a": [2]}])), 3);
    let mut deep = json!(null);
    for _ in 0..100_000 {
        deep = Value::Array(vec![deep]);
    }
    assert_eq!(json_depth(&deep), 100_000);
    // Dropped without recursing either.
    let mut deep = deep;
    while let Value::Array(mut items) = deep {
        deep = items.pop().unwrap_or(Value::Null);
    }
}

#[test]
fn truthiness_is_jq_truthiness() {
    assert!(!is_truthy(&json!(null)) && !is_truthy(&json!(false)));
    assert!(is_truthy(&json!(0)) && is_truthy(&json!("")) && is_truthy(&json!([])));
}

#[test]
fn errors_are_short_and_values_convert_back() {
    let error = one(".a.b", json!({"a": "x".repeat(10_000)})).unwrap_err();
    assert!(error.message.len() < 400, "{}", error.message.len());
    assert_eq!(one("tojson | fromjson", json!({"k": [1, true, null]})).unwrap(), json!({"k": [1, true, null]}));
    assert_eq!(one("12345678901234567890", json!(null)).unwrap(), json!(12345678901234567890u64));
}
