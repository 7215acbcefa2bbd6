/// Parameters that training must not change, selected by name prefix (e.g. `backbone.` to train only the heads of an
/// imported model, or `backbone.features.0` for torchvision's `trainable_backbone_layers`).
public struct FrozenParameters: Sendable, Equatable {
    /// Name prefixes; a parameter whose name starts with any of them is frozen.
    public var prefixes: [String]

    public init(prefixes: [String] = []) {
        self.prefixes = prefixes
    }

    /// Nothing frozen.
    public static let none = FrozenParameters()

    /// Whether `name` is frozen.
    public func contains(_ name: String) -> Bool { prefixes.contains { name.hasPrefix($0) } }

    /// Whether `name` is trained (the complement of ``contains(_:)``).
    public func isTrainable(_ name: String) -> Bool { !contains(name) }
}
