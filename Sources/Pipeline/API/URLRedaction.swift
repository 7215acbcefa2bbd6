import Foundation

/// Credentials taken out of stream and broker URLs before they leave the daemon (API answers, the configuration JSON).
enum URLRedaction {
    /// What replaces a password.
    static let mask = "***"

    /// `url` with the password of its userinfo replaced by ``mask``: `rtsp://admin:secret@cam/s1` becomes
    /// `rtsp://admin:***@cam/s1`; a userinfo without a password (`rtsp://token@cam/`) is replaced whole
    /// (`rtsp://***@cam/`), since a lone userinfo is often a token. A URL without userinfo, a file path or a device
    /// comes back unchanged.
    static func redacting(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let authorityStart = schemeEnd.upperBound
        // The authority ends at the first '/', '?' or '#' after the scheme; a password may hold neither unescaped.
        let rest = url[authorityStart...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? url.endIndex
        let authority = url[authorityStart..<authorityEnd]
        // The userinfo ends at the last '@' of the authority (an unescaped '@' in a password is common enough).
        guard let at = authority.lastIndex(of: "@") else { return url }
        let userinfo = authority[..<at]
        let redacted: String
        if let colon = userinfo.firstIndex(of: ":") {
            redacted = "\(userinfo[..<colon]):\(mask)"
        } else {
            redacted = mask
        }
        return String(url[..<authorityStart]) + redacted + String(url[at...])
    }

    /// `text` with the password of every URL in it masked (an error message naming the URL it failed on): each
    /// `scheme://user:password@host` becomes `scheme://user:***@host`. Text without `://` comes back unchanged.
    static func redactingURLs(in text: String) -> String {
        guard text.contains("://") else { return text }
        var result = ""
        var rest = Substring(text)
        while let separator = rest.range(of: "://") {
            // The URL runs from its scheme (letters, digits, '+', '-', '.') to the next blank or quote.
            let schemeStart =
                rest[..<separator.lowerBound].lastIndex { !($0.isLetter || $0.isNumber || "+-.".contains($0)) }
                .map { rest.index(after: $0) } ?? rest.startIndex
            let end = rest[separator.upperBound...].firstIndex { $0.isWhitespace || "\"'<>`".contains($0) } ?? rest.endIndex
            result += rest[..<schemeStart]
            result += redacting(String(rest[schemeStart..<end]))
            rest = rest[end...]
        }
        return result + rest
    }
}
