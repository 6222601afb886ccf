//! A request's auth (bearer, API key, basic), its credentials made `{{names}}`.

use serde_json::{Map, Value};
use switchyard_flow::{ApiKeyLocation, Auth};

use super::Walker;
use super::shape::scalar_text;
use crate::credentials::has_reference;

impl Walker<'_> {
    pub(super) fn auth(&mut self, auth: Option<&Map<String, Value>>, name: &str) -> Option<Auth> {
        let auth = auth?;
        let kind = auth.get("type").and_then(Value::as_str).unwrap_or_default();
        let origin = format!("request `{name}`: {kind} auth");
        match kind {
            "noauth" | "" => None,
            "bearer" => {
                let token = auth_attribute(auth, "bearer", "token").unwrap_or_default();
                Some(Auth::Bearer { token: self.credentials.replace(&token, "token", &origin) })
            }
            "apikey" => {
                let key = auth_attribute(auth, "apikey", "key").unwrap_or_else(|| "X-API-Key".to_owned());
                let value = auth_attribute(auth, "apikey", "value").unwrap_or_default();
                let location = match auth_attribute(auth, "apikey", "in").as_deref() {
                    Some("query") => ApiKeyLocation::Query,
                    _ => ApiKeyLocation::Header,
                };
                let value = self.credentials.replace(&value, &key, &origin);
                Some(Auth::ApiKey { name: key, value, location })
            }
            "basic" => {
                let username = auth_attribute(auth, "basic", "username").unwrap_or_default();
                let password = auth_attribute(auth, "basic", "password").unwrap_or_default();
                let (username, password) = if password.is_empty() && !has_reference(&username) {
                    (self.credentials.replace(&username, "username", &origin), password)
                } else {
                    (username, self.credentials.replace(&password, "password", &origin))
                };
                Some(Auth::Basic { username, password })
            }
            other => {
                self.report.warn(format!(
                    "request `{name}`: auth type `{other}` is not supported; the request is imported without auth"
                ));
                None
            }
        }
    }
}

/// An auth attribute: v2.1 `"bearer": [{"key": "token", "value": …}]` or v2.0
/// `"bearer": {"token": …}`.
fn auth_attribute(auth: &Map<String, Value>, kind: &str, key: &str) -> Option<String> {
    match auth.get(kind)? {
        Value::Array(list) => list
            .iter()
            .filter_map(Value::as_object)
            .find(|attribute| attribute.get("key").and_then(Value::as_str) == Some(key))
            .and_then(|attribute| attribute.get("value"))
            .map(scalar_text),
        Value::Object(map) => map.get(key).map(scalar_text),
        _ => None,
    }
}
