import Foundation
import Imaging

/// Writes samples in PASCAL VOC layout: `Annotations/<id>.xml`, `JPEGImages/<id>.png` (lossless PNG despite the
/// folder's name; readers go by the annotation's `filename`), `ImageSets/Main/<split>.txt` and `labels.txt`.
///
/// Boxes become VOC's 1-based inclusive integers: `xmin = x1 + 1`, `xmax = x2` (``DetectionSample``'s convention),
/// so integer boxes survive a write–read round trip exactly.
public struct VOCDatasetWriter: Sendable {
    public var root: URL
    /// Class name per slot − 1.
    public var labels: [String]

    public init(root: URL, labels: [String]) {
        self.root = root
        self.labels = labels
    }

    /// Writes `samples` with ids `prefix000000…`, and one image-set file per split (name → sample indices).
    public func write(_ samples: [DetectionSample], splits: [String: Range<Int>], prefix: String = "") throws {
        let fm = FileManager.default
        for folder in ["Annotations", "JPEGImages", "ImageSets/Main"] {
            try fm.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        var ids: [String] = []
        for (index, sample) in samples.enumerated() {
            let id = prefix + String(repeating: "0", count: max(0, 6 - String(index).count)) + String(index)
            ids.append(id)
            try Data(PNGEncoder.encode(sample.image)).write(to: root.appendingPathComponent("JPEGImages/\(id).png"))
            try Data(annotation(sample, id: id).utf8).write(to: root.appendingPathComponent("Annotations/\(id).xml"))
        }
        for (split, range) in splits {
            let lines = range.clamped(to: 0..<samples.count).map { ids[$0] + "\n" }.joined()
            try Data(lines.utf8).write(to: root.appendingPathComponent("ImageSets/Main/\(split).txt"))
        }
        try Data(labels.map { $0 + "\n" }.joined().utf8).write(to: root.appendingPathComponent("labels.txt"))
    }

    /// The annotation XML of one sample.
    func annotation(_ sample: DetectionSample, id: String) -> String {
        var xml = "<annotation>\n  <folder>JPEGImages</folder>\n  <filename>\(id).png</filename>\n"
        xml += "  <size><width>\(sample.image.width)</width><height>\(sample.image.height)</height><depth>3</depth></size>\n"
        for i in 0..<sample.count {
            let b = sample.box(i)
            xml += "  <object>\n    <name>\(labels[sample.labels[i] - 1])</name>\n    <difficult>\(sample.difficult[i] ? 1 : 0)</difficult>\n"
            xml += "    <bndbox><xmin>\(Self.text(b.x1 + 1))</xmin><ymin>\(Self.text(b.y1 + 1))</ymin>"
            xml += "<xmax>\(Self.text(b.x2))</xmax><ymax>\(Self.text(b.y2))</ymax></bndbox>\n  </object>\n"
        }
        return xml + "</annotation>\n"
    }

    /// Integers without a fraction, other values as Swift prints them.
    static func text(_ value: Float) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
