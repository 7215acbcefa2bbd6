import Geometry

/// Validated JSON scalars for the readers' `Decodable` types: each refuses what the old hand-written reader refused,
/// with a message for the value's coding path (see ``JSONValueProblem``). A `null` is reported as missing.

/// A finite number.
struct FiniteNumber: Decodable {
    var value: Double

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { throw JSONValueProblem(decoder, "missing") }
        guard let value = try? container.decode(Double.self), value.isFinite else { throw JSONValueProblem(decoder, "expected a number") }
        self.value = value
    }
}

/// An integer written as a JSON number without fraction, within ±10¹⁵ (exact in Double; ids and counts).
struct IntegerNumber: Decodable {
    /// Largest magnitude accepted.
    static let limit = 1e15
    var value: Int

    init(from decoder: any Decoder) throws {
        let number = try FiniteNumber(from: decoder).value
        guard number == number.rounded(), abs(number) < Self.limit else { throw JSONValueProblem(decoder, "expected an integer") }
        value = Int(number)
    }
}

/// A flag written as `true`/`false` or `0`/`1` (COCO's `iscrowd`).
struct Flag: Decodable {
    var value: Bool

    init(from decoder: any Decoder) throws {
        if let flag = try? decoder.singleValueContainer().decode(Bool.self) {
            value = flag
            return
        }
        let number = try IntegerNumber(from: decoder).value
        guard number == 0 || number == 1 else { throw JSONValueProblem(decoder, "expected 0 or 1") }
        value = number == 1
    }
}

/// An image id written as a string or as an integer (COCO results use numbers, VOC-style sets names).
struct ImageKey: Decodable {
    var value: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            value = text
        } else if container.decodeNil() {
            throw JSONValueProblem(decoder, "missing")
        } else if (try? container.decode(Double.self)) == nil {
            throw JSONValueProblem(decoder, "expected a string or an integer")
        } else {
            value = String(try IntegerNumber(from: decoder).value)
        }
    }
}

/// Exactly four finite numbers; the count is checked before any element is decoded.
enum FourNumbers {
    /// The four numbers of the array at `decoder`; `meaning` names them in the error (`[x, y, width, height]`).
    static func decode(_ decoder: any Decoder, meaning: String) throws -> (Double, Double, Double, Double) {
        if (try? decoder.singleValueContainer().decodeNil()) == true { throw JSONValueProblem(decoder, "missing") }
        var container = try decoder.unkeyedContainer()
        guard container.count == 4 else {
            throw JSONValueProblem(decoder, "expected 4 numbers \(meaning), got \(container.count ?? 0)")
        }
        let a = try container.decode(FiniteNumber.self).value, b = try container.decode(FiniteNumber.self).value
        let c = try container.decode(FiniteNumber.self).value, d = try container.decode(FiniteNumber.self).value
        return (a, b, c, d)
    }
}

/// A COCO box `[x, y, width, height]` with width, height ≥ 0, as corners.
struct COCOBox: Decodable {
    var box: Box

    init(from decoder: any Decoder) throws {
        let (x, y, width, height) = try FourNumbers.decode(decoder, meaning: "[x, y, width, height]")
        guard width >= 0, height >= 0 else { throw JSONValueProblem(decoder, "expected [x, y, width, height] with width, height ≥ 0") }
        box = Box(x: x, y: y, width: width, height: height)
    }
}

/// A corner box `[x1, y1, x2, y2]` (`ssdd detect` records).
struct CornerBox: Decodable {
    var box: Box

    init(from decoder: any Decoder) throws {
        let (x1, y1, x2, y2) = try FourNumbers.decode(decoder, meaning: "[x1, y1, x2, y2]")
        box = Box(x1: x1, y1: y1, x2: x2, y2: y2)
    }
}
