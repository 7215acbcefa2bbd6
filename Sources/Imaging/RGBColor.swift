/// An 8-bit RGB colour for drawing on an ``RGBImage``.
public struct RGBColor: Sendable, Hashable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    public static let black = RGBColor(red: 0, green: 0, blue: 0)
    public static let white = RGBColor(red: 255, green: 255, blue: 255)
    public static let red = RGBColor(red: 255, green: 0, blue: 0)
    public static let green = RGBColor(red: 0, green: 255, blue: 0)
    public static let blue = RGBColor(red: 0, green: 0, blue: 255)
    public static let yellow = RGBColor(red: 255, green: 255, blue: 0)
}
