use super::*;
use switchyard_flow::{Block, BlockKind, Flow};

fn request(json: &str) -> SendRequest {
    let text = format!(
        r#"{{"switchyard":1,"name":"t","blocks":{{"start":{{"type":"start"}},"req":{{"type":"send_request",{json}}}}},"wires":[["start.out","req.in"]]}}"#
    );
    let flow = Flow::from_json(&text, "t.json").expect("test flow");
    let block: &Block = flow.blocks.iter().find(|b| b.id == "req").expect("req block");
    match &block.kind {
        BlockKind::SendRequest(request) => request.clone(),
        _ => unreachable!("req is a send_request"),
    }
}

fn variables(list: &[Variable]) -> Variables {
    let mut variables = Variables::new();
    for variable in list {
        variables.insert(variable.clone());
    }
    variables
}

fn prepared<'a>(
    request: &'a SendRequest,
    variables: &'a Variables,
    redactor: &Redactor,
    input: &'a Value,
) -> Result<Prepared<'a>, RequestError> {
    let inputs = Inputs {
        block: "req",
        request,
        variables,
        input,
        redactor,
        base_dir: None,
        now_ms: 1_700_000_000_000,
        random: || 4,
        max_request_bytes: switchyard_flow::DEFAULT_MAX_REQUEST_BYTES,
    };
    prepare(&inputs, &mut String::new())
}

#[test]
fn a_request_past_its_limit_is_refused_while_it_is_rendered() {
    let variables = variables(&[Variable::plain("big", "x".repeat(600))]);
    let redactor = Redactor::default();
    for (json, field) in [
        (r#""method":"POST","url":"http://h.test/","body":{"text":"{{big}}{{big}}"}"#, "body.text"),
        (r#""method":"POST","url":"http://h.test/","body":{"json":{"a":"{{big}}","b":"{{big}}"}}"#, "body.json.b"),
        (r#""method":"POST","url":"http://h.test/","body":{"form":[["a","{{big}}"],["b","{{big}}"]]}"#, "body.form[1]"),
        (r#""url":"http://h.test/","headers":[["A","{{big}}"],["B","{{big}}"]]"#, "headers[1]"),
        (r#""url":"http://h.test/{{big}}","query":[["q","{{big}}"]]"#, "query[0]"),
    ] {
        let request = request(json);
        let inputs = Inputs {
            block: "req",
            request: &request,
            variables: &variables,
            input: &Value::Null,
            redactor: &redactor,
            base_dir: None,
            now_ms: 0,
            random: || 4,
            max_request_bytes: 1000,
        };
        let error = prepare(&inputs, &mut String::new()).expect_err(field);
        assert_eq!(error.kind, ErrorKind::RequestTooLarge, "{field}: {error}");
        assert_eq!(error.field.as_deref(), Some(field), "{error}");
        assert!(error.message().contains("1000 bytes"), "{error}");
        // Within the limit the same request is built.
        let inputs = Inputs { max_request_bytes: 1300, ..inputs };
        assert!(prepare(&inputs, &mut String::new()).is_ok(), "{field}");
    }
}

fn header<'h>(prepared: &'h Prepared<'_>, name: &str) -> &'h str {
    prepared.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

#[test]
fn templates_reach_url_query_headers_and_json_body() {
    let request = request(
        r#""method":"POST","url":"http://h.test/{{id}}","query":[["q","{{input.body.n}}"]],
            "headers":[["X-Id","{{id}}"]],"body":{"json":{"id":"{{id}}","n":1}}"#,
    );
    let variables = variables(&[Variable::plain("id", "42")]);
    let input = serde_json::json!({"body": {"n": 7}});
    let redactor = Redactor::default();
    let prepared = prepared(&request, &variables, &redactor, &input).expect("prepared");
    assert_eq!(prepared.method, Method::POST);
    assert_eq!(prepared.url.as_str(), "http://h.test/42?q=7");
    assert_eq!(header(&prepared, "x-id"), "42");
    assert_eq!(header(&prepared, "content-type"), "application/json");
    assert_eq!(prepared.body, Some(PreparedBody::Bytes(br#"{"id":"42","n":1}"#.to_vec())));
    assert!(prepared.secrets.is_empty());
}

#[test]
fn a_content_type_in_headers_wins_over_a_text_bodys_and_one_is_sent() {
    let redactor = Redactor::default();
    let variables = variables(&[]);
    let both = request(
        r#""method":"POST","url":"http://h.test/","headers":[["content-type","application/vnd.x+xml"]],
            "body":{"text":"<a/>","content_type":"application/xml"}"#,
    );
    let header_set = prepared(&both, &variables, &redactor, &Value::Null).expect("prepared");
    let sent: Vec<_> = header_set.headers.get_all("content-type").iter().collect();
    assert_eq!(sent, ["application/vnd.x+xml"]);
    let body_only =
        request(r#""method":"POST","url":"http://h.test/","body":{"text":"<a/>","content_type":"application/xml"}"#);
    let body_set = prepared(&body_only, &variables, &redactor, &Value::Null).expect("prepared");
    let sent: Vec<_> = body_set.headers.get_all("content-type").iter().collect();
    assert_eq!(sent, ["application/xml"]);
}

#[test]
fn an_undefined_name_names_block_field_and_kind() {
    let request = request(r#""method":"GET","url":"http://h.test/","headers":[["A","x"],["B","{{nope}}"]]"#);
    let (variables, redactor) = (Variables::new(), Redactor::default());
    let error = prepared(&request, &variables, &redactor, &Value::Null).expect_err("unresolved");
    assert_eq!(error.block, "req");
    assert_eq!(error.field.as_deref(), Some("headers[1]"));
    assert_eq!(error.kind, ErrorKind::UnresolvedVariable);
    assert_eq!(error.summary, "unresolved {{nope}}");
    assert!(error.message().starts_with("block `req`: headers[1]: uses `{{nope}}`, which is not defined"));
}

#[test]
fn a_line_break_in_a_header_value_is_refused_in_its_field() {
    let request = request(r#""method":"GET","url":"http://h.test/","headers":[["X","{{v}}"]]"#);
    let variables = variables(&[Variable::plain("v", "a\r\nInjected: 1")]);
    let redactor = Redactor::default();
    let error = prepared(&request, &variables, &redactor, &Value::Null).expect_err("refused");
    assert_eq!((error.field.as_deref(), error.kind), (Some("headers[0]"), ErrorKind::InvalidRequest));
}

#[test]
fn bad_urls_and_methods_are_their_fields_errors() {
    let (variables, redactor) = (Variables::new(), Redactor::default());
    for (json, field, kind) in [
        (r#""method":"GET","url":"not a url""#, "url", ErrorKind::InvalidUrl),
        (r#""method":"GET","url":"ftp://h.test/""#, "url", ErrorKind::InvalidUrl),
    ] {
        let request = request(json);
        let error = prepared(&request, &variables, &redactor, &Value::Null).expect_err(json);
        assert_eq!((error.field.as_deref(), error.kind), (Some(field), kind), "{json}");
    }
}

#[test]
fn a_secret_bound_to_other_hosts_is_refused_and_never_in_the_message() {
    let request = request(r#""method":"GET","url":"http://evil.test/","auth":{"type":"bearer","token":"{{key}}"}"#);
    let mut key = Variable::secret("key", "sk-prepare-7Qz");
    key.allowed_hosts = vec!["api.test".to_owned()];
    let variables = variables(&[key]);
    let redactor = Redactor::for_variables(&variables);
    let error = prepared(&request, &variables, &redactor, &Value::Null).expect_err("host");
    assert_eq!(error.kind, ErrorKind::HostNotAllowed);
    assert!(error.message().contains("`{{key}}`") && !error.message().contains("sk-prepare"));
}

#[test]
fn a_secret_echoed_into_the_input_is_carried_and_bound() {
    let request = request(r#""method":"GET","url":"http://evil.test/?t={{input.body.t}}""#);
    let mut key = Variable::secret("key", "sk-echoed-9Xw");
    key.allowed_hosts = vec!["api.test".to_owned()];
    let variables = variables(&[key]);
    let redactor = Redactor::for_variables(&variables);
    let input = serde_json::json!({"body": {"t": "sk-echoed-9Xw"}});
    let error = prepared(&request, &variables, &redactor, &input).expect_err("carried");
    assert_eq!(error.kind, ErrorKind::HostNotAllowed);
}

fn prepared_too<'a>(request: &'a SendRequest, variables: &'a Variables, redactor: &Redactor) -> Prepared<'a> {
    prepared(request, variables, redactor, &Value::Null).expect("prepared")
}

#[test]
fn basic_auth_with_a_secret_masks_its_base64() {
    let request = request(
        r#""method":"GET","url":"http://api.test/","auth":{"type":"basic","username":"me","password":"{{pw}}"}"#,
    );
    let variables = variables(&[Variable::secret("pw", "hunter-22")]);
    let redactor = Redactor::for_variables(&variables);
    let prepared = prepared(&request, &variables, &redactor, &Value::Null).expect("prepared");
    // Also when the secret was already carried by an earlier field.
    let mut request_too = request.clone();
    request_too.headers.push(("X-Pw".to_owned(), "{{pw}}".to_owned()));
    let prepared_too = prepared_too(&request_too, &variables, &redactor);
    assert_eq!(prepared_too.masks.len(), 1);
    let credential = STANDARD.encode("me:hunter-22");
    assert_eq!(header(&prepared, "authorization"), format!("Basic {credential}"));
    assert_eq!(prepared.masks, vec![("pw".to_owned(), credential)]);
    assert_eq!(prepared.secrets.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["pw"]);
}

#[test]
fn a_missing_multipart_file_names_its_part() {
    let request = request(
        r#""method":"POST","url":"http://h.test/","body":{"multipart":[["a","x"],["f",{"file":"/no/such/file"}]]}"#,
    );
    let (variables, redactor) = (Variables::new(), Redactor::default());
    let error = prepared(&request, &variables, &redactor, &Value::Null).expect_err("file");
    assert_eq!((error.field.as_deref(), error.kind), (Some("body.multipart[1]"), ErrorKind::InvalidRequest));
    assert!(error.detail.contains("/no/such/file"));
}

#[test]
fn a_secret_with_a_trailing_newline_is_refused_by_name() {
    let request = request(r#""method":"GET","url":"http://h.test/","auth":{"type":"bearer","token":"{{t}}"}"#);
    let variables = variables(&[Variable::secret("t", "tok-123\n")]);
    let redactor = Redactor::for_variables(&variables);
    let error = prepared(&request, &variables, &redactor, &Value::Null).expect_err("shape");
    assert_eq!((error.field.as_deref(), error.kind), (Some("auth.token"), ErrorKind::InvalidRequest));
    assert_eq!(error.summary, "secret {{t}} ends with a newline");
    assert!(!error.message().contains("tok-123"));
}

#[test]
fn dynamic_values_come_from_the_inputs_clock() {
    let request = request(r#""method":"GET","url":"http://h.test/{{$timestamp}}""#);
    let (variables, redactor) = (Variables::new(), Redactor::default());
    let prepared = prepared(&request, &variables, &redactor, &Value::Null).expect("prepared");
    assert_eq!(prepared.url.as_str(), "http://h.test/1700000000");
}
