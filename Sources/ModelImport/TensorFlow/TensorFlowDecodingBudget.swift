/// How many constant elements the importer may decode from one graph file, fixed before anything is allocated.
///
/// A Const stored with `tensor_content` needs 4 bytes of file per float32 element, so an honest graph decodes about a
/// quarter of its size; but a Const listing one value broadcasts it to its whole shape, so 400 bytes could ask for
/// gigabytes. Each decode reserves its element count here first and fails when it exceeds what the file justifies.
/// A reference type because every reader of the parsed graph shares the one budget of the file.
final class TensorFlowDecodingBudget {
    /// Elements one constant may have: the larger of 4 Mi and a quarter of the file size.
    let perConstant: Int
    /// Elements all decodes together may have: the larger of 16 Mi and the file size.
    let total: Int
    /// Size of the file the limits derive from.
    let fileSize: Int
    private(set) var used = 0

    init(fileSize: Int) {
        self.fileSize = fileSize
        perConstant = max(1 << 22, fileSize / 4)
        total = max(1 << 24, fileSize)
    }

    /// Reserves `count` elements for the constant `node`; throws ``ModelImportError/invalidConstant(file:node:reason:)``
    /// when it is more than one constant or the whole file may decode.
    func reserve(_ count: Int, node: String, shape: [Int], file: String) throws {
        guard count <= perConstant else {
            throw ModelImportError.invalidConstant(
                file: file, node: node,
                reason: "has shape \(shape) (\(count) elements), more than the \(perConstant) a \(fileSize)-byte graph "
                    + "can justify; the file is corrupt or hostile")
        }
        let (sum, overflow) = used.addingReportingOverflow(count)
        guard !overflow, sum <= total else {
            throw ModelImportError.invalidConstant(
                file: file, node: node,
                reason: "would bring the decoded constants to more than \(total) elements, all a \(fileSize)-byte graph "
                    + "can justify; the file is corrupt or hostile")
        }
        used = sum
    }
}
