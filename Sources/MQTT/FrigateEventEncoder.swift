import Foundation

/// Encodes ``FrigateEvent``s as compact JSON with sorted keys (the same event always gives the same bytes).
enum FrigateEventEncoder {
    /// The event's JSON, or nil if it holds a number JSON cannot carry (NaN or infinity).
    static func encode(_ event: FrigateEvent) -> [UInt8]? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(event)).map { Array($0) }
    }
}
