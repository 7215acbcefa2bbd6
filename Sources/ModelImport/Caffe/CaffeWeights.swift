/// The blobs of a caffemodel by layer name, from its `layer` (current) and `layers` (V1) lists.
///
/// A released SSD caffemodel is a training snapshot: it also holds data, loss and other layers the deploy prototxt
/// does not have. Those are never looked at; only the layers the prototxt names are read, and their blobs are
/// checked against the shapes the prototxt implies before any value is used.
struct CaffeWeights {
    /// Blobs per layer name (the first layer of that name with blobs wins).
    private var blobs: [String: [Caffe_BlobProto]] = [:]
    /// The caffemodel's path, for errors.
    let file: String
    let limits: CaffeReadLimits

    init(_ net: Caffe_NetParameter, file: String, limits: CaffeReadLimits) {
        self.file = file
        self.limits = limits
        for layer in net.layer where !layer.blobs.isEmpty && blobs[layer.name] == nil {
            blobs[layer.name] = layer.blobs
        }
        for layer in net.layers where !layer.blobs.isEmpty && blobs[layer.name] == nil {
            blobs[layer.name] = layer.blobs
        }
    }

    /// Layer names with blobs.
    var layerNames: [String] { blobs.keys.sorted() }

    /// The values of blob `index` of `layer`, which must have shape `expected` (a 1-D expectation also accepts a
    /// legacy 4-D shape `[1, 1, 1, n]`).
    func values(_ layer: Caffe_LayerParameter, blob index: Int, expected: [Int], role: String) throws -> [Float] {
        func fail(_ reason: String) -> ModelImportError {
            ModelImportError.caffeLayer(file: file, layer: layer.name, type: layer.type, reason: reason)
        }
        guard let list = blobs[layer.name] else {
            throw fail("the caffemodel has no blobs for this layer (the \(role) is needed); is it the caffemodel of this prototxt?")
        }
        guard index < list.count else {
            throw fail("the caffemodel holds \(list.count) blob(s) for this layer, the \(role) is blob \(index)")
        }
        let blob = list[index]
        let shape = try Self.shape(of: blob, limits: limits) { fail("blob \(index) (\(role)): \($0)") }
        let matches =
            shape == expected
            || (expected.count == 1 && shape.count > 1 && shape.dropLast().allSatisfy { $0 == 1 } && shape.last == expected[0])
        guard matches else {
            throw fail("blob \(index) (\(role)) has shape \(shape), expected \(expected)")
        }
        return try CaffeBlobValues.floats(of: blob, count: expected.reduce(1, *), limits: limits) {
            fail("blob \(index) (\(role)), shape \(shape), \($0)")
        }
    }

    /// Whether the caffemodel has blobs for `layer`.
    func hasBlobs(for layer: String) -> Bool { blobs[layer] != nil }

    /// Number of blobs stored for `layer`.
    func blobCount(for layer: String) -> Int { blobs[layer]?.count ?? 0 }

    /// The blob's shape (`shape.dim`, or the legacy num/channels/height/width), each dimension and the element count
    /// checked against the limits.
    static func shape(
        of blob: Caffe_BlobProto, limits: CaffeReadLimits, fail: (String) -> ModelImportError
    ) throws -> [Int] {
        let dims: [Int64] =
            blob.hasShape
            ? blob.shape.dim : [Int64(blob.num), Int64(blob.channels), Int64(blob.height), Int64(blob.width)]
        guard dims.count <= limits.maximumBlobRank else {
            throw fail("has \(dims.count) dimensions, at most \(limits.maximumBlobRank) are accepted")
        }
        var count = 1
        for dim in dims {
            guard dim >= 0, dim <= Int64(limits.maximumBlobElements) else {
                throw fail("has dimension \(dim), expected 0...\(limits.maximumBlobElements)")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(dim))
            guard !overflow, product <= limits.maximumBlobElements else {
                throw fail("shape \(dims) has more than the \(limits.maximumBlobElements) elements accepted")
            }
            count = product
        }
        return dims.map { Int($0) }
    }
}
