import Foundation

/// Which of the files given to `ssdd model import` is a Caffe deploy prototxt and which its caffemodel: by extension
/// (`.prototxt`, `.pbtxt` / `.caffemodel`), else by content (a prototxt is text; a caffemodel is binary protobuf).
public enum CaffeSourceFiles {
    /// The (prototxt, caffemodel) pair among `files` (one or two paths) and `weights` (the `--weights` path, if any),
    /// or nil when they are not a Caffe pair (e.g. a single `.pb` or `.pth`).
    public static func pair(files: [URL], weights: URL?) throws -> (prototxt: URL, weights: URL)? {
        let all = files + (weights.map { [$0] } ?? [])
        guard all.count == 2 else {
            if all.count > 2 {
                throw ModelImportError.notACaffeNet(
                    file: all[0].path, reason: "\(all.count) files were given; a Caffe model is one prototxt and one caffemodel")
            }
            return nil
        }
        let kinds = all.map(kind(of:))
        switch (kinds[0], kinds[1]) {
        case (.prototxt, .caffemodel): return (all[0], all[1])
        case (.caffemodel, .prototxt): return (all[1], all[0])
        default:
            throw ModelImportError.notACaffeNet(
                file: all[0].path,
                reason: "expected one deploy prototxt (text) and one caffemodel (binary), got \(all.map(\.lastPathComponent))")
        }
    }

    enum Kind { case prototxt, caffemodel }

    /// The kind of `url` by extension, else by its first bytes (text → prototxt).
    static func kind(of url: URL) -> Kind {
        switch url.pathExtension.lowercased() {
        case "prototxt", "pbtxt": return .prototxt
        case "caffemodel": return .caffemodel
        default: break
        }
        guard let handle = try? FileHandle(forReadingFrom: url), (try? SourceFileCheck.regularFileSize(at: url.path)) != nil
        else { return .caffemodel }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 512)) ?? Data()
        let isText = !head.isEmpty && head.allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || (32..<127).contains($0) || $0 >= 128 }
        return isText ? .prototxt : .caffemodel
    }
}
