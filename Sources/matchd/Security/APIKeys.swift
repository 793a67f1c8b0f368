import Crypto
import Foundation

/// API keys: 32 random bytes, shown once as `mk_<base64url>`; the store keeps only their SHA-256.
enum APIKeys {
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "mk_" + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Hex SHA-256 of the key. Keys are high-entropy, so a fast unsalted hash is enough to make
    /// a stolen store useless for logging in.
    static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A short random id (`prefix` + 12 hex digits) for keys and generated records.
    static func newID(_ prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return prefix + String(UInt64.random(in: 0...UInt64.max, using: &generator) & 0xFFFF_FFFF_FFFF, radix: 16)
    }
}

/// Incremental SHA-256, hex-encoded.
struct SHA256Hasher {
    private var hasher = SHA256()
    mutating func update(_ data: Data) { hasher.update(data: data) }
    var hex: String { hasher.finalize().map { String(format: "%02x", $0) }.joined() }
}
