//! Postman collections and environments into flows: the collections in
//! `tests/data/postman/` (beside this file), written for the tests in the shapes real exports have.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::json;
use switchyard_flow::{ApiKeyLocation, Auth, BlockKind, Body, Flow, Part, SendRequest};
use switchyard_import::{postman_collection, postman_environment};

const SHOP: &str = include_str!("data/postman/shop.postman_collection.json");
const LEGACY: &str = include_str!("data/postman/legacy.postman_collection.json");
const ENV: &str = include_str!("data/postman/dev.postman_environment.json");

fn request<'f>(flow: &'f Flow, id: &str) -> &'f SendRequest {
    match &flow.block(id).unwrap_or_else(|| panic!("no block {id}")).kind {
        BlockKind::SendRequest(request) => request,
        other => panic!("{id} is {other:?}"),
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
}

fn bearer() -> Option<Auth> {
    Some(Auth::Bearer { token: "{{accessToken}}".into() })
}

#[test]
fn shop_collection_becomes_one_chain_depth_first() {
    let imported = postman_collection(SHOP, "shop.json").unwrap();
    let flow = &imported.flow;
    assert_eq!(flow.name, "Shop API (tests)");
    let ids: Vec<&str> = flow.blocks.iter().map(|b| b.id.as_str()).collect();
    let order = [
        "health",
        "list-users",
        "get-user",
        "create-user",
        "audit-log",
        "purge",
        "note",
        "login-form",
        "upload",
        "search-graphql",
        "partner",
        "legacy",
        "get-user-2",
    ];
    let mut expected = vec!["start"];
    expected.extend(order);
    expected.extend(["done", "failed"]);
    assert_eq!(ids, expected);
    let wires: Vec<String> = flow.wires.iter().map(|w| format!("{}>{}", w.from, w.to)).collect();
    let mut want = Vec::new();
    let mut previous = vec!["start.out".to_owned()];
    for id in order {
        want.extend(previous.iter().map(|from| format!("{from}>{id}.in")));
        want.push(format!("{id}.failure>failed.in"));
        previous = vec![format!("{id}.success"), format!("{id}.failure")];
    }
    want.push(format!("{}>done.in", previous[0]));
    assert_eq!(wires, want);
    // Folders as rows: Health alone, then Users, Admin, Orders; left to right inside.
    let at = |id: &str| flow.block(id).unwrap().at;
    assert_eq!(at("health")[1], at("start")[1]);
    assert_eq!(at("list-users")[1], at("create-user")[1]);
    assert!(at("list-users")[0] < at("get-user")[0] && at("get-user")[0] < at("create-user")[0]);
    assert!(at("audit-log")[1] > at("list-users")[1] && at("note")[1] > at("audit-log")[1]);
    assert!(at("failed")[1] > at("note")[1]);
    // The flow reads back as written.
    assert_eq!(Flow::from_json(&flow.to_json(), "x").unwrap(), *flow);
}

#[test]
fn shop_requests_field_by_field() {
    let imported = postman_collection(SHOP, "shop.json").unwrap();
    let flow = &imported.flow;

    let mut health = SendRequest::new("{{baseUrl}}/api/health");
    health.auth = bearer();
    assert_eq!(*request(flow, "health"), health);

    let mut list = SendRequest::new("{{baseUrl}}/api/users");
    list.headers = pairs(&[("Accept", "application/json")]);
    list.query = pairs(&[("page", "2"), ("limit", "10")]);
    list.auth = bearer();
    // Its test script's `pm.response.to.have.status(200)`.
    list.checks = vec![switchyard_flow::Check { name: "status is 200".into(), condition: ".status == 200".into() }];
    assert_eq!(*request(flow, "list-users"), list);

    // A path variable's value goes into its request's URL.
    assert_eq!(request(flow, "get-user").url, "{{baseUrl}}/api/users/42");

    let create = request(flow, "create-user");
    assert_eq!(create.method, "POST");
    assert_eq!(create.headers, pairs(&[("Content-Type", "application/json")]));
    assert_eq!(create.body, Some(Body::Json(json!({"name": "Ann", "role": "{{role}}"}))));

    let admin = Some(Auth::Basic { username: "admin".into(), password: "{{adminPassword}}".into() });
    assert_eq!(request(flow, "audit-log").auth, admin, "inherited from the folder");
    assert_eq!(request(flow, "purge").auth, None, "noauth overrides");
    assert_eq!(request(flow, "purge").method, "DELETE");

    assert_eq!(request(flow, "note").body, Some(Body::Text { text: "plain note text".into(), content_type: None }));
    assert_eq!(
        request(flow, "login-form").body,
        Some(Body::Form(pairs(&[("grant_type", "password"), ("username", "ann b")])))
    );
    let upload = request(flow, "upload");
    assert!(upload.headers.is_empty(), "the boundary-less multipart Content-Type is dropped");
    assert_eq!(
        upload.body,
        Some(Body::Multipart(vec![
            ("title".into(), Part::Text("Receipt".into())),
            ("file".into(), Part::File("receipt.txt".into()))
        ]))
    );
    assert_eq!(
        request(flow, "search-graphql").body,
        Some(Body::Json(json!({"query": "query Orders($n: Int) { orders(first: $n) { id } }", "variables": {"n": 3}})))
    );
    let partner = request(flow, "partner");
    assert_eq!(
        partner.auth,
        Some(Auth::ApiKey {
            name: "X-Partner-Key".into(),
            value: "{{x_partner_key}}".into(),
            location: ApiKeyLocation::Header
        })
    );
    assert_eq!(partner.query, pairs(&[("ref", "{{$guid}}")]));
    assert_eq!(request(flow, "legacy").auth, None);
}

#[test]
fn shop_report_lists_variables_scripts_and_warnings() {
    let imported = postman_collection(SHOP, "shop.json").unwrap();
    let variables: Vec<(&str, bool)> =
        imported.variables.iter().map(|v| (v.name.as_str(), v.value.is_secret())).collect();
    assert_eq!(variables, [("baseUrl", false), ("accessToken", true), ("userId", false), ("x_partner_key", true)]);
    assert_eq!(imported.variables[3].value.expose(), "pk-LITERAL-SECRET-5521");
    let warnings = imported.report.warnings.join("\n");
    assert!(warnings.contains("request `Orders / Legacy`: auth type `oauth2` is not supported"), "{warnings}");
    assert!(warnings.contains("adminPassword, role"), "{warnings}");
    assert!(warnings.contains("receipt.txt"), "{warnings}");
    let scripts = imported.report.scripts.join("\n");
    assert_eq!(imported.report.scripts.len(), 4, "{scripts}");
    assert!(
        scripts.contains("request `Users / List users` (block `list-users`): 1 status test became check"),
        "{scripts}"
    );
    let checks = &request(&imported.flow, "list-users").checks;
    assert_eq!(checks.len(), 1);
    assert_eq!((checks[0].name.as_str(), checks[0].condition.as_str()), ("status is 200", ".status == 200"));
    assert!(scripts.contains("the collection: pre-request script not run (1 line"), "{scripts}");
    assert!(
        scripts.contains("request `Users / List users` (block `list-users`): test script not run (3 lines"),
        "{scripts}"
    );
    assert!(scripts.contains("folder `Users / Admin`: test script"), "{scripts}");
    assert_eq!(imported.report.requests.len(), 13);
    // No secret value in the flow, the report or a Debug print.
    let everything = format!("{}{:?}{:?}", imported.flow.to_json(), imported.report, imported.variables);
    for secret in ["tok-COLLECTION-SECRET-7781", "pk-LITERAL-SECRET-5521"] {
        assert!(!everything.contains(secret), "{secret} leaked");
    }
}

#[test]
fn v2_0_shapes_are_read() {
    let imported = postman_collection(LEGACY, "legacy.json").unwrap();
    let flow = &imported.flow;
    let mut ping = SendRequest::new("{{baseUrl}}/api/ping");
    ping.auth =
        Some(Auth::ApiKey { name: "api_key".into(), value: "{{apiKey}}".into(), location: ApiKeyLocation::Query });
    assert_eq!(*request(flow, "ping"), ping);
    let item = request(flow, "item");
    assert_eq!(item.method, "PUT");
    assert_eq!(item.url, "http://{{host}}:{{port}}/api/items/7", "the path variable's value");
    assert_eq!(item.query, pairs(&[("v", "2")]));
    assert_eq!(item.headers, pairs(&[("X-One", "1"), ("X-Two", "two")]));
    assert_eq!(item.auth, Some(Auth::Bearer { token: "{{itemToken}}".into() }));
    assert_eq!(
        item.body,
        Some(Body::Text { text: "{\"x\": {{count}}}".into(), content_type: Some("application/json".into()) })
    );
    let secret: Vec<&str> =
        imported.variables.iter().filter(|v| v.value.is_secret()).map(|v| v.name.as_str()).collect();
    assert_eq!(secret, ["apiKey"]);
}

#[test]
fn environment_variables_keep_their_type() {
    let (name, variables, report) = postman_environment(ENV, "dev.json").unwrap();
    assert_eq!(name, "Dev");
    let got: Vec<(&str, bool)> = variables.iter().map(|v| (v.name.as_str(), v.value.is_secret())).collect();
    assert_eq!(got, [("baseUrl", false), ("apiSecret", true)]);
    assert!(report.warnings.iter().any(|w| w.contains("`old`")));
}

#[test]
fn invalid_input_names_the_place() {
    let error = postman_collection("{\"info\": {\"name\": \"x\"},\n \"item\": [1,]}", "c.json").unwrap_err();
    assert_eq!(error.place, "line 2, column 13");
    assert!(error.to_string().starts_with("c.json: line 2, column 13: not valid JSON"), "{error}");
    let error =
        postman_collection(r#"{"info": {"name": "x"}, "item": [{"name": "a", "item": 3}]}"#, "c.json").unwrap_err();
    assert_eq!(error.place, "item[0].item");
    let error = postman_collection(r#"{"info": {"name": "x"}}"#, "c.json").unwrap_err();
    assert_eq!(error.place, "item");
    let error = postman_collection(r#"{"name": "v1", "requests": []}"#, "c.json").unwrap_err();
    assert!(error.message.contains("v1"), "{error}");
    let error = postman_environment("[]", "e.json").unwrap_err();
    assert_eq!(error.file, "e.json");
}

#[test]
fn a_literal_credential_elsewhere_in_a_request_is_scrubbed_too() {
    let collection = json!({
        "info": {"name": "Scrub", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "a", "request": {
            "method": "POST",
            "header": [{"key": "Authorization", "value": "Bearer lit-DISTINCT-4242"}],
            "body": {"mode": "raw", "raw": "{\"echo\": \"lit-DISTINCT-4242\"}", "options": {"raw": {"language": "json"}}},
            "url": "https://x.test/?t=lit-DISTINCT-4242"
        }}]
    });
    let imported = postman_collection(&collection.to_string(), "s.json").unwrap();
    let json = imported.flow.to_json();
    assert!(!json.contains("lit-DISTINCT-4242"), "{json}");
    assert_eq!(request(&imported.flow, "a").headers, pairs(&[("Authorization", "Bearer {{token}}")]));
    assert_eq!(request(&imported.flow, "a").body, Some(Body::Json(json!({"echo": "{{token}}"}))));
}

#[test]
fn generated_v2_0_shapes_with_slashes_in_path_segments_and_id_named_variables() {
    // The shape API-spec converters write: a path segment holding several segments,
    // path variables named by `id`, placeholder values, `"body": {"mode": "raw"}`.
    let collection = json!({
        "info": {"name": "AP Content API", "schema": "https://schema.getpostman.com/json/collection/v2.0.0/"},
        "item": [{"name": "Item", "item": [{"id": "f036", "name": "getItemMediatypeRendition", "request": {
            "url": {"protocol": "http", "host": "api.ap.test", "path": ["v2", "item/:mediaType/:id/:rendition"],
                    "query": [{"key": "filename", "value": "%7B%7D", "disabled": false}],
                    "variable": [{"id": "id", "value": "{}", "type": "string"}, {"id": "mediaType", "value": "{}"}]},
            "method": "GET", "body": {"mode": "raw"}, "description": "Pulls item media"},
            "response": [{"status": "OK", "code": 200, "name": "Response_200"}]}]}]
    });
    let imported = postman_collection(&collection.to_string(), "ap.json").unwrap();
    let get = request(&imported.flow, "getitemmediatyperendition");
    // Path variables' values go into the URL (placeholders too, as Postman sends them).
    assert_eq!(get.url, "http://api.ap.test/v2/item/{}/{}/{{rendition}}");
    // Decoded once: the engine encodes it again, so the server gets `%7B%7D` as written.
    assert_eq!(get.query, pairs(&[("filename", "{}")]));
    assert_eq!(get.body, None);
    assert!(imported.variables.is_empty(), "path variables never become variables");
    assert!(imported.report.warnings.iter().any(|w| w.contains("rendition")), "{:?}", imported.report.warnings);
}

/// Postman keeps query values as typed, often percent-encoded; the engine encodes query
/// pairs itself, so they are decoded once here and reach the server encoded once.
#[test]
fn encoded_query_values_are_decoded_once() {
    let collection = json!({
        "info": {"name": "Encoded", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [
            {"name": "raw", "request": {"method": "GET", "url": "https://x.test/s?q=a%20b%2Bc&t=x+y&tpl={{v}}"}},
            {"name": "object", "request": {"method": "GET", "url": {
                "raw": "https://x.test/s?q=caf%C3%A9",
                "host": ["x", "test"], "path": ["s"], "protocol": "https",
                "query": [{"key": "q", "value": "caf%C3%A9"}, {"key": "bad", "value": "%FF%FE"}]
            }}}
        ]
    });
    let imported = postman_collection(&collection.to_string(), "encoded.json").unwrap();
    let raw = request(&imported.flow, "raw");
    assert_eq!(raw.query, pairs(&[("q", "a b+c"), ("t", "x y"), ("tpl", "{{v}}")]));
    let object = request(&imported.flow, "object");
    // Not UTF-8 once decoded: kept as typed rather than garbled.
    assert_eq!(object.query, pairs(&[("q", "café"), ("bad", "%FF%FE")]));
}

fn collection(items: serde_json::Value) -> String {
    json!({
        "info": {"name": "Kinds", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": items
    })
    .to_string()
}

/// Every kind of literal credential a collection's request can hold: the flow and the
/// report hold `{{names}}`, never a value, which comes back only as a secret variable.
#[test]
fn every_credential_kind_becomes_a_reference_and_never_shows() {
    let text = collection(json!([
        {"name": "userinfo raw", "request": {"method": "GET",
            "url": "https://bob:PW-raw-2121@api.x.test/v1?api_key=AK-raw-2222&q=1"}},
        {"name": "userinfo object", "request": {"method": "GET", "url": {
            "raw": "https://amy:PW-obj-2323@api.x.test/v1?access_token=AT-obj-2424",
            "protocol": "https", "host": ["api", "x", "test"], "path": ["v1"],
            "query": [{"key": "access_token", "value": "AT-obj-2424"}]}}},
        {"name": "cookie", "request": {"method": "GET", "url": "https://api.x.test/c",
            "header": [{"key": "Cookie", "value": "sid=COOKIE-pm-2525"}]}},
        {"name": "form", "request": {"method": "POST", "url": "https://api.x.test/token",
            "body": {"mode": "urlencoded", "urlencoded": [
                {"key": "grant_type", "value": "client_credentials"},
                {"key": "client_secret", "value": "CS-pm-2626"}]}}},
        {"name": "multipart", "request": {"method": "POST", "url": "https://api.x.test/m",
            "body": {"mode": "formdata", "formdata": [{"key": "password", "value": "PW-multi-2727", "type": "text"}]}}},
        {"name": "json", "request": {"method": "POST", "url": "https://api.x.test/j",
            "body": {"mode": "raw", "raw": "{\"user\": \"ann\", \"password\": \"PW-json-2828\"}",
                     "options": {"raw": {"language": "json"}}}}}
    ]));
    let imported = postman_collection(&text, "kinds.json").unwrap();
    let flow = &imported.flow;
    let raw = request(flow, "userinfo-raw");
    assert_eq!(raw.url, "https://api.x.test/v1");
    assert_eq!(raw.auth, Some(Auth::Basic { username: "bob".into(), password: "{{password}}".into() }));
    assert_eq!(raw.query, pairs(&[("api_key", "{{api_key}}"), ("q", "1")]));
    let object = request(flow, "userinfo-object");
    assert_eq!(object.url, "https://api.x.test/v1");
    assert_eq!(object.auth, Some(Auth::Basic { username: "amy".into(), password: "{{password_2}}".into() }));
    assert_eq!(object.query, pairs(&[("access_token", "{{access_token}}")]));
    assert_eq!(request(flow, "cookie").headers, pairs(&[("Cookie", "{{cookie}}")]));
    assert_eq!(
        request(flow, "form").body,
        Some(Body::Form(pairs(&[("grant_type", "client_credentials"), ("client_secret", "{{client_secret}}")])))
    );
    assert_eq!(
        request(flow, "multipart").body,
        Some(Body::Multipart(vec![("password".into(), Part::Text("{{password_3}}".into()))]))
    );
    assert_eq!(request(flow, "json").body, Some(Body::Json(json!({"user": "ann", "password": "{{password_4}}"}))));

    let everything = format!(
        "{}{:?}{}",
        flow.to_json(),
        imported.report,
        imported.variables.iter().map(|v| &v.origin).cloned().collect::<String>()
    );
    let secrets = [
        "PW-raw-2121",
        "AK-raw-2222",
        "PW-obj-2323",
        "AT-obj-2424",
        "COOKIE-pm-2525",
        "CS-pm-2626",
        "PW-multi-2727",
        "PW-json-2828",
    ];
    for secret in secrets {
        assert!(!everything.contains(secret), "{secret} in {everything}");
        let variable = imported.variables.iter().find(|v| v.value.expose().contains(secret));
        assert!(variable.is_some_and(|v| v.value.is_secret()), "{secret} is not a secret variable");
    }
    assert!(!format!("{:?}", imported.variables).contains("PW-"), "Debug shows a value");
}

/// A path variable belongs to its request: its value goes into the URL, never into the
/// variables (so never into the globals); one with no value is named in the report.
#[test]
fn path_variables_go_into_their_url_not_the_globals() {
    let text = collection(json!([
        {"name": "one", "request": {"method": "GET", "url": {
            "raw": "https://api.x.test/users/:id/posts/:post", "host": ["api", "x", "test"],
            "path": ["users", ":id", "posts", ":post"], "protocol": "https",
            "variable": [{"key": "id", "value": "42"}, {"key": "post", "value": ""}]}}},
        {"name": "two", "request": {"method": "GET", "url": {
            "raw": "https://api.x.test/users/:id", "host": ["api", "x", "test"], "path": ["users", ":id"],
            "protocol": "https", "variable": [{"key": "id", "value": "7"}]}}}
    ]));
    let imported = postman_collection(&text, "paths.json").unwrap();
    assert_eq!(request(&imported.flow, "one").url, "https://api.x.test/users/42/posts/{{post}}");
    assert_eq!(request(&imported.flow, "two").url, "https://api.x.test/users/7");
    assert!(imported.variables.is_empty(), "{:?}", imported.variables);
    let warnings = imported.report.warnings.join("\n");
    assert!(
        warnings.contains("request `one`: path variable `:post` has no value: the URL uses `{{post}}`"),
        "{warnings}"
    );
}

/// Every request runs, as newman runs a collection: each one's success and failure lead
/// to the next; every failure also reaches `failed`, a Log at level error.
#[test]
fn failures_are_wired_onward_and_to_a_failed_log_at_level_error() {
    let text = collection(json!([
        {"name": "a", "request": "https://x.test/a"},
        {"name": "b", "request": "https://x.test/b"},
        {"name": "c", "request": "https://x.test/c"}
    ]));
    let imported = postman_collection(&text, "c.json").unwrap();
    let wires: Vec<String> = imported.flow.wires.iter().map(|w| format!("{}>{}", w.from, w.to)).collect();
    assert_eq!(
        wires,
        [
            "start.out>a.in",
            "a.failure>failed.in",
            "a.success>b.in",
            "a.failure>b.in",
            "b.failure>failed.in",
            "b.success>c.in",
            "b.failure>c.in",
            "c.failure>failed.in",
            "c.success>done.in"
        ]
    );
    let flow: serde_json::Value = serde_json::from_str(&imported.flow.to_json()).unwrap();
    assert_eq!(flow["blocks"]["failed"]["level"], "error");
    assert_eq!(flow["blocks"]["done"].get("level"), None);
}
