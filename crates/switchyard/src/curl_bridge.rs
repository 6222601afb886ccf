//! The app's curl translator ([`switchyard_gui::CurlTranslator`]): `switchyard_import`.
//! Also compiled into the app's tests (`crates/gui/tests/common`), so they paste and copy
//! curl commands exactly as the shipped app does.

use std::path::Path;

use secrecy::SecretString;
use switchyard_flow::SendRequest;
use switchyard_gui::{CopiedCurl, CurlTranslator, Known, PastedCredential, PastedCurl};
use switchyard_import::{Resolved, VariableValue};

/// Curl commands through `switchyard_import`.
#[derive(Debug, Default, Clone, Copy)]
pub struct ImportCurl;

impl CurlTranslator for ImportCurl {
    fn import(&self, command: &str, cwd: &Path, flow_dir: Option<&Path>) -> Result<PastedCurl, String> {
        let imported = switchyard_import::curl_command(command, cwd, flow_dir).map_err(|error| error.message)?;
        let block = imported.flow.block("request").cloned().ok_or("the command has no request")?;
        let credentials = imported
            .variables
            .into_iter()
            .filter_map(|variable| match variable.value {
                VariableValue::Secret(secret) => Some(PastedCredential {
                    name: variable.name,
                    origin: variable.origin,
                    value: SecretString::from(secret.expose().to_owned()),
                }),
                VariableValue::Plain(_) => None,
            })
            .collect();
        Ok(PastedCurl { block, credentials, warnings: imported.report.warnings })
    }

    fn export(&self, request: &SendRequest, lookup: &dyn Fn(&str) -> Known, base_dir: Option<&Path>) -> CopiedCurl {
        let resolve = |name: &str| match lookup(name) {
            Known::Plain(value) => Resolved::Plain(value),
            Known::Secret => Resolved::Secret,
            Known::Unknown => Resolved::Unknown,
        };
        let export = switchyard_import::export_curl(request, &resolve, base_dir);
        CopiedCurl { command: export.command, warnings: export.warnings }
    }
}
