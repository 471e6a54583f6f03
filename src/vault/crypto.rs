//! Keys and ciphers of the vault: Argon2id key derivation, AES-256-GCM records, key
//! wrapping and HMAC-SHA-256 sub-keys.
//!
//! * The **data key** is 32 random bytes made once per vault. Every record is sealed with
//!   AES-256-GCM under a sub-key derived from it, with a fresh random 96-bit nonce.
//! * The data key is stored only **wrapped**: sealed with AES-256-GCM under a key-encryption
//!   key (KEK) that Argon2id derives from the passphrase, a 16-byte salt and
//!   [`KdfParams`]. Changing the passphrase re-wraps the data key; no record changes.
//! * Sub-keys (record cipher, dedup index, chain head MAC) are HMAC-SHA-256 of the data
//!   key with a fixed label, so a leak of one use never exposes another.
//! * Every key lives in a [`Zeroizing`] buffer (and the `aes` crate's `zeroize` feature
//!   wipes expanded round keys), so secrets are wiped from memory when dropped.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Length of an AES-GCM nonce, bytes.
pub const NONCE_LEN: usize = 12;
/// Length of a key, bytes (AES-256).
pub const KEY_LEN: usize = 32;
/// Length of the Argon2id salt, bytes.
pub const SALT_LEN: usize = 16;

/// Argon2id cost parameters, stored in the vault header so they can be raised later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory, KiB.
    pub m_kib: u32,
    /// Passes over the memory.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl KdfParams {
    /// The product default: 64 MiB, 3 passes, 1 lane (OWASP's Argon2id baseline is
    /// 19 MiB/2 passes; we spend more because unlocking happens rarely).
    pub const DEFAULT: KdfParams = KdfParams {
        m_kib: 64 * 1024,
        t: 3,
        p: 1,
    };

    /// Tiny parameters for tests only (`QUZHENG_TEST_FAST_KDF=1`): a vault made with
    /// these records them, so nothing pretends to be stronger than it is.
    pub const FAST_FOR_TESTS: KdfParams = KdfParams {
        m_kib: 256,
        t: 1,
        p: 1,
    };

    /// Whether these parameters meet the product minimum (64 MiB, 3 passes).
    pub fn is_strong(&self) -> bool {
        self.m_kib >= Self::DEFAULT.m_kib && self.t >= Self::DEFAULT.t
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A 32-byte secret that is wiped when dropped.
pub type SecretKey = Zeroizing<[u8; KEY_LEN]>;

/// Derives the key-encryption key from a passphrase. `None` when the parameters are
/// outside what Argon2 accepts (only possible with a damaged or hostile header).
pub fn derive_kek(passphrase: &str, salt: &[u8], params: KdfParams) -> Option<SecretKey> {
    let p = argon2::Params::new(params.m_kib, params.t, params.p, Some(KEY_LEN)).ok()?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, p);
    let mut out: SecretKey = Zeroizing::new([0u8; KEY_LEN]);
    a.hash_password_into(passphrase.as_bytes(), salt, &mut out[..])
        .ok()?;
    Some(out)
}

/// Fresh random bytes from the operating system's CSPRNG (via `rand`'s thread RNG, which is
/// ChaCha12 reseeded from the OS).
pub fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::thread_rng().fill_bytes(&mut b);
    b
}

/// A fresh random data key.
pub fn new_data_key() -> SecretKey {
    let mut k: SecretKey = Zeroizing::new([0u8; KEY_LEN]);
    rand::rngs::OsRng.fill_bytes(&mut k[..]);
    k
}

/// HMAC-SHA-256 (RFC 2104) over the concatenation of `parts`.
///
/// Written out here (a dozen lines) rather than adding a crate; tested against RFC 4231.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k0 = Zeroizing::new([0u8; BLOCK]);
    if key.len() > BLOCK {
        k0[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k0[..key.len()].copy_from_slice(key);
    }
    let mut ipad = Zeroizing::new([0x36u8; BLOCK]);
    let mut opad = Zeroizing::new([0x5cu8; BLOCK]);
    for i in 0..BLOCK {
        ipad[i] ^= k0[i];
        opad[i] ^= k0[i];
    }
    let mut inner = Sha256::new();
    inner.update(&ipad[..]);
    for p in parts {
        inner.update(p);
    }
    let ih = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(&opad[..]);
    outer.update(ih);
    outer.finalize().into()
}

/// The keys an unlocked vault works with, all derived from the data key.
pub struct Keys {
    /// The data key itself (kept to re-wrap it on `passwd`).
    data_key: SecretKey,
    /// Seals and opens records.
    cipher: Aes256Gcm,
    /// Keys the dedup index (HMAC over `Message::fingerprint()`).
    fp_key: SecretKey,
    /// Keys the MAC over the chain head.
    head_key: SecretKey,
}

impl Keys {
    /// Derives the working keys from a data key.
    pub fn from_data_key(data_key: SecretKey) -> Keys {
        let sub =
            |label: &[u8]| -> SecretKey { Zeroizing::new(hmac_sha256(&data_key[..], &[label])) };
        let enc = sub(b"quzheng/record-key/v1");
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&enc[..]));
        Keys {
            fp_key: sub(b"quzheng/dedup-key/v1"),
            head_key: sub(b"quzheng/head-key/v1"),
            cipher,
            data_key,
        }
    }

    /// Seals `plaintext` bound to `aad` with a fresh random nonce.
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> ([u8; NONCE_LEN], Vec<u8>) {
        let nonce: [u8; NONCE_LEN] = random();
        let ct = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .expect("AES-GCM encryption only fails for inputs over 64 GiB, and records are chunked to 1 MiB");
        (nonce, ct)
    }

    /// Opens a record; `None` when the tag does not verify (damage or tampering).
    pub fn open(&self, aad: &[u8], nonce: &[u8], ct: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        if nonce.len() != NONCE_LEN {
            return None;
        }
        self.cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad })
            .ok()
            .map(Zeroizing::new)
    }

    /// The keyed dedup index of a message fingerprint: not a plain hash of the content, so
    /// the index reveals nothing to someone who guesses a message.
    pub fn dedup_index(&self, fingerprint: &[u8; 32]) -> [u8; 32] {
        hmac_sha256(&self.fp_key[..], &[fingerprint])
    }

    /// MAC over the chain head (record count and last hash).
    pub fn head_mac(&self, seq: i64, hash: &[u8]) -> [u8; 32] {
        hmac_sha256(&self.head_key[..], &[b"head", &seq.to_be_bytes(), hash])
    }

    /// Wraps the data key under `kek`, bound to `aad` (the KDF parameters and salt).
    pub fn wrap(&self, kek: &SecretKey, aad: &[u8]) -> ([u8; NONCE_LEN], Vec<u8>) {
        let c = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&kek[..]));
        let nonce: [u8; NONCE_LEN] = random();
        let ct = c
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &self.data_key[..],
                    aad,
                },
            )
            .expect("wrapping 32 bytes cannot exceed AES-GCM limits");
        (nonce, ct)
    }
}

/// Unwraps a data key; `None` when the tag fails (wrong passphrase, given the header
/// checksum already matched).
pub fn unwrap_key(kek: &SecretKey, aad: &[u8], nonce: &[u8], ct: &[u8]) -> Option<SecretKey> {
    if nonce.len() != NONCE_LEN {
        return None;
    }
    let c = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&kek[..]));
    let pt = Zeroizing::new(
        c.decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad })
            .ok()?,
    );
    if pt.len() != KEY_LEN {
        return None;
    }
    let mut k: SecretKey = Zeroizing::new([0u8; KEY_LEN]);
    k.copy_from_slice(&pt);
    Some(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn hmac_hashes_long_keys_first() {
        // RFC 4231 test case 6: 131-byte key.
        let key = [0xaau8; 131];
        let mac = hmac_sha256(
            &key,
            &[b"Test Using Larger Than Block-Size Key - Hash Key First"],
        );
        assert_eq!(
            hex::encode(mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn sealed_records_need_the_same_aad() {
        let k = Keys::from_data_key(new_data_key());
        let (n, ct) = k.seal(b"message/1", b"hello");
        assert_eq!(&k.open(b"message/1", &n, &ct).unwrap()[..], b"hello");
        assert!(k.open(b"message/2", &n, &ct).is_none());
        let mut bad = ct.clone();
        bad[0] ^= 1;
        assert!(k.open(b"message/1", &n, &bad).is_none());
    }

    #[test]
    fn wrapped_key_opens_only_with_the_same_kek() {
        let k = Keys::from_data_key(new_data_key());
        let salt: [u8; SALT_LEN] = random();
        let kek = derive_kek("pass", &salt, KdfParams::FAST_FOR_TESTS).unwrap();
        let (n, w) = k.wrap(&kek, b"aad");
        assert!(unwrap_key(&kek, b"aad", &n, &w).is_some());
        let other = derive_kek("Pass", &salt, KdfParams::FAST_FOR_TESTS).unwrap();
        assert!(unwrap_key(&other, b"aad", &n, &w).is_none());
    }
}
