import Foundation
import SwiftProtobuf

/// Reads a Caffe net from disk: a deploy prototxt (protobuf text format) or a caffemodel (binary NetParameter),
/// after checking that the path is a regular file within the size limit.
enum CaffeNetFile {
    /// The prototxt at `url`, decoded as text. Fields outside ssdd's caffe.proto subset (learning rates, fillers, ...)
    /// are skipped; every field that changes a supported layer's numbers is in the subset and checked later.
    static func prototxt(at url: URL, limits: CaffeReadLimits) throws -> Caffe_NetParameter {
        let data = try read(url, maximumBytes: limits.maximumPrototxtBytes, what: "prototxt")
        guard let text = String(data: data, encoding: .utf8) else {
            throw ModelImportError.notACaffeNet(file: url.path, reason: "the prototxt is not UTF-8 text")
        }
        return try prototxt(text: text, file: url.path, limits: limits)
    }

    /// Decodes prototxt `text`; `file` names it in errors.
    static func prototxt(text: String, file: String, limits: CaffeReadLimits) throws -> Caffe_NetParameter {
        var options = TextFormatDecodingOptions()
        options.ignoreUnknownFields = true
        options.messageDepthLimit = limits.maximumMessageDepth
        let net: Caffe_NetParameter
        do {
            net = try Caffe_NetParameter(textFormatString: text, options: options)
        } catch {
            throw ModelImportError.notACaffeNet(
                file: file, reason: "the prototxt does not parse as a Caffe NetParameter in protobuf text format (\(error))")
        }
        try checkLayerCount(net, file: file, limits: limits)
        return net
    }

    /// The caffemodel at `url`, decoded as binary; returns it with the file's bytes (for the manifest's digest).
    static func caffemodel(at url: URL, limits: CaffeReadLimits) throws -> (net: Caffe_NetParameter, data: Data) {
        let data = try read(url, maximumBytes: limits.maximumCaffemodelBytes, what: "caffemodel")
        return (try caffemodel(serialized: data, file: url.path, limits: limits), data)
    }

    /// Decodes caffemodel bytes; `file` names them in errors.
    static func caffemodel(serialized data: Data, file: String, limits: CaffeReadLimits) throws -> Caffe_NetParameter {
        var options = BinaryDecodingOptions()
        options.messageDepthLimit = limits.maximumMessageDepth
        let net: Caffe_NetParameter
        do {
            net = try Caffe_NetParameter(serializedBytes: data, options: options)
        } catch BinaryDecodingError.truncated {
            throw ModelImportError.notACaffeNet(
                file: file, reason: "the caffemodel is truncated (it ends inside a field); download or copy it again")
        } catch {
            throw ModelImportError.notACaffeNet(
                file: file, reason: "the caffemodel does not decode as a binary Caffe NetParameter (\(error))")
        }
        try checkLayerCount(net, file: file, limits: limits)
        return net
    }

    private static func checkLayerCount(_ net: Caffe_NetParameter, file: String, limits: CaffeReadLimits) throws {
        let count = net.layer.count + net.layers.count
        guard count <= limits.maximumLayers else {
            throw ModelImportError.notACaffeNet(
                file: file, reason: "it has \(count) layers, more than the \(limits.maximumLayers) accepted")
        }
    }

    private static func read(_ url: URL, maximumBytes: Int, what: String) throws -> Data {
        let size: Int
        do {
            size = try SourceFileCheck.regularFileSize(at: url.path)
        } catch {
            throw ModelImportError.cannotRead(file: url.path, reason: error.reason)
        }
        guard size <= maximumBytes else {
            throw ModelImportError.notACaffeNet(
                file: url.path, reason: "the \(what) is \(size) bytes, more than the \(maximumBytes) accepted")
        }
        do {
            return try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw ModelImportError.cannotRead(file: url.path, reason: error.localizedDescription)
        }
    }
}
