/// Words for a POSIX shell (`sh`, `bash`, `dash`, `zsh`) built from bytes, never from `Character`s.
///
/// A value made only of plain printable ASCII (and, where allowed, line feeds) goes in single quotes, where the
/// shell changes nothing; a `'` byte becomes `'\''`. Anything else — control bytes, bytes of 0x80 and above, which
/// some shells and locales read as parts of multi-byte characters — is carried as base64 and decoded by
/// `base64 -d` when the command runs, so no byte of the value is ever parsed by the shell.
public enum ShellQuoting {
    /// Whether `bytes` may travel in single quotes: 0x20–0x7E, and line feeds when `allowingLineFeeds`.
    public static func isPlain(_ bytes: some Sequence<UInt8>, allowingLineFeeds: Bool = false) -> Bool {
        bytes.allSatisfy { byte in
            (0x20...0x7e).contains(byte) || (allowingLineFeeds && byte == UInt8(ascii: "\n"))
        }
    }

    /// Plain `bytes` in single quotes; a `'` byte becomes `'\''`. Call only when `isPlain` holds.
    public static func singleQuoted(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = [UInt8(ascii: "'")]
        for byte in bytes {
            if byte == UInt8(ascii: "'") {
                out.append(contentsOf: "'\\''".utf8)
            } else {
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "'"))
        return String(decoding: out, as: UTF8.self)
    }

    /// One shell word that expands to `bytes`: single-quoted when plain printable ASCII, else
    /// `"$(printf '%s' 'BASE64' | base64 -d)"`. A command substitution cannot carry NUL bytes or trailing line
    /// feeds; a value that needs them (a body) should be piped instead, as `pipedFromBase64` does.
    public static func word(_ bytes: some Collection<UInt8>) -> String {
        if isPlain(bytes) { return singleQuoted(bytes) }
        return "\"$(" + pipedFromBase64(bytes) + ")\""
    }

    /// One shell word that expands to `text`'s UTF-8 bytes.
    public static func word(_ text: String) -> String {
        word(Array(text.utf8))
    }

    /// A pipeline that writes exactly `bytes` to its standard output: `printf '%s' 'BASE64' | base64 -d`.
    public static func pipedFromBase64(_ bytes: some Collection<UInt8>) -> String {
        "printf '%s' " + singleQuoted(Base64.encode(Array(bytes)).utf8) + " | base64 -d"
    }
}
