/// The one error type of `ModelStore`: reading or writing safetensors and native model files.
///
/// Each message names the file (and tensor, where there is one), says what was expected and what was found, and how to
/// fix it. Cases are private so new ones can be added without breaking callers; compare errors with `==`.
public struct ModelStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    private enum Kind: Equatable, Sendable {
        case cannotOpen(file: String, reason: String)
        case cannotWrite(file: String, reason: String)
        case fileTooShort(file: String, size: Int)
        case headerPastEnd(file: String, headerLength: UInt64, fileSize: Int)
        case malformedHeader(file: String, reason: String)
        case malformedTensorEntry(file: String, tensor: String, reason: String)
        case unknownDType(file: String, tensor: String, dtype: String)
        case invalidShape(file: String, tensor: String, shape: [Int])
        case offsetsOutOfRange(file: String, tensor: String, begin: Int, end: Int, dataSize: Int)
        case byteCountMismatch(file: String, tensor: String, dtype: String, shape: [Int], expected: Int, actual: Int)
        case overlappingTensors(file: String, first: String, second: String)
        case missingTensor(file: String, tensor: String)
        case unsupportedDType(file: String, tensor: String, dtype: String, supported: String)
        case missingMetadata(file: String, key: String)
        case unsupportedFormatVersion(file: String, found: String, supported: String)
        case invalidMetadata(file: String, key: String, reason: String)
        case invalidParameter(tensor: String, reason: String)
        case parameterShape(file: String, tensor: String, node: String, expected: String, actual: [Int])
        case invalidCalibration(file: String, key: String, reason: String)
    }

    private let kind: Kind

    private init(_ kind: Kind) {
        self.kind = kind
    }

    /// The file could not be opened or mapped.
    public static func cannotOpen(file: String, reason: String) -> Self { Self(.cannotOpen(file: file, reason: reason)) }
    /// The file could not be created or written.
    public static func cannotWrite(file: String, reason: String) -> Self { Self(.cannotWrite(file: file, reason: reason)) }
    /// The file has fewer than the 8 bytes of the header-length prefix.
    public static func fileTooShort(file: String, size: Int) -> Self { Self(.fileTooShort(file: file, size: size)) }
    /// The header-length prefix points past the end of the file.
    public static func headerPastEnd(file: String, headerLength: UInt64, fileSize: Int) -> Self {
        Self(.headerPastEnd(file: file, headerLength: headerLength, fileSize: fileSize))
    }
    /// The JSON header is not valid UTF-8 JSON of the safetensors shape.
    public static func malformedHeader(file: String, reason: String) -> Self {
        Self(.malformedHeader(file: file, reason: reason))
    }
    /// One tensor entry of the header lacks or mistypes `dtype`, `shape` or `data_offsets`.
    public static func malformedTensorEntry(file: String, tensor: String, reason: String) -> Self {
        Self(.malformedTensorEntry(file: file, tensor: tensor, reason: reason))
    }
    /// A tensor's dtype is not a safetensors dtype.
    public static func unknownDType(file: String, tensor: String, dtype: String) -> Self {
        Self(.unknownDType(file: file, tensor: tensor, dtype: dtype))
    }
    /// A tensor's shape has a negative dimension or its element count overflows.
    public static func invalidShape(file: String, tensor: String, shape: [Int]) -> Self {
        Self(.invalidShape(file: file, tensor: tensor, shape: shape))
    }
    /// A tensor's `data_offsets` are reversed or reach past the data section.
    public static func offsetsOutOfRange(file: String, tensor: String, begin: Int, end: Int, dataSize: Int) -> Self {
        Self(.offsetsOutOfRange(file: file, tensor: tensor, begin: begin, end: end, dataSize: dataSize))
    }
    /// A tensor's byte range does not equal element count × dtype size.
    public static func byteCountMismatch(
        file: String, tensor: String, dtype: String, shape: [Int], expected: Int, actual: Int
    ) -> Self {
        Self(.byteCountMismatch(file: file, tensor: tensor, dtype: dtype, shape: shape, expected: expected, actual: actual))
    }
    /// Two tensors share bytes.
    public static func overlappingTensors(file: String, first: String, second: String) -> Self {
        Self(.overlappingTensors(file: file, first: first, second: second))
    }
    /// A tensor was asked for (by name or by the network graph) but the file does not hold it.
    public static func missingTensor(file: String, tensor: String) -> Self { Self(.missingTensor(file: file, tensor: tensor)) }
    /// A tensor exists but has a dtype this operation cannot use.
    public static func unsupportedDType(file: String, tensor: String, dtype: String, supported: String) -> Self {
        Self(.unsupportedDType(file: file, tensor: tensor, dtype: dtype, supported: supported))
    }
    /// A native model file lacks one of the `ssdd.*` metadata keys.
    public static func missingMetadata(file: String, key: String) -> Self { Self(.missingMetadata(file: file, key: key)) }
    /// A native model file states a format version this build does not read.
    public static func unsupportedFormatVersion(file: String, found: String, supported: String) -> Self {
        Self(.unsupportedFormatVersion(file: file, found: found, supported: supported))
    }
    /// A metadata value (graph or manifest JSON) does not decode.
    public static func invalidMetadata(file: String, key: String, reason: String) -> Self {
        Self(.invalidMetadata(file: file, key: key, reason: reason))
    }
    /// A parameter handed to the writer is inconsistent (values count vs shape, duplicate or reserved name).
    public static func invalidParameter(tensor: String, reason: String) -> Self {
        Self(.invalidParameter(tensor: tensor, reason: reason))
    }

    /// A tensor the graph uses has a shape that does not fit its node (`expected` may contain `*` for free dimensions).
    public static func parameterShape(file: String, tensor: String, node: String, expected: String, actual: [Int]) -> Self {
        Self(.parameterShape(file: file, tensor: tensor, node: node, expected: expected, actual: actual))
    }

    /// The manifest's calibration (``ModelCalibration``) states a value that cannot be used.
    public static func invalidCalibration(file: String, key: String, reason: String) -> Self {
        Self(.invalidCalibration(file: file, key: key, reason: reason))
    }

    public var description: String {
        switch kind {
        case .cannotOpen(let file, let reason):
            return "cannot open '\(file)': \(reason)"
        case .cannotWrite(let file, let reason):
            return "cannot write '\(file)': \(reason)"
        case .fileTooShort(let file, let size):
            return "'\(file)' is not a safetensors file: it has \(size) bytes, fewer than the 8-byte header length; "
                + "the file is truncated or not a model"
        case .headerPastEnd(let file, let headerLength, let fileSize):
            return "'\(file)' is not a valid safetensors file: header length \(headerLength) reaches past the end of "
                + "the \(fileSize)-byte file; the file is truncated or not a model"
        case .malformedHeader(let file, let reason):
            return "'\(file)' has a malformed safetensors header: \(reason)"
        case .malformedTensorEntry(let file, let tensor, let reason):
            return "'\(file)': header entry of tensor '\(tensor)' is malformed: \(reason)"
        case .unknownDType(let file, let tensor, let dtype):
            return "'\(file)': tensor '\(tensor)' has unknown dtype '\(dtype)'; expected one of "
                + SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
        case .invalidShape(let file, let tensor, let shape):
            return "'\(file)': tensor '\(tensor)' has invalid shape \(shape) (negative dimension or too many elements)"
        case .offsetsOutOfRange(let file, let tensor, let begin, let end, let dataSize):
            return "'\(file)': tensor '\(tensor)' has data_offsets [\(begin), \(end)] outside the \(dataSize)-byte "
                + "data section; the file is truncated or corrupt"
        case .byteCountMismatch(let file, let tensor, let dtype, let shape, let expected, let actual):
            return "'\(file)': tensor '\(tensor)' (\(dtype) \(shape)) needs \(expected) bytes but data_offsets span "
                + "\(actual); the header is corrupt"
        case .overlappingTensors(let file, let first, let second):
            return "'\(file)': tensors '\(first)' and '\(second)' overlap in the data section; the header is corrupt"
        case .missingTensor(let file, let tensor):
            return "'\(file)' has no tensor '\(tensor)'; re-import the model with `ssdd model import`"
        case .unsupportedDType(let file, let tensor, let dtype, let supported):
            return "'\(file)': tensor '\(tensor)' has dtype \(dtype), expected \(supported); convert the weights to "
                + "float32 (re-import with `ssdd model import`)"
        case .missingMetadata(let file, let key):
            return "'\(file)' is a safetensors file but not an ssdd model: metadata key '\(key)' is missing; "
                + "create it with `ssdd model import`"
        case .unsupportedFormatVersion(let file, let found, let supported):
            return "'\(file)' has ssdd.format '\(found)', this build reads '\(supported)'; re-import the model"
        case .invalidMetadata(let file, let key, let reason):
            return "'\(file)': metadata '\(key)' does not decode: \(reason); re-import the model"
        case .invalidParameter(let tensor, let reason):
            return "parameter '\(tensor)': \(reason)"
        case .invalidCalibration(let file, let key, let reason):
            return "'\(file)': calibration '\(key)' \(reason); run `ssdd model calibrate` again on the fp32 model"
        case .parameterShape(let file, let tensor, let node, let expected, let actual):
            return "'\(file)': tensor '\(tensor)' used by node '\(node)' has shape \(actual), expected \(expected); "
                + "the graph and weights disagree, re-import the model"
        }
    }
}
