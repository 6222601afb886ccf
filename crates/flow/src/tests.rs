//! Reading, validating and writing flow documents.

use super::*;
use serde_json::json;

const EXAMPLE: &str = r#"{
  "switchyard": 1,
  "name": "List OpenAI models",
  "blocks": {
    "start": {"type": "start", "at": [40, 120]},
    "list-models": {
      "type": "send_request",
      "at": [260, 120],
      "method": "GET",
      "url": "https://api.openai.com/v1/models",
      "headers": [["Authorization", "{{auth}}"]]
    },
    "log": {"type": "log", "at": [560, 80]}
  },
  "wires": [
    ["start.out", "list-models.in"],
    ["list-models.success", "log.in"]
  ]
}"#;

fn problems(text: &str) -> Vec<String> {
    match Flow::from_json(text, "t.json") {
        Ok(_) => panic!("expected the flow to be refused"),
        Err(FlowError::Invalid { file, problems }) => {
            assert_eq!(file, "t.json");
            problems.iter().map(ToString::to_string).collect()
        }
        Err(other) => panic!("unexpected error {other}"),
    }
}

/// A flow document with `blocks` and `wires` spliced in.
fn doc(blocks: serde_json::Value, wires: serde_json::Value) -> String {
    json!({"switchyard": 1, "name": "t", "blocks": blocks, "wires": wires}).to_string()
}

fn start_and(extra: serde_json::Value) -> serde_json::Value {
    let mut blocks = json!({"start": {"type": "start"}});
    if let (Some(map), serde_json::Value::Object(extra)) = (blocks.as_object_mut(), extra) {
        map.extend(extra);
    }
    blocks
}

#[test]
fn design_example_reads_with_its_fields_and_defaults() {
    let flow = Flow::from_json(EXAMPLE, "example.json").unwrap();
    assert_eq!(flow.name, "List OpenAI models");
    let ids: Vec<&str> = flow.blocks.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["start", "list-models", "log"]);
    let BlockKind::SendRequest(request) = &flow.blocks[1].kind else { panic!("not a request") };
    assert_eq!(request.method, "GET");
    assert_eq!(request.headers, [("Authorization".to_owned(), "{{auth}}".to_owned())]);
    assert_eq!(request.timeout_ms, 30_000);
    assert!(request.follow_redirects);
    assert!(request.is_success(204) && !request.is_success(404));
    assert_eq!(flow.wires[1].from, PortRef::new("list-models", Port::Success));
    assert_eq!(flow.variable_names().into_iter().collect::<Vec<_>>(), ["auth"]);
}

#[test]
fn canonical_output_reads_back_to_the_same_flow_and_the_same_bytes() {
    let flow = Flow::from_json(EXAMPLE, "example.json").unwrap();
    let written = flow.to_json();
    assert!(written.contains("\"at\": [40, 120]"), "{written}");
    assert!(written.contains("[\"start.out\", \"list-models.in\"]"), "{written}");
    let again = Flow::from_json(&written, "again.json").unwrap();
    assert_eq!(again, flow);
    assert_eq!(again.to_json(), written);
}

#[test]
fn every_field_survives_a_round_trip() {
    let text = doc(
        start_and(json!({
            "post": {
                "type": "send_request", "at": [1.4, -2.6], "method": "post", "url": "http://h/{{x}}",
                "query": [["q", "1"]],
                "body": {"json": {"z": 1, "a": ["{{x}}", {"deep": true}]}},
                "auth": {"type": "api_key", "name": "k", "value": "{{x}}", "in": "query"},
                "timeout_ms": 5, "success_status": ["2xx", "304"], "follow_redirects": false
            },
            "text": {"type": "send_request", "url": "u", "body": {"text": "hi", "content_type": "text/csv"},
                     "auth": {"type": "basic", "username": "u", "password": "{{pw}}"}, "success_status": "404"},
            "form": {"type": "send_request", "url": "u", "body": {"form": [["a", "b"]]},
                     "auth": {"type": "bearer", "token": "{{t}}"}},
            "log": {"type": "log", "label": "Result"}
        })),
        json!([["start.out", "post.in"], ["post.failure", "log.in"], ["log.out", "log.in"]]),
    );
    let flow = Flow::from_json(&text, "t").unwrap();
    let BlockKind::SendRequest(post) = &flow.block("post").unwrap().kind else { panic!() };
    assert_eq!(post.method, "POST");
    assert_eq!(post.timeout_ms, 5);
    assert_eq!(
        post.auth,
        Some(Auth::ApiKey { name: "k".into(), value: "{{x}}".into(), location: ApiKeyLocation::Query })
    );
    let written = flow.to_json();
    // JSON bodies keep the key order the user wrote.
    assert!(written.find("\"z\"").unwrap() < written.find("\"a\"").unwrap(), "{written}");
    assert!(written.contains("\"at\": [1, -3]"), "{written}");
    let again = Flow::from_json(&written, "t").unwrap();
    assert_eq!(again.to_json(), written);
    assert_eq!(again.blocks.len(), 5);
    assert_eq!(again.wires, flow.wires);
}

#[test]
fn newer_format_version_is_refused_with_advice() {
    let found = problems(r#"{"switchyard": 2, "blocks": {}}"#);
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with("switchyard: this flow uses format version 2"), "{found:?}");
    assert!(found[0].contains("update Switchyard"));
}

#[test]
fn missing_or_malformed_version_is_refused() {
    assert!(problems(r#"{"blocks": {}}"#)[0].contains("missing the format version"));
    assert!(problems(r#"{"switchyard": "1"}"#)[0].contains("is a number"));
    assert!(problems(r#"{"switchyard": 0}"#)[0].contains("unknown format version 0"));
    assert!(problems("[]")[0].contains("a flow file is a JSON object"));
}

#[test]
fn json_syntax_errors_give_line_and_column() {
    let found = problems("{\n  \"switchyard\": 1,\n  \"blocks\": {,}\n}");
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with("3:14: invalid JSON"), "{found:?}");
    let found = problems("{\"switchyard\": 1} trailing");
    assert!(found[0].starts_with("1:19: invalid JSON"), "{found:?}");
}

#[test]
fn duplicate_block_ids_are_refused_with_their_position() {
    let text = "{\"switchyard\": 1, \"blocks\": {\n \"a\": {\"type\": \"start\"},\n \"a\": {\"type\": \"log\"}}}";
    let found = problems(text);
    assert!(found[0].starts_with("3:"), "{found:?}");
    assert!(found[0].contains("key `a` appears twice"), "{found:?}");
}

#[test]
fn unknown_type_field_and_port_get_suggestions() {
    let found = problems(&doc(start_and(json!({"l": {"type": "lgo"}})), json!([["start.out", "l.in"]])));
    assert_eq!(found, ["blocks.l.type: unknown block type `lgo` (did you mean `log`?)"]);

    let found = problems(&doc(start_and(json!({"r": {"type": "send_request", "url": "u", "hedaers": []}})), json!([])));
    assert_eq!(found, ["blocks.r.hedaers: unknown field `hedaers` in a send_request block (did you mean `headers`?)"]);

    let found = problems(&doc(
        start_and(json!({"r": {"type": "send_request", "url": "u"}})),
        json!([["r.sucess", "start.in"]]),
    ));
    assert!(
        found[0].starts_with("wires[0][0]: a send_request block has no port `sucess` (did you mean `r.success`?)"),
        "{found:?}"
    );

    let found = problems(&doc(start_and(json!({"log": {"type": "log"}})), json!([["start.out", "lgo.in"]])));
    assert_eq!(found, ["wires[0][1]: no block `lgo` in this flow (did you mean `log`?)"]);

    let found = problems(r#"{"switchyard": 1, "blocks": {"s": {"type": "start"}}, "wire": []}"#);
    assert_eq!(found, ["wire: unknown field `wire` in the flow (did you mean `wires`?)"]);
}

#[test]
fn wires_must_run_from_an_output_to_an_input() {
    let blocks = start_and(json!({"a": {"type": "log"}, "b": {"type": "log"}}));
    let found = problems(&doc(blocks.clone(), json!([["a.out", "b.out"]])));
    assert_eq!(found, ["wires[0][1]: `b.out` is an output; a wire ends at an input (`b.in`)"]);
    let found = problems(&doc(blocks.clone(), json!([["a.in", "b.in"]])));
    assert_eq!(found, ["wires[0][0]: `a.in` is an input; a wire starts at an output (`a.out`)"]);
    let found = problems(&doc(blocks.clone(), json!([["a.out", "b.in"], ["a.out", "b.in"]])));
    assert_eq!(found, ["wires[1]: the wire a.out → b.in appears twice"]);
    let found = problems(&doc(blocks.clone(), json!([["a.out"], "x", ["nodot", "b.in"]])));
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found[2].contains("`nodot` is not `BLOCK.PORT`"));
    let found = problems(&doc(blocks, json!([["a.out", "start.in"]])));
    assert_eq!(found, ["wires[0][1]: a start block has no port `in`"]);
}

#[test]
fn exactly_one_start_block() {
    let found = problems(&doc(json!({"l": {"type": "log"}}), json!([])));
    assert_eq!(found, ["blocks: the flow has no `start` block; add exactly one"]);
    let found = problems(&doc(json!({"s1": {"type": "start"}, "s2": {"type": "start"}}), json!([])));
    assert_eq!(found, ["blocks.s2: a flow has exactly one `start` block; this is another"]);
}

#[test]
fn bad_field_values_name_their_place() {
    let blocks = start_and(json!({"r": {
        "type": "send_request", "at": [1], "method": "GE T",
        "headers": [["only-name"]], "query": {"a": "b"}, "timeout_ms": -3,
        "success_status": ["2xx", "7xx"], "follow_redirects": "yes",
        "body": {"json": 1, "text": "x"}, "auth": {"type": "oauth"}
    }, "bad id!": {"type": "log"}}));
    let found = problems(&doc(blocks, json!([])));
    let expected = [
        "blocks.r.at: expected a position",
        "blocks.r.url: missing `url`",
        "blocks.r.method: invalid HTTP method `GE T`",
        "blocks.r.headers[0]: expected `[name, value]`, two strings",
        "blocks.r.query: expected a list of `[name, value]` pairs, found an object",
        "blocks.r.body: a body has one kind, found json and text",
        "blocks.r.auth.type: unknown auth type `oauth`",
        "blocks.r.timeout_ms: expected a whole number of milliseconds above 0",
        "blocks.r.success_status[1]: invalid status pattern \"7xx\"",
        "blocks.r.follow_redirects: expected true or false, found a string",
        "blocks.bad id!: invalid block id `bad id!`",
    ];
    for want in expected {
        assert!(found.iter().any(|f| f.starts_with(want)), "missing {want:?} in {found:#?}");
    }
    assert_eq!(found.len(), expected.len(), "{found:#?}");
}

#[test]
fn body_and_auth_shapes_are_checked() {
    let found =
        problems(&doc(start_and(json!({"r": {"type": "send_request", "url": "u", "body": {"jsn": {}}}})), json!([])));
    assert_eq!(found.len(), 1);
    assert!(found[0].ends_with("(did you mean `json`?)"), "{found:?}");
    let found = problems(&doc(
        start_and(
            json!({"r": {"type": "send_request", "url": "u", "auth": {"type": "api_key", "name": "n", "value": "v", "in": "heder"}}}),
        ),
        json!([]),
    ));
    assert_eq!(found, ["blocks.r.auth.in: `in` is \"header\" or \"query\", found \"heder\" (did you mean `header`?)"]);
    let found = problems(&doc(
        start_and(json!({"r": {"type": "send_request", "url": "u", "auth": {"type": "bearer"}}})),
        json!([]),
    ));
    assert_eq!(found, ["blocks.r.auth.token: missing `token`"]);
}

#[test]
fn hostile_input_is_refused_without_panicking() {
    let deep = "[".repeat(100_000);
    assert!(problems(&deep)[0].contains("invalid JSON"));
    for text in [
        "",
        "null",
        "\"x\"",
        "{\"switchyard\": 1e400}",
        "{\"switchyard\": 1, \"blocks\": {\"s\": {\"type\": \"start\", \"at\": [1e300, 0]}}}",
    ] {
        let _ = Flow::from_json(text, "t").unwrap_err();
    }
}

#[test]
fn save_is_atomic_and_load_reports_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.flow.json");
    let flow = Flow::from_json(EXAMPLE, "e").unwrap();
    save(&path, &flow).unwrap();
    assert_eq!(load(&path).unwrap(), flow);
    // Only the saved file remains: no temporary files left beside it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    std::fs::write(&path, "{\"switchyard\": 1,").unwrap();
    let error = load(&path).unwrap_err().to_string();
    assert!(error.starts_with(&format!("{}:1:17: invalid JSON", path.display())), "{error}");

    std::fs::write(&path, [0xff, 0xfe]).unwrap();
    assert!(load(&path).unwrap_err().to_string().contains("not UTF-8"));

    let missing = dir.path().join("missing.json");
    let error = load(&missing).unwrap_err().to_string();
    assert!(error.contains("missing.json: cannot read the flow file"), "{error}");

    let error = save(&dir.path().join("no/such/dir/f.json"), &flow).unwrap_err().to_string();
    assert!(error.contains("cannot save the flow"), "{error}");
}

#[test]
fn fragments_may_lack_a_start_block_but_keep_every_other_rule() {
    let log =
        json!({"r1": {"type": "send_request", "at": [0, 0], "url": "https://x"}, "l": {"type": "log", "at": [1, 1]}});
    let text = doc(log, json!([["r1.success", "l.in"]]));
    assert!(Flow::from_json(&text, "f").unwrap_err().to_string().contains("no `start` block"));
    let fragment = Flow::fragment_from_json(&text).unwrap();
    assert_eq!(fragment.blocks.len(), 2);
    assert_eq!(fragment.wires.len(), 1);

    let two_starts =
        doc(json!({"a": {"type": "start", "at": [0, 0]}, "b": {"type": "start", "at": [0, 0]}}), json!([]));
    assert!(Flow::fragment_from_json(&two_starts).unwrap_err().to_string().contains("exactly one `start`"));
    let bad_wire = doc(json!({"l": {"type": "log", "at": [0, 0]}}), json!([["l.in", "l.out"]]));
    let error = Flow::fragment_from_json(&bad_wire).unwrap_err().to_string();
    assert!(error.starts_with("the clipboard"), "{error}");
}

const LANGUAGE: &str = r#"{
  "switchyard": 1,
  "name": "Every block type",
  "blocks": {
    "start": {
      "type": "start",
      "at": [0, 0]
    },
    "login": {
      "type": "send_request",
      "at": [200, 0],
      "method": "POST",
      "url": "http://h/login",
      "checks": [
        ["has token", ".body.token != null"],
        ["fast", ".duration_ms < 5000"]
      ]
    },
    "keep": {
      "type": "set",
      "at": [400, 0],
      "name": "token",
      "value": ".body.token",
      "secret": true
    },
    "ready": {
      "type": "if",
      "at": [600, 0],
      "condition": ".status == 200"
    },
    "wait": {
      "type": "delay",
      "at": [800, 0],
      "ms": 250
    },
    "each": {
      "type": "for_each",
      "at": [600, 200],
      "items": ".body.items",
      "concurrency": 4
    },
    "pick": {
      "type": "evaluate",
      "at": [800, 200],
      "expression": "{id: .id}"
    },
    "all": {
      "type": "collect",
      "at": [1000, 200]
    },
    "log": {
      "type": "log",
      "at": [1200, 200]
    }
  },
  "wires": [
    ["start.out", "login.in"],
    ["login.success", "keep.in"],
    ["keep.out", "ready.in"],
    ["ready.false", "wait.in"],
    ["wait.out", "login.in"],
    ["ready.true", "each.in"],
    ["each.item", "pick.in"],
    ["pick.out", "all.in"],
    ["all.out", "log.in"]
  ]
}
"#;

#[test]
fn every_block_type_reads_and_writes_back_the_same_bytes() {
    let flow = Flow::from_json(LANGUAGE, "t.json").unwrap();
    assert_eq!(flow.to_json(), LANGUAGE);
    let kinds: Vec<&str> = flow.blocks.iter().map(|b| b.kind.type_name()).collect();
    assert_eq!(kinds, ["start", "send_request", "set", "if", "delay", "for_each", "evaluate", "collect", "log"]);
    let BlockKind::SendRequest(login) = &flow.blocks[1].kind else { panic!() };
    assert_eq!(login.checks[0], Check { name: "has token".into(), condition: Expression::from(".body.token != null") });
    let BlockKind::Set(set) = &flow.blocks[2].kind else { panic!() };
    assert!(set.secret && set.name == "token");
    let BlockKind::ForEach(each) = &flow.blocks[5].kind else { panic!() };
    assert_eq!(each.concurrency, 4);
    assert_eq!(flow.wires[3].from, PortRef::new("ready", Port::False));
    assert!(flow.validate().is_ok());
}

#[test]
fn defaults_of_the_new_types_are_left_out_when_written() {
    let text = doc(
        start_and(json!({
            "s": {"type": "set", "name": "x"},
            "e": {"type": "for_each"},
        })),
        json!([["start.out", "s.in"], ["s.out", "e.in"]]),
    );
    let flow = Flow::from_json(&text, "t.json").unwrap();
    let BlockKind::Set(set) = &flow.blocks[1].kind else { panic!() };
    assert_eq!((set.value.as_str(), set.secret), (".", false));
    let BlockKind::ForEach(each) = &flow.blocks[2].kind else { panic!() };
    assert_eq!((each.items.as_str(), each.concurrency), (".", 1));
    let written = flow.to_json();
    assert!(
        !written.contains("concurrency") && !written.contains("\"value\"") && !written.contains("secret"),
        "{written}"
    );
}

#[test]
fn expression_errors_name_the_field_and_the_column() {
    let found = problems(&doc(start_and(json!({"i": {"type": "if", "condition": ".a | | .b"}})), json!([])));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("blocks.i.condition: expected"), "{found:?}");
    assert!(found[0].ends_with("(column 6)"), "{found:?}");
    let found = problems(&doc(
        start_and(json!({"r": {"type": "send_request", "url": "u", "checks": [["ok", "env.HOME"]]}})),
        json!([]),
    ));
    assert!(found[0].starts_with("blocks.r.checks[0]: `env` is not available"), "{found:?}");
    let found = problems(&doc(start_and(json!({"e": {"type": "evaluate"}})), json!([])));
    assert_eq!(found, ["blocks.e.expression: missing `expression`"]);
}

#[test]
fn field_rules_of_the_new_types() {
    let found = problems(&doc(start_and(json!({"d": {"type": "delay", "ms": -1}})), json!([])));
    assert_eq!(found, ["blocks.d.ms: expected a whole number of milliseconds, at least 0"]);
    let found = problems(&doc(start_and(json!({"d": {"type": "delay"}})), json!([])));
    assert_eq!(found, ["blocks.d.ms: missing `ms`"]);
    let found = problems(&doc(start_and(json!({"f": {"type": "for_each", "concurrency": 0}})), json!([])));
    assert_eq!(found, ["blocks.f.concurrency: expected a whole number of branches, at least 1"]);
    let found = problems(&doc(start_and(json!({"s": {"type": "set", "name": "a b"}})), json!([])));
    assert_eq!(found, ["blocks.s.name: a variable name is letters, digits, `_`, `.` and `-`"]);
    let found = problems(&doc(start_and(json!({"s": {"type": "set", "name": "input"}})), json!([])));
    assert_eq!(found, ["blocks.s.name: `input` is reserved for the value a block receives"]);
    let found = problems(&doc(start_and(json!({"s": {"type": "set", "name": "x", "secret": "yes"}})), json!([])));
    assert_eq!(found, ["blocks.s.secret: expected true or false, found a string"]);
    let found =
        problems(&doc(start_and(json!({"i": {"type": "if", "condition": "true"}})), json!([["i.yes", "i.in"]])));
    assert_eq!(found, ["wires[0][0]: a if block has no port `yes`"]);
}

#[test]
fn a_collect_must_follow_a_for_each() {
    let found = problems(&doc(
        start_and(json!({"c": {"type": "collect"}, "l": {"type": "log"}})),
        json!([["start.out", "c.in"], ["c.out", "l.in"]]),
    ));
    assert_eq!(
        found,
        ["blocks.c: a collect block gathers the elements of a for_each: wire it after a for_each's `item` port"]
    );
    let inside = doc(
        start_and(json!({"f": {"type": "for_each"}, "l": {"type": "log"}, "c": {"type": "collect"}})),
        json!([["start.out", "f.in"], ["f.item", "l.in"], ["l.out", "c.in"]]),
    );
    assert!(Flow::from_json(&inside, "t.json").is_ok());
}

#[test]
fn validate_checks_a_model_built_in_code() {
    let mut flow = Flow::new("built");
    flow.blocks.push(Block { id: "x y".into(), at: [0.0, 0.0], kind: BlockKind::Log(LogBlock::default()) });
    flow.blocks.push(Block {
        id: "e".into(),
        at: [0.0, 0.0],
        kind: BlockKind::Evaluate(Evaluate { expression: "[".into() }),
    });
    flow.wires.push(Wire { from: PortRef::new("start", Port::Out), to: PortRef::new("nowhere", Port::In) });
    let problems: Vec<String> = flow.validate().unwrap_err().iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].starts_with("blocks.x y: invalid block id"), "{problems:?}");
    assert!(problems[1].starts_with("blocks.e.expression: expected"), "{problems:?}");
    assert!(problems[2].starts_with("wires[0][1]: no block `nowhere`"), "{problems:?}");
}

#[test]
fn every_block_type_has_a_definition_and_a_default_block() {
    for block_type in BlockType::ALL {
        let kind = block_type.new_block();
        assert_eq!(kind.block_type(), block_type);
        assert!(!block_type.description.is_empty() && !block_type.label.is_empty());
        assert!(BlockType::named(block_type.name).is_some());
        assert_eq!(block_type.id.block_type(), block_type, "its id names it");
        let name = serde_json::to_value(block_type.id).unwrap();
        assert_eq!(name, json!(block_type.name), "written as its file name");
        assert_eq!(serde_json::from_value::<crate::BlockTypeName>(name).unwrap(), block_type.id);
        for port in block_type.inputs.iter().chain(block_type.outputs) {
            assert!(kind.port_direction(*port).is_some());
        }
    }
}

#[test]
fn multipart_bodies_round_trip_in_canonical_layout() {
    let text = doc(
        start_and(json!({"up": {"type": "send_request", "url": "https://x.test/up", "method": "POST",
            "body": {"multipart": [["title", "Receipt {{n}}"], ["file", {"file": "data/receipt.txt"}]]}}})),
        json!([["start.out", "up.in"]]),
    );
    let flow = Flow::from_json(&text, "t.json").unwrap();
    let Some(Block { kind: BlockKind::SendRequest(request), .. }) = flow.block("up") else { panic!("no request") };
    assert_eq!(
        request.body,
        Some(Body::Multipart(vec![
            ("title".to_owned(), Part::Text("Receipt {{n}}".to_owned())),
            ("file".to_owned(), Part::File("data/receipt.txt".to_owned())),
        ]))
    );
    assert_eq!(flow.variable_names().into_iter().collect::<Vec<_>>(), ["n"]);
    let canonical = flow.to_json();
    assert!(canonical.contains("\"multipart\": [\n"), "{canonical}");
    assert!(canonical.contains("[\"title\", \"Receipt {{n}}\"]"), "{canonical}");
    let again = Flow::from_json(&canonical, "t.json").unwrap();
    assert_eq!(again, flow);
    assert_eq!(again.to_json(), canonical);
}

#[test]
fn malformed_multipart_parts_name_their_place() {
    let body = |multipart: serde_json::Value| {
        doc(start_and(json!({"up": {"type": "send_request", "url": "u", "body": {"multipart": multipart}}})), json!([]))
    };
    let found = problems(&body(json!([["a", {"file": ""}], ["b", {"path": "x"}], ["c"], "d", ["e", 1]])));
    let joined = found.join("\n");
    assert!(joined.contains("blocks.up.body.multipart[0][1].file"), "{joined}");
    assert!(joined.contains("blocks.up.body.multipart[1][1]"), "{joined}");
    assert!(joined.contains("blocks.up.body.multipart[2]"), "{joined}");
    assert!(joined.contains("blocks.up.body.multipart[3]"), "{joined}");
    assert!(joined.contains("blocks.up.body.multipart[4]"), "{joined}");
    assert!(problems(&body(json!({"a": 1}))).join("").contains("blocks.up.body.multipart"));
}

#[test]
fn dynamic_variables_are_not_variables_to_define() {
    let text = doc(
        start_and(
            json!({"r": {"type": "send_request", "url": "https://x.test/?id={{$guid}}&t={{$timestamp}}&u={{user}}"}}),
        ),
        json!([["start.out", "r.in"]]),
    );
    let flow = Flow::from_json(&text, "t.json").unwrap();
    assert_eq!(flow.variable_names().into_iter().collect::<Vec<_>>(), ["user"]);
}

const CAPTURES: &str = r#"{
  "switchyard": 1,
  "name": "Login, then call",
  "blocks": {
    "start": {
      "type": "start",
      "at": [0, 0]
    },
    "login": {
      "type": "send_request",
      "at": [200, 0],
      "method": "POST",
      "url": "http://h/login",
      "checks": [
        ["has token", ".body.token != null"]
      ],
      "captures": [
        ["token", ".body.token", "secret"],
        ["user-id", ".body.user.id"]
      ]
    },
    "denied": {
      "type": "log",
      "at": [400, 100],
      "label": "login refused",
      "level": "error"
    },
    "slow": {
      "type": "log",
      "at": [400, 200],
      "level": "warn"
    }
  },
  "wires": [
    ["start.out", "login.in"],
    ["login.failure", "denied.in"],
    ["denied.out", "slow.in"]
  ]
}
"#;

#[test]
fn captures_and_log_levels_read_and_write_back_the_same_bytes() {
    let flow = Flow::from_json(CAPTURES, "t.json").unwrap();
    assert_eq!(flow.to_json(), CAPTURES);
    let BlockKind::SendRequest(login) = &flow.blocks[1].kind else { panic!("not a request") };
    assert_eq!(
        login.captures,
        [
            Capture { name: "token".into(), expression: Expression::from(".body.token"), secret: true },
            Capture { name: "user-id".into(), expression: Expression::from(".body.user.id"), secret: false },
        ]
    );
    let fields: Vec<String> = flow.blocks[1].kind.expressions().into_iter().map(|(field, _)| field).collect();
    assert_eq!(fields, ["checks[0]", "captures[0]", "captures[1]"], "checks first, then captures");
    let BlockKind::Log(denied) = &flow.blocks[2].kind else { panic!("not a log") };
    assert_eq!((denied.label.as_deref(), denied.level), (Some("login refused"), LogLevel::Error));
    let BlockKind::Log(slow) = &flow.blocks[3].kind else { panic!("not a log") };
    assert_eq!(slow.level, LogLevel::Warn);
    // The defaults are left out: no `captures`, no `level: info`.
    let plain = doc(
        start_and(
            json!({"r": {"type": "send_request", "url": "u", "captures": []}, "l": {"type": "log", "level": "info"}}),
        ),
        json!([]),
    );
    let written = Flow::from_json(&plain, "t.json").unwrap().to_json();
    assert!(!written.contains("captures") && !written.contains("level"), "{written}");
}

#[test]
fn malformed_captures_and_levels_name_their_place() {
    let request = |captures: serde_json::Value| {
        doc(start_and(json!({"r": {"type": "send_request", "url": "u", "captures": captures}})), json!([]))
    };
    let found = problems(&request(json!({"token": ".body.token"})));
    assert_eq!(
        found,
        [
            "blocks.r.captures: expected a list of `[name, expression]` or `[name, expression, \"secret\"]`, found an object"
        ]
    );
    let found = problems(&request(json!([["a", ".a"], ["b"], "c", ["d", ".d", "secert"], ["e", ".e", true]])));
    assert_eq!(found.len(), 4, "{found:?}");
    assert!(found[0].starts_with("blocks.r.captures[1]: expected `[name, expression]`"), "{found:?}");
    assert!(found[1].starts_with("blocks.r.captures[2]: expected `[name, expression]`"), "{found:?}");
    assert!(found[1].ends_with("found a string"), "{found:?}");
    assert!(found[2].starts_with("blocks.r.captures[3][2]: the third element of a capture can only be \"secret\""));
    assert!(found[2].contains("did you mean"), "{found:?}");
    assert!(found[3].starts_with("blocks.r.captures[4]: expected"), "{found:?}");
    let found = problems(&request(json!([["a b", ".a"], ["input", ".b"]])));
    assert_eq!(
        found,
        [
            "blocks.r.captures[0]: a variable name is letters, digits, `_`, `.` and `-`",
            "blocks.r.captures[1]: `input` is reserved for the value a block receives",
        ]
    );
    let found = problems(&request(json!([["ok", ".a | | .b"], ["env", "env.HOME", "secret"]])));
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("blocks.r.captures[0]: expected") && found[0].ends_with("(column 6)"), "{found:?}");
    assert!(found[1].starts_with("blocks.r.captures[1]: `env` is not available"), "{found:?}");
    let found = problems(&doc(start_and(json!({"l": {"type": "log", "level": "eror"}})), json!([])));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("blocks.l.level: `level` is \"info\", \"warn\" or \"error\", found \"eror\""));
    assert!(found[0].contains("did you mean `error`"), "{found:?}");
    let found = problems(&doc(start_and(json!({"l": {"type": "log", "level": 3}})), json!([])));
    assert_eq!(found, ["blocks.l.level: expected a string, found a number"]);
}

#[test]
fn captures_built_in_code_are_validated() {
    let mut flow = Flow::new("built");
    let mut request = SendRequest::new("http://h/");
    request.captures.push(Capture { name: "x y".into(), expression: Expression::from("["), secret: true });
    flow.blocks.push(Block { id: "r".into(), at: [0.0, 0.0], kind: BlockKind::SendRequest(request) });
    let problems: Vec<String> = flow.validate().unwrap_err().iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("blocks.r.captures[0]: a variable name"), "{problems:?}");
    assert!(problems[1].starts_with("blocks.r.captures[0]: expected"), "{problems:?}");
}

#[test]
fn defaults_and_max_request_bytes_are_read_written_and_checked() {
    let mut document = json!({
        "switchyard": 1, "name": "t", "defaults": {"max_request_bytes": 1000},
        "blocks": start_and(json!({"r": {"type": "send_request", "url": "u", "max_request_bytes": 20},
                                    "s": {"type": "send_request", "url": "u"}})),
        "wires": [["start.out", "r.in"], ["start.out", "s.in"]]
    });
    let flow = Flow::from_json(&document.to_string(), "t").unwrap();
    assert_eq!(flow.defaults.max_request_bytes, Some(1000));
    let request = |id: &str| match &flow.block(id).unwrap().kind {
        BlockKind::SendRequest(request) => request.clone(),
        _ => panic!("{id} is a send_request"),
    };
    assert_eq!(flow.max_request_bytes(&request("r")), 20);
    assert_eq!(flow.max_request_bytes(&request("s")), 1000);
    let written = flow.to_json();
    assert!(written.find("\"defaults\"").unwrap() < written.find("\"blocks\"").unwrap(), "{written}");
    assert_eq!(Flow::from_json(&written, "t").unwrap(), flow);
    // Without them: the default, and nothing written.
    let plain = Flow::from_json(&doc(start_and(json!({"s": {"type": "send_request", "url": "u"}})), json!([])), "t");
    let plain = plain.unwrap();
    assert!(plain.defaults.is_empty() && !plain.to_json().contains("defaults"));
    let BlockKind::SendRequest(s) = &plain.block("s").unwrap().kind else { panic!() };
    assert_eq!(plain.max_request_bytes(s), crate::DEFAULT_MAX_REQUEST_BYTES);
    // Refused: an unknown field in `defaults`, a limit that is not a positive whole number.
    document["defaults"] = json!({"max_request_byte": 1});
    let found = problems(&document.to_string()).join("\n");
    assert!(found.contains("defaults.max_request_byte") && found.contains("max_request_bytes"), "{found}");
    document["defaults"] = json!({"max_request_bytes": 0});
    assert!(problems(&document.to_string()).join("\n").contains("defaults.max_request_bytes"));
    document["defaults"] = json!([]);
    assert!(problems(&document.to_string()).join("\n").contains("defaults: expected an object"));
    document["defaults"] = json!({});
    document["blocks"]["r"]["max_request_bytes"] = json!("big");
    assert!(problems(&document.to_string()).join("\n").contains("blocks.r.max_request_bytes"));
}

#[test]
fn the_variables_a_flow_sets_are_its_set_blocks_and_request_captures() {
    let text = doc(
        start_and(json!({
            "s": {"type": "set", "name": "a", "secret": true},
            "r": {"type": "send_request", "url": "https://x.test", "captures": [["b", ".body", "secret"], ["c", ".status"]]},
            "l": {"type": "log"}
        })),
        json!([["start.out", "s.in"], ["s.out", "r.in"], ["r.success", "l.in"]]),
    );
    let flow = Flow::from_json(&text, "t.json").unwrap();
    let set = |id: &str| flow.block(id).map(|block| block.kind.variables_set()).unwrap_or_default();
    assert_eq!(set("s"), [("a", true)]);
    assert_eq!(set("r"), [("b", true), ("c", false)]);
    assert!(set("l").is_empty() && set("start").is_empty());
    assert_eq!(flow.defined_names().into_iter().collect::<Vec<_>>(), ["a", "b", "c"]);
}
