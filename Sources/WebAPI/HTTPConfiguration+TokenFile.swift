extension HTTPConfiguration {
    /// Reads `token_file` exactly as the server will when it starts (first line, 16–4096 token characters; see
    /// `AccessToken`) and throws what is wrong with it; nothing without a token file. For `ssdd config check`. The
    /// token itself is never part of the error.
    /// - Throws: `WebAPIError.tokenFile`, whose `key` is `http.token_file`.
    public func checkTokenFile() throws(WebAPIError) {
        guard let tokenFile else { return }
        _ = try AccessToken.load(path: tokenFile)
    }
}
