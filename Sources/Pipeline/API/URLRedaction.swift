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
}
