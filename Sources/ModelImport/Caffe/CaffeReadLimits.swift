/// Limits fixed before a Caffe file is decoded or a blob converted, so a hostile file gets an error instead of
/// exhausting memory: file sizes, layer counts, blob ranks, dimensions and element counts.
struct CaffeReadLimits: Sendable {
    /// Largest deploy prototxt read (released SSD deploy files are 20 to 60 KiB).
    var maximumPrototxtBytes = 16 << 20
    /// Largest caffemodel read (SSD512-VGG16 VOC is about 110 MB).
    var maximumCaffemodelBytes = 1 << 31
    /// Most layers a net may have (SSD300-VGG16 deploy: about 110; a training snapshot: about 130).
    var maximumLayers = 10_000
    /// Most dimensions of a blob.
    var maximumBlobRank = 4
    /// Most elements of one blob (fc6 of VGG16 reduced: 4.7 M; SSD conv heads: under 5 M).
    var maximumBlobElements = 1 << 28
    /// Largest input height or width.
    var maximumInputSide = 4096
    /// Deepest nesting of messages the protobuf decoders accept.
    var maximumMessageDepth = 32

    static let standard = CaffeReadLimits()
}
