import Foundation

extension Subscription {
    /// Why a subscription message was refused; `description` is the reason sent back in the `error` line.
    public struct DecodingProblem: Error, Sendable, CustomStringConvertible {
        /// `malformed subscription: …` with what is wrong and where.
        public let description: String
    }

    /// Decodes a subscription sent by a client (one line without its newline, or one WebSocket text message).
    ///
    /// The Unix socket and the WebSocket feed share this, so both refuse the same input with the same words.
    public static func decode(line: [UInt8]) -> Result<Subscription, DecodingProblem> {
        do {
            return .success(try JSONDecoder().decode(Subscription.self, from: Data(line)))
        } catch {
            return .failure(DecodingProblem(description: "malformed subscription: " + describe(error, line: line)))
        }
    }

    private static func describe(_ error: any Error, line: [UInt8]) -> String {
        switch error {
        case let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty:
            // The decoder only says "not valid JSON"; the parser says where and why.
            do {
                _ = try JSONSerialization.jsonObject(with: Data(line))
            } catch {
                if let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String {
                    return "not valid JSON: \(detail)"
                }
            }
            return "not valid JSON"
        case let DecodingError.dataCorrupted(context), let DecodingError.typeMismatch(_, context),
            let DecodingError.valueNotFound(_, context), let DecodingError.keyNotFound(_, context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return [path.isEmpty ? nil : path, context.debugDescription].compactMap { $0 }.joined(separator: ": ")
        default:
            return "\(error)"
        }
    }
}
