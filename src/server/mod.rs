//! `mcaccess server`: a language server over stdio, on rust-analyzer's
//! `lsp-server` with `lsp-types` (as ruff, squawk and sqruff do).
//!
//! It calls the library as `check` and `fix` do, on one document in memory
//! plus the workspace's index: diagnostics are `check`'s findings, the quick
//! fix is the edit `mcaccess fix` makes, the hover on an `@access` is what
//! `plan` shows. Nothing but protocol goes to stdout; a document or config
//! that cannot be read becomes a diagnostic, never a crash.

mod actions;
pub mod convert;
mod rule_docs;
mod workspace;

use convert::Encoding;
use lsp_server::{Connection, ExtractError, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as notif, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::*;
use std::path::PathBuf;
use std::time::Duration;
use workspace::Workspace;

/// Serves the client on stdin/stdout until it says exit.
pub fn run_stdio() -> Result<(), String> {
    let (connection, io) = Connection::stdio();
    serve(&connection, rule_docs::cache_dir().as_deref())?;
    drop(connection);
    io.join().map_err(|e| format!("the connection failed: {e}"))
}

/// Serves one client on `connection`: initialize, then messages until
/// shutdown. The rules' pages, linked from diagnostics, go under `cache`.
pub fn serve(connection: &Connection, cache: Option<&std::path::Path>) -> Result<(), String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    let encoding = negotiate(&params);
    let result = serde_json::json!({
        "capabilities": capabilities(encoding),
        "serverInfo": { "name": "mcaccess", "version": env!("CARGO_PKG_VERSION") },
    });
    connection.initialize_finish(id, result).map_err(|e| e.to_string())?;
    let mut ws = Workspace::new(root(&params), encoding, cache.and_then(rule_docs::write_all));
    watch_files(&params, connection);
    publish_config(&ws, connection);
    // The workspace's tables are indexed in the background; documents are
    // linted at once and again when the index arrives.
    let (tx, indexed) = std::sync::mpsc::channel();
    if let Some(root) = ws.root.clone() {
        let config = ws.config.clone();
        std::thread::spawn(move || tx.send(workspace::index(&root, &config)));
    }
    loop {
        if let Ok(tables) = indexed.try_recv() {
            for (path, index) in tables {
                let open = ws.docs.keys().any(|u| convert::path(u).as_ref() == Some(&path));
                if !open {
                    ws.put_tables(path, Some(index));
                }
            }
            publish_all(&ws, connection);
        }
        let message = match connection.receiver.recv_timeout(Duration::from_millis(50)) {
            Ok(m) => m,
            Err(e) if e.is_timeout() => continue,
            Err(_) => return Ok(()),
        };
        // A bug on one message is logged (stderr) and the server goes on.
        let handled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| -> Result<bool, String> {
            match message {
                Message::Request(r) if connection.handle_shutdown(&r).map_err(|e| e.to_string())? => return Ok(true),
                Message::Request(r) => respond(&ws, connection, r),
                Message::Notification(n) => notified(&mut ws, connection, n),
                Message::Response(_) => {}
            }
            Ok(false)
        }));
        match handled {
            Ok(Ok(true)) => return Ok(()),
            Ok(Ok(false)) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => eprintln!("mcaccess server: internal error on a message (see above); still serving"),
        }
    }
}

/// Asks the client to report changes to `mcaccess.toml` and SQL files on
/// disk (a checkout, another tool), when it can.
fn watch_files(params: &InitializeParams, connection: &Connection) {
    let watched = params.capabilities.workspace.as_ref().and_then(|w| w.did_change_watched_files.as_ref());
    if !watched.and_then(|w| w.dynamic_registration).unwrap_or(false) {
        return;
    }
    let watchers = ["**/mcaccess.toml", "**/*.sql"]
        .map(|glob| FileSystemWatcher { glob_pattern: GlobPattern::String(glob.into()), kind: None })
        .to_vec();
    let options = DidChangeWatchedFilesRegistrationOptions { watchers };
    let registration = Registration {
        id: "mcaccess-files".into(),
        method: notif::DidChangeWatchedFiles::METHOD.into(),
        register_options: serde_json::to_value(options).ok(),
    };
    let params = RegistrationParams { registrations: vec![registration] };
    let r =
        Request::new(RequestId::from("mcaccess-register".to_string()), req::RegisterCapability::METHOD.into(), params);
    let _ = connection.sender.send(Message::Request(r));
}

/// UTF-8 when the client offers it, else LSP's UTF-16.
fn negotiate(params: &InitializeParams) -> Encoding {
    let offered = params.capabilities.general.as_ref().and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    let sync = TextDocumentSyncOptions {
        open_close: Some(true),
        change: Some(TextDocumentSyncKind::FULL),
        save: Some(TextDocumentSyncSaveOptions::Supported(true)),
        ..Default::default()
    };
    let actions = CodeActionOptions {
        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, actions::fix_all_kind()]),
        ..Default::default()
    };
    ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(sync)),
        code_action_provider: Some(CodeActionProviderCapability::Options(actions)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..Default::default()
    }
}

/// The first workspace folder, else the deprecated root URI.
fn root(params: &InitializeParams) -> Option<PathBuf> {
    let folder = params.workspace_folders.as_ref().and_then(|f| f.first()).map(|f| &f.uri);
    #[allow(deprecated)]
    let uri = folder.or(params.root_uri.as_ref())?;
    convert::path(uri)
}

fn respond(ws: &Workspace, connection: &Connection, r: Request) {
    let id = r.id.clone();
    let result = match r.method.as_str() {
        req::CodeActionRequest::METHOD => params::<req::CodeActionRequest>(r).map(|p| {
            let only = p.context.only.as_deref();
            serde_json::to_value(actions::code_actions(ws, &p.text_document.uri, p.range, only))
        }),
        req::HoverRequest::METHOD => params::<req::HoverRequest>(r).map(|p| {
            let at = p.text_document_position_params;
            serde_json::to_value(actions::hover(ws, &at.text_document.uri, at.position))
        }),
        _ => Err(format!("mcaccess does not serve {}", r.method)),
    };
    let response = match result {
        Ok(Ok(value)) => Response::new_ok(id, value),
        Ok(Err(e)) => error(id, e.to_string()),
        Err(e) => error(id, e),
    };
    let _ = connection.sender.send(Message::Response(response));
}

fn params<R: req::Request>(r: Request) -> Result<R::Params, String> {
    r.extract(R::METHOD).map(|(_, p)| p).map_err(|e: ExtractError<Request>| format!("{e:?}"))
}

fn error(id: RequestId, message: String) -> Response {
    Response::new_err(id, lsp_server::ErrorCode::InvalidParams as i32, message)
}

fn notified(ws: &mut Workspace, connection: &Connection, n: Notification) {
    match n.method.as_str() {
        notif::DidOpenTextDocument::METHOD => {
            if let Ok(p) = n.extract::<DidOpenTextDocumentParams>(notif::DidOpenTextDocument::METHOD) {
                let doc = p.text_document;
                opened(ws, connection, doc.uri, doc.version, doc.text);
            }
        }
        notif::DidChangeTextDocument::METHOD => {
            if let Ok(p) = n.extract::<DidChangeTextDocumentParams>(notif::DidChangeTextDocument::METHOD) {
                // Full sync: the last change is the whole text.
                if let Some(change) = p.content_changes.into_iter().last() {
                    opened(ws, connection, p.text_document.uri, p.text_document.version, change.text);
                }
            }
        }
        notif::DidCloseTextDocument::METHOD => {
            if let Ok(p) = n.extract::<DidCloseTextDocumentParams>(notif::DidCloseTextDocument::METHOD) {
                ws.docs.remove(&p.text_document.uri);
                publish(connection, p.text_document.uri, Vec::new(), None);
            }
        }
        notif::DidChangeWatchedFiles::METHOD => {
            if let Ok(p) = n.extract::<DidChangeWatchedFilesParams>(notif::DidChangeWatchedFiles::METHOD) {
                for change in &p.changes {
                    ws.disk_changed(&change.uri);
                }
                reconfigure(ws, connection);
            }
        }
        // A saved mcaccess.toml is read again.
        notif::DidSaveTextDocument::METHOD => reconfigure(ws, connection),
        _ => {}
    }
}

/// Reads the config again and lints every open document under it.
fn reconfigure(ws: &mut Workspace, connection: &Connection) {
    ws.load_config();
    ws.reanalyse();
    publish_config(ws, connection);
    publish_all(ws, connection);
}

/// A document opened or changed: analysed, and every open document linted
/// again (its tables may change another's MCA016).
fn opened(ws: &mut Workspace, connection: &Connection, uri: Uri, version: i32, text: String) {
    let is_config = convert::path(&uri).is_some_and(|p| p.ends_with(crate::config::FILE_NAME));
    if is_config {
        return;
    }
    ws.set(uri, version, text);
    publish_all(ws, connection);
}

fn publish_all(ws: &Workspace, connection: &Connection) {
    for (uri, doc) in &ws.docs {
        let findings = ws.findings(uri, ws.repo());
        let shown = findings.iter().map(|f| actions::diagnostic(ws, f, &doc.analysis.source)).collect();
        publish(connection, uri.clone(), shown, Some(doc.version));
    }
}

fn publish(connection: &Connection, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
    let params = PublishDiagnosticsParams { uri, diagnostics, version };
    let n = Notification::new(notif::PublishDiagnostics::METHOD.to_string(), params);
    let _ = connection.sender.send(Message::Notification(n));
}

/// A config that cannot be used is a diagnostic on it (and cleared once it
/// can).
fn publish_config(ws: &Workspace, connection: &Connection) {
    let Some(path) = ws.root.as_deref().and_then(crate::config::Config::discover) else { return };
    let Some(uri) = convert::uri(&std::path::absolute(&path).unwrap_or(path)) else { return };
    let shown = ws.config_error.iter().map(|(_, e)| config_diagnostic(e, ws.encoding)).collect();
    publish(connection, uri, shown, None);
}

fn config_diagnostic(e: &crate::config::ConfigError, encoding: Encoding) -> Diagnostic {
    let file = crate::source::SourceFile::new(e.path.display().to_string(), e.text.clone());
    let span = e.span.clone().unwrap_or(0..0);
    let message = match &e.help {
        Some(help) => format!("{}\nhelp: {help}", e.message),
        None => e.message.clone(),
    };
    Diagnostic {
        range: convert::range(&file, &span, encoding),
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some("mcaccess".into()),
        message,
        ..Diagnostic::default()
    }
}
