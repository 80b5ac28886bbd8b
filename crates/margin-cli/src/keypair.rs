//! Keypairs in the Solana CLI's file format: a JSON array of the 64 secret-key bytes.
use solana_sdk::signature::Keypair;
use std::path::Path;

/// The keypair in `path`, or an error naming the file and what is wrong with it.
pub fn read(path: &Path) -> Result<Keypair, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
    let bytes: Vec<u8> = serde_json::from_str(&text)
        .map_err(|error| format!("{}: not a Solana CLI keypair (a JSON array of 64 bytes): {error}", path.display()))?;
    Keypair::try_from(bytes.as_slice())
        .map_err(|error| format!("{}: not a valid keypair ({} bytes): {error}", path.display(), bytes.len()))
}

/// Writes `keypair` to `path` in the same format.
pub fn write(keypair: &Keypair, path: &Path) -> Result<(), String> {
    let text = serde_json::to_string(&keypair.to_bytes().to_vec()).map_err(|error| error.to_string())?;
    std::fs::write(path, text).map_err(|error| format!("{}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_sdk::signature::Signer;

    #[test]
    fn a_keypair_round_trips_and_a_bad_file_is_named() {
        let folder = std::env::temp_dir().join(format!("margin-keypair-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let (good, bad) = (folder.join("id.json"), folder.join("bad.json"));
        let keypair = Keypair::new();
        write(&keypair, &good).unwrap();
        assert_eq!(read(&good).unwrap().pubkey(), keypair.pubkey());
        std::fs::write(&bad, "[1, 2, 3]").unwrap();
        let error = read(&bad).err().unwrap();
        assert!(error.contains("bad.json") && error.contains("3 bytes"), "{error}");
    }
}
