/// Little-endian element decoding for the float types safetensors may hold.
enum FloatConversion {
    /// Decodes `count` elements of `dtype` from `raw` (unaligned access allowed) into float32.
    static func floats(from raw: UnsafeRawBufferPointer, dtype: SafeTensorsDType, count: Int) -> [Float] {
        switch dtype {
        case .float32:
            return (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        case .float64:
            return (0..<count).map {
                Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))))
            }
        case .bfloat16:
            return (0..<count).map {
                Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) << 16)
            }
        case .float16:
            return (0..<count).map {
                halfToFloat(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)))
            }
        default:
            preconditionFailure("FloatConversion called with non-float dtype \(dtype); callers check convertsToFloat32")
        }
    }

    /// IEEE 754 binary16 → binary32, exact for every value (subnormals, infinities and NaN included).
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        var mantissa = UInt32(bits) & 0x3FF
        switch exponent {
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        case 0:
            guard mantissa != 0 else { return Float(bitPattern: sign) }
            var shift: UInt32 = 0
            while mantissa & 0x400 == 0 {
                mantissa <<= 1
                shift += 1
            }
            mantissa &= 0x3FF
            return Float(bitPattern: sign | (113 - shift) << 23 | mantissa << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }
}
