//! camas_crypto: matrix-sdk-crypto's `OlmMachine` behind a small C ABI.
//!
//! The C core of camas stays the driver: it does all HTTP itself. This library only keeps the
//! Olm/Megolm state (in an SQLite store encrypted with a passphrase) and tells the core which
//! requests to send. Every call takes and returns JSON (see camas_crypto.h for the shapes).
//!
//! Threading: the machine lives on a single-threaded tokio runtime (`new_current_thread`) owned
//! by the handle; each C call runs `block_on` to completion. The calls are short (a few SQLite
//! transactions), so blocking the core's event loop for them is acceptable. The SQLite store
//! runs its queries on tokio's blocking pool, so a few helper threads exist inside the library;
//! none of them ever calls back into C.
//!
//! Errors: nothing panics across the boundary (every entry point is wrapped in
//! `catch_unwind`); an error is returned as `{"error": "..."}`. Error texts never contain key
//! material or the passphrase.

use std::collections::BTreeMap;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use matrix_sdk_crypto::types::requests::{AnyIncomingResponse, AnyOutgoingRequest};
use matrix_sdk_crypto::{
    DecryptionSettings, EncryptionSettings, EncryptionSyncChanges, OlmMachine, TrustRequirement,
};
use matrix_sdk_sqlite::SqliteCryptoStore;
use ruma::api::client::keys::{
    claim_keys::v3::Response as KeysClaimResponse, get_keys::v3::Response as KeysQueryResponse,
    upload_keys::v3::Response as KeysUploadResponse,
    upload_signatures::v3::Response as SignatureUploadResponse,
    upload_signing_keys::v3::Response as SigningKeysUploadResponse,
};
use ruma::api::client::message::send_message_event::v3::Response as RoomMessageResponse;
use ruma::api::client::sync::sync_events::DeviceLists;
use ruma::api::client::to_device::send_event_to_device::v3::Response as ToDeviceResponse;
use ruma::api::IncomingResponse;
use ruma::serde::Raw;
use ruma::{OneTimeKeyAlgorithm, OwnedUserId, RoomId, TransactionId, UInt, UserId};
use serde_json::{json, Value};

/// The opaque handle the C side holds.
pub struct CamasCrypto {
    rt: tokio::runtime::Runtime,
    machine: Option<OlmMachine>,
}

impl Drop for CamasCrypto {
    fn drop(&mut self) {
        // The store's connection pool hands its connections to tokio's blocking pool when
        // dropped: drop the machine inside the runtime's context. Entering it panics once the
        // thread's thread-locals are gone (camas_crypto_close from an atexit handler: glibc
        // destroys them first), and dropping the pool outside it panics again during that
        // unwinding, which aborts the process: then the machine is left to the exiting
        // process instead (its store is SQLite's, consistent at every commit).
        match catch_unwind(AssertUnwindSafe(|| self.rt.enter())) {
            Ok(_guard) => drop(self.machine.take()),
            Err(_) => std::mem::forget(self.machine.take()),
        }
    }
}

/// A panic inside the library prints one line (where, not what: a payload could quote data)
/// instead of the default message and backtrace; catch_unwind then turns it into an error.
fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let at = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
            eprintln!("camas_crypto: internal panic at {}", at.as_deref().unwrap_or("?"));
        }));
    });
}

type R<T> = Result<T, String>;

fn err_json(msg: impl std::fmt::Display) -> Value {
    json!({ "error": msg.to_string() })
}

fn to_c(v: Value) -> *mut c_char {
    // serde_json never emits a NUL byte inside a string (it escapes it as \u0000).
    CString::new(v.to_string()).map(CString::into_raw).unwrap_or(std::ptr::null_mut())
}

unsafe fn from_c<'a>(p: *const c_char, what: &str) -> R<&'a str> {
    if p.is_null() {
        return Err(format!("{what} is NULL"));
    }
    CStr::from_ptr(p).to_str().map_err(|_| format!("{what} is not UTF-8"))
}

/// Runs `f`, turning an error or a panic into `{"error": ...}`.
fn guard(f: impl FnOnce() -> R<Value>) -> *mut c_char {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => to_c(v),
        Ok(Err(e)) => to_c(err_json(e)),
        Err(_) => to_c(err_json("internal panic in camas_crypto")),
    }
}

/// Percent-encodes one path segment (RFC 3986 unreserved characters pass).
fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn timeout_ms(t: Option<Duration>) -> Option<u64> {
    t.map(|d| d.as_millis() as u64)
}

fn describe(id: &TransactionId, req: &AnyOutgoingRequest) -> R<Value> {
    let ser = |v: &dyn erased::Ser| v.to_value();
    let (kind, method, path, body): (&str, &str, String, Value) = match req {
        AnyOutgoingRequest::KeysUpload(r) => {
            let mut b = serde_json::Map::new();
            if let Some(dk) = &r.device_keys {
                b.insert("device_keys".into(), ser(dk)?);
            }
            if !r.one_time_keys.is_empty() {
                b.insert("one_time_keys".into(), ser(&r.one_time_keys)?);
            }
            if !r.fallback_keys.is_empty() {
                b.insert("fallback_keys".into(), ser(&r.fallback_keys)?);
            }
            ("keys_upload", "POST", "/_matrix/client/v3/keys/upload".into(), Value::Object(b))
        }
        AnyOutgoingRequest::KeysQuery(r) => {
            let mut b = json!({ "device_keys": ser(&r.device_keys)? });
            if let Some(t) = timeout_ms(r.timeout) {
                b["timeout"] = json!(t);
            }
            ("keys_query", "POST", "/_matrix/client/v3/keys/query".into(), b)
        }
        AnyOutgoingRequest::KeysClaim(r) => {
            let mut b = json!({ "one_time_keys": ser(&r.one_time_keys)? });
            if let Some(t) = timeout_ms(r.timeout) {
                b["timeout"] = json!(t);
            }
            ("keys_claim", "POST", "/_matrix/client/v3/keys/claim".into(), b)
        }
        AnyOutgoingRequest::ToDeviceRequest(r) => (
            "to_device",
            "PUT",
            format!(
                "/_matrix/client/v3/sendToDevice/{}/{}",
                seg(&r.event_type.to_string()),
                seg(r.txn_id.as_str())
            ),
            json!({ "messages": ser(&r.messages)? }),
        ),
        AnyOutgoingRequest::SignatureUpload(r) => (
            "signature_upload",
            "POST",
            "/_matrix/client/v3/keys/signatures/upload".into(),
            ser(&r.signed_keys)?,
        ),
        AnyOutgoingRequest::RoomMessage(r) => {
            use ruma::events::MessageLikeEventContent;
            (
                "room_message",
                "PUT",
                format!(
                    "/_matrix/client/v3/rooms/{}/send/{}/{}",
                    seg(r.room_id.as_str()),
                    seg(&r.content.event_type().to_string()),
                    seg(r.txn_id.as_str())
                ),
                ser(&*r.content)?,
            )
        }
    };
    Ok(json!({
        "id": id.as_str(),
        "type": kind,
        "method": method,
        "path": path,
        "body": body.to_string(),
    }))
}

/// A tiny object-safe wrapper so `describe` can serialize fields of different types.
mod erased {
    pub trait Ser {
        fn to_value(&self) -> Result<serde_json::Value, String>;
    }
    impl<T: serde::Serialize + ?Sized> Ser for T {
        fn to_value(&self) -> Result<serde_json::Value, String> {
            serde_json::to_value(self).map_err(|e| format!("cannot serialize a request: {e}"))
        }
    }
}

fn http_response(body: &str) -> R<http::Response<Vec<u8>>> {
    http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
        .map_err(|e| format!("bad response: {e}"))
}

fn parse<T: IncomingResponse>(body: &str) -> R<T> {
    T::try_from_http_response(http_response(body)?)
        .map_err(|e| format!("cannot parse the homeserver's response: {e}"))
}

/// vodozemac 0.10 (and its main branch of 2026-08) panics on an Ed25519 public key of 44
/// base64 characters without padding (33 bytes once decoded; `Ed25519PublicKey::from_base64`
/// copies them into 32) instead of refusing it. Such keys are taken out of the `keys` maps of
/// a `/keys/query` answer before matrix-sdk-crypto reads it: the device or cross-signing key
/// then fails its signature check and is ignored like any bad key, and the query completes
/// for every other user (a panic failed it whole, so it was sent again and again).
fn drop_bad_ed25519_keys(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Object(keys)) = m.get_mut("keys") {
                keys.retain(|id, key| {
                    !id.starts_with("ed25519:") || key.as_str().is_some_and(ed25519_key_fits)
                });
            }
            m.values_mut().for_each(drop_bad_ed25519_keys);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_bad_ed25519_keys),
        _ => {}
    }
}

/// 32 bytes in base64: 43 characters, or 44 ending in '=' (which vodozemac refuses cleanly).
fn ed25519_key_fits(s: &str) -> bool {
    let b = s.as_bytes();
    let body = match b.len() {
        43 => b,
        44 if b[43] == b'=' => &b[..43],
        _ => return false,
    };
    body.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
}

/// A JSON array of user ids; ids that do not parse are skipped.
fn user_list(json: &str) -> R<Vec<OwnedUserId>> {
    let v: Value = serde_json::from_str(json).map_err(|e| format!("bad user list JSON: {e}"))?;
    match v {
        Value::Array(a) => Ok(a
            .iter()
            .filter_map(|u| u.as_str().and_then(|s| UserId::parse(s).ok()))
            .collect()),
        _ => Err("the user list is not an array".into()),
    }
}

impl CamasCrypto {
    fn m(&self) -> &OlmMachine {
        self.machine.as_ref().expect("the machine lives until the handle is dropped")
    }

    fn open(user_id: &str, device_id: &str, dir: &str, passphrase: &str) -> R<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|e| format!("cannot start the runtime: {e}"))?;
        let user = UserId::parse(user_id).map_err(|e| format!("bad user id: {e}"))?;
        let device: ruma::OwnedDeviceId = device_id.into();
        let machine = rt.block_on(async {
            let store = SqliteCryptoStore::open(dir, Some(passphrase))
                .await
                .map_err(|e| format!("cannot open the crypto store: {e}"))?;
            OlmMachine::with_store(&user, &device, store, None)
                .await
                .map_err(|e| format!("cannot load the Olm account: {e}"))
        })?;
        Ok(Self { rt, machine: Some(machine) })
    }

    fn identity(&self) -> Value {
        let k = self.m().identity_keys();
        json!({
            "user_id": self.m().user_id().as_str(),
            "device_id": self.m().device_id().as_str(),
            "ed25519": k.ed25519.to_base64(),
            "curve25519": k.curve25519.to_base64(),
        })
    }

    fn receive_sync(&self, input: &str) -> R<Value> {
        let v: Value = serde_json::from_str(input).map_err(|e| format!("bad sync JSON: {e}"))?;
        let to_device: Vec<Raw<ruma::events::AnyToDeviceEvent>> = match v.pointer("/to_device/events") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|e| serde_json::value::to_raw_value(e).ok().map(Raw::from_json))
                .collect(),
            _ => Vec::new(),
        };
        let users = |key: &str| -> Vec<OwnedUserId> {
            match v.pointer(&format!("/device_lists/{key}")) {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|u| u.as_str().and_then(|s| UserId::parse(s).ok()))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let mut lists = DeviceLists::default();
        lists.changed = users("changed");
        lists.left = users("left");
        let mut counts: BTreeMap<OneTimeKeyAlgorithm, UInt> = BTreeMap::new();
        if let Some(Value::Object(m)) = v.get("device_one_time_keys_count") {
            for (alg, n) in m {
                if let Some(n) = n.as_u64().and_then(UInt::new) {
                    counts.insert(OneTimeKeyAlgorithm::from(alg.as_str()), n);
                }
            }
        }
        let fallback: Option<Vec<OneTimeKeyAlgorithm>> =
            match v.get("device_unused_fallback_key_types") {
                Some(Value::Array(a)) => Some(
                    a.iter()
                        .filter_map(|s| s.as_str().map(OneTimeKeyAlgorithm::from))
                        .collect(),
                ),
                _ => None,
            };
        let n_to_device = to_device.len();
        let changes = EncryptionSyncChanges {
            to_device_events: to_device,
            changed_devices: &lists,
            one_time_keys_counts: &counts,
            unused_fallback_keys: fallback.as_deref(),
            next_batch_token: v.get("next_batch").and_then(|s| s.as_str()).map(String::from),
        };
        let settings =
            DecryptionSettings { sender_device_trust_requirement: TrustRequirement::Untrusted };
        let (_events, room_keys) = self
            .rt
            .block_on(self.m().receive_sync_changes(changes, &settings))
            .map_err(|e| format!("cannot process the sync: {e}"))?;
        Ok(json!({ "ok": true, "to_device": n_to_device, "room_keys": room_keys.len() }))
    }

    fn outgoing(&self) -> R<Value> {
        let reqs = self
            .rt
            .block_on(self.m().outgoing_requests())
            .map_err(|e| format!("cannot list the outgoing requests: {e}"))?;
        let mut out = Vec::with_capacity(reqs.len());
        for r in &reqs {
            out.push(describe(r.request_id(), r.request())?);
        }
        Ok(json!({ "requests": out }))
    }

    fn mark_sent(&self, id: &str, kind: &str, body: &str) -> R<Value> {
        let id: ruma::OwnedTransactionId = id.into();
        let m = self.m();
        self.rt.block_on(async {
            match kind {
                "keys_upload" => m.mark_request_as_sent(&id, &parse::<KeysUploadResponse>(body)?).await,
                "keys_query" => {
                    let mut v: Value = serde_json::from_str(body)
                        .map_err(|e| format!("cannot parse the homeserver's response: {e}"))?;
                    drop_bad_ed25519_keys(&mut v);
                    m.mark_request_as_sent(&id, &parse::<KeysQueryResponse>(&v.to_string())?).await
                }
                "keys_claim" => m.mark_request_as_sent(&id, &parse::<KeysClaimResponse>(body)?).await,
                "to_device" => m.mark_request_as_sent(&id, &parse::<ToDeviceResponse>(body)?).await,
                "signature_upload" => {
                    m.mark_request_as_sent(&id, &parse::<SignatureUploadResponse>(body)?).await
                }
                "signing_keys_upload" => {
                    let r = parse::<SigningKeysUploadResponse>(body)?;
                    m.mark_request_as_sent(&id, AnyIncomingResponse::SigningKeysUpload(&r)).await
                }
                "room_message" => m.mark_request_as_sent(&id, &parse::<RoomMessageResponse>(body)?).await,
                other => return Err(format!("unknown request type {other:?}")),
            }
            .map_err(|e| format!("cannot mark the request sent: {e}"))
        })?;
        Ok(json!({ "ok": true }))
    }

    /// The requests that give the account cross-signing keys (created at the first call,
    /// kept in the store and uploaded again on later calls) and sign this device with its
    /// self-signing key, in the order to send them.
    fn bootstrap_cross_signing(&self) -> R<Value> {
        let m = self.m();
        let had = self.rt.block_on(m.cross_signing_status()).has_master;
        let reqs = self
            .rt
            .block_on(m.bootstrap_cross_signing(false))
            .map_err(|e| format!("cannot create the cross-signing keys: {e}"))?;
        let mut out = Vec::with_capacity(3);
        if let Some(r) = &reqs.upload_keys_req {
            out.push(describe(r.request_id(), r.request())?);
        }
        let k = &reqs.upload_signing_keys_req;
        let mut body = serde_json::Map::new();
        for (name, key) in [
            ("master_key", &k.master_key),
            ("self_signing_key", &k.self_signing_key),
            ("user_signing_key", &k.user_signing_key),
        ] {
            if let Some(key) = key {
                body.insert(
                    name.into(),
                    serde_json::to_value(key).map_err(|e| format!("cannot serialize a key: {e}"))?,
                );
            }
        }
        out.push(json!({
            "id": TransactionId::new().as_str(),
            "type": "signing_keys_upload",
            "method": "POST",
            "path": "/_matrix/client/v3/keys/device_signing/upload",
            "body": Value::Object(body).to_string(),
        }));
        out.push(describe(
            &TransactionId::new(),
            &AnyOutgoingRequest::SignatureUpload(reqs.upload_signatures_req),
        )?);
        Ok(json!({ "requests": out, "created": !had }))
    }

    /// Starts tracking the device lists of `users` (a room's members): users not seen before
    /// get a `/keys/query` among the outgoing requests.
    fn track_users(&self, users: &str) -> R<Value> {
        let users = user_list(users)?;
        self.rt
            .block_on(self.m().update_tracked_users(users.iter().map(|u| u.as_ref())))
            .map_err(|e| format!("cannot track the users: {e}"))?;
        Ok(json!({ "ok": true }))
    }

    /// The `/keys/claim` needed for Olm sessions with every device of `users`, or null.
    fn missing_sessions(&self, users: &str) -> R<Value> {
        let users = user_list(users)?;
        let r = self
            .rt
            .block_on(self.m().get_missing_sessions(users.iter().map(|u| u.as_ref())))
            .map_err(|e| format!("cannot list the missing sessions: {e}"))?;
        Ok(match r {
            Some((id, req)) => json!({ "request": describe(&id, &AnyOutgoingRequest::KeysClaim(req))? }),
            None => json!({ "request": null }),
        })
    }

    /// The to-device requests that share the room's current Megolm session with every
    /// device of `users` that lacks it. The machine starts a new session (rotates the key)
    /// when a user who had the old one is no longer in `users`, or after a week or 100
    /// messages.
    fn share_room_key(&self, room_id: &str, users: &str) -> R<Value> {
        let room = RoomId::parse(room_id).map_err(|e| format!("bad room id: {e}"))?;
        let users = user_list(users)?;
        let reqs = self
            .rt
            .block_on(self.m().share_room_key(
                &room,
                users.iter().map(|u| u.as_ref()),
                EncryptionSettings::default(),
            ))
            .map_err(|e| format!("cannot share the room key: {e}"))?;
        let mut out = Vec::with_capacity(reqs.len());
        for r in &reqs {
            out.push(describe(&r.txn_id, &AnyOutgoingRequest::ToDeviceRequest((**r).clone()))?);
        }
        Ok(json!({ "requests": out }))
    }

    /// Encrypts an event's content with the room's Megolm session (shared beforehand).
    fn encrypt(&self, room_id: &str, event_type: &str, content: &str) -> R<Value> {
        let room = RoomId::parse(room_id).map_err(|e| format!("bad room id: {e}"))?;
        let raw = serde_json::value::RawValue::from_string(content.to_owned())
            .map_err(|e| format!("bad content JSON: {e}"))?;
        let raw: Raw<ruma::events::AnyMessageLikeEventContent> = Raw::from_json(raw);
        let r = self
            .rt
            .block_on(self.m().encrypt_room_event_raw(&room, event_type, &raw))
            .map_err(|e| format!("cannot encrypt: {e}"))?;
        let content: Value =
            r.content.deserialize_as_unchecked().map_err(|e| format!("bad encrypted content: {e}"))?;
        Ok(json!({ "type": "m.room.encrypted", "content": content }))
    }

    fn decrypt(&self, room_id: &str, event: &str) -> R<Value> {
        let room = RoomId::parse(room_id).map_err(|e| format!("bad room id: {e}"))?;
        let raw = serde_json::value::RawValue::from_string(event.to_owned())
            .map_err(|e| format!("bad event JSON: {e}"))?;
        let raw = Raw::from_json(raw);
        let settings =
            DecryptionSettings { sender_device_trust_requirement: TrustRequirement::Untrusted };
        match self.rt.block_on(self.m().decrypt_room_event(&raw, &room, &settings)) {
            Ok(d) => {
                let mut ev: Value = d
                    .event
                    .deserialize_as_unchecked()
                    .map_err(|e| format!("bad decrypted event: {e}"))?;
                let outer: Value = serde_json::from_str(event).unwrap_or(Value::Null);
                if let Some(obj) = ev.as_object_mut() {
                    // Who sent it, its id and time are the homeserver's, not the ciphertext's.
                    for k in ["event_id", "sender", "origin_server_ts", "unsigned"] {
                        if let Some(v) = outer.get(k) {
                            obj.insert(k.into(), v.clone());
                        }
                    }
                    obj.insert("room_id".into(), json!(room_id));
                    // A relation sent in clear beside the ciphertext (replies, threads) counts
                    // when the encrypted content has none.
                    let rel = outer.pointer("/content/m.relates_to").cloned();
                    if let (Some(rel), Some(Value::Object(c))) = (rel, obj.get_mut("content")) {
                        c.entry("m.relates_to").or_insert(rel);
                    }
                }
                Ok(json!({ "event": ev }))
            }
            Err(e) => Ok(json!({ "error": format!("cannot decrypt: {e}"), "undecryptable": true })),
        }
    }
}

// ---- The C ABI (documented in camas_crypto.h) ----

/// Opens (creating when absent) the crypto store in `store_dir` and the Olm machine for
/// (`user_id`, `device_id`). Returns NULL on failure and then sets `*error_json` (when not NULL)
/// to `{"error": ...}`, to be freed with `camas_crypto_free_string`.
#[no_mangle]
pub unsafe extern "C" fn camas_crypto_open(
    user_id: *const c_char,
    device_id: *const c_char,
    store_dir: *const c_char,
    passphrase: *const c_char,
    error_json: *mut *mut c_char,
) -> *mut CamasCrypto {
    quiet_panics();
    let r = catch_unwind(AssertUnwindSafe(|| -> R<CamasCrypto> {
        CamasCrypto::open(
            from_c(user_id, "user_id")?,
            from_c(device_id, "device_id")?,
            from_c(store_dir, "store_dir")?,
            from_c(passphrase, "passphrase")?,
        )
    }));
    let e = match r {
        Ok(Ok(c)) => return Box::into_raw(Box::new(c)),
        Ok(Err(e)) => err_json(e),
        Err(_) => err_json("internal panic in camas_crypto"),
    };
    if !error_json.is_null() {
        *error_json = to_c(e);
    }
    std::ptr::null_mut()
}

/// Closes the machine and its store. NULL is accepted.
#[no_mangle]
pub unsafe extern "C" fn camas_crypto_close(c: *mut CamasCrypto) {
    if !c.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(c))));
    }
}

/// Frees a string returned by this library. NULL is accepted.
#[no_mangle]
pub unsafe extern "C" fn camas_crypto_free_string(s: *mut c_char) {
    if !s.is_null() {
        drop(CString::from_raw(s));
    }
}

unsafe fn with<'a>(c: *const CamasCrypto) -> R<&'a CamasCrypto> {
    c.as_ref().ok_or_else(|| "no crypto handle".to_string())
}

/// `{"user_id","device_id","ed25519","curve25519"}`: the device's public identity keys.
#[no_mangle]
pub unsafe extern "C" fn camas_crypto_identity(c: *const CamasCrypto) -> *mut c_char {
    guard(|| Ok(with(c)?.identity()))
}

/// Feeds a /sync response's crypto parts (see the header for the shape).
#[no_mangle]
pub unsafe extern "C" fn camas_crypto_receive_sync(
    c: *const CamasCrypto,
    sync_json: *const c_char,
) -> *mut c_char {
    guard(|| with(c)?.receive_sync(from_c(sync_json, "sync_json")?))
}

/// `{"requests": [{"id","type","method","path","body"}]}`: what the core must send.
#[no_mangle]
pub unsafe extern "C" fn camas_crypto_outgoing_requests(c: *const CamasCrypto) -> *mut c_char {
    guard(|| with(c)?.outgoing())
}

/// Marks request `id` of `type` sent, with the homeserver's response body (a 2xx).
#[no_mangle]
pub unsafe extern "C" fn camas_crypto_mark_sent(
    c: *const CamasCrypto,
    request_id: *const c_char,
    request_type: *const c_char,
    response_json: *const c_char,
) -> *mut c_char {
    guard(|| {
        with(c)?.mark_sent(
            from_c(request_id, "request_id")?,
            from_c(request_type, "request_type")?,
            from_c(response_json, "response_json")?,
        )
    })
}

/// Decrypts an m.room.encrypted event of room `room_id`: `{"event": {...}}` (the decrypted
/// event: type, content, sender...) or `{"error": ..., "undecryptable": true}`.
#[no_mangle]
pub unsafe extern "C" fn camas_crypto_decrypt(
    c: *const CamasCrypto,
    room_id: *const c_char,
    event_json: *const c_char,
) -> *mut c_char {
    guard(|| with(c)?.decrypt(from_c(room_id, "room_id")?, from_c(event_json, "event_json")?))
}

/// Starts tracking the device lists of `users_json` (a JSON array of user ids).
#[no_mangle]
pub unsafe extern "C" fn camas_crypto_track_users(
    c: *const CamasCrypto,
    users_json: *const c_char,
) -> *mut c_char {
    guard(|| with(c)?.track_users(from_c(users_json, "users_json")?))
}

/// `{"request": {...}}` (a keys_claim request) or `{"request": null}`.
#[no_mangle]
pub unsafe extern "C" fn camas_crypto_missing_sessions(
    c: *const CamasCrypto,
    users_json: *const c_char,
) -> *mut c_char {
    guard(|| with(c)?.missing_sessions(from_c(users_json, "users_json")?))
}

/// `{"requests": [...]}`: to-device requests sharing the room key with `users_json`.
#[no_mangle]
pub unsafe extern "C" fn camas_crypto_share_room_key(
    c: *const CamasCrypto,
    room_id: *const c_char,
    users_json: *const c_char,
) -> *mut c_char {
    guard(|| with(c)?.share_room_key(from_c(room_id, "room_id")?, from_c(users_json, "users_json")?))
}

/// `{"type": "m.room.encrypted", "content": {...}}`: `content_json` of `event_type` encrypted
/// for room `room_id`.
#[no_mangle]
pub unsafe extern "C" fn camas_crypto_encrypt(
    c: *const CamasCrypto,
    room_id: *const c_char,
    event_type: *const c_char,
    content_json: *const c_char,
) -> *mut c_char {
    guard(|| {
        with(c)?.encrypt(
            from_c(room_id, "room_id")?,
            from_c(event_type, "event_type")?,
            from_c(content_json, "content_json")?,
        )
    })
}

/// `{"requests": [...], "created": bool}`: cross-signing keys for the account (created now or
/// loaded from the store) and the requests that upload them and sign this device.
#[no_mangle]
pub unsafe extern "C" fn camas_crypto_bootstrap_cross_signing(c: *const CamasCrypto) -> *mut c_char {
    guard(|| with(c)?.bootstrap_cross_signing())
}
