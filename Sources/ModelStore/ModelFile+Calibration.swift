import Foundation
import NeuralNet

extension ModelFile {
    /// Writes this model to `url` with `calibration` in its manifest (replacing any it had): the same graph and
    /// tensors, so the result is the fp32 model plus the ranges INT8 needs.
    ///
    /// - Throws: ``ModelStoreError/invalidCalibration(file:key:reason:)`` for a value that ``ModelCalibration/validate(graph:file:)``
    ///   rejects, or an error writing the file.
    public func write(calibration: ModelCalibration, to url: URL) throws {
        try calibration.validate(graph: graph, file: url.path)
        var manifest = self.manifest
        manifest.calibration = calibration
        let parameters = try parameterNames.map { name in
            try withParameter(named: name) { view in (name: name, shape: view.shape, values: Array(view.values)) }
        }
        try ModelFile.write(to: url, graph: graph, manifest: manifest, parameters: parameters)
    }
}
