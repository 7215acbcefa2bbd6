/// How many bytes reading one checkpoint may materialise (extracted archive entries and contiguous tensor values),
/// fixed from the archive's size before anything is extracted.
///
/// `torch.save` stores entries uncompressed and each tensor once, so an honest checkpoint needs about twice its size;
/// the limit, 4 × the archive size + 16 MiB, leaves room for compressed archives and shared storages while a 1 MB zip
/// bomb or a pickle whose tensors all view one storage fails after at most a few tens of megabytes. A reference type
/// because the archive and the tensor reader share it.
final class TorchReadBudget {
    let file: String
    let archiveSize: Int
    let limit: Int
    private(set) var used = 0

    /// The budget of an archive of `archiveSize` bytes; `limit` replaces the computed one (tests only: a fixture whose
    /// tensors view small storages, see ``TorchCheckpoint/init(contentsOf:readLimit:)``).
    init(file: String, archiveSize: Int, limit: Int? = nil) {
        self.file = file
        self.archiveSize = archiveSize
        let (scaled, overflow) = archiveSize.multipliedReportingOverflow(by: 4)
        self.limit = limit ?? (overflow ? Int.max : scaled.addingReportingOverflow(16 << 20).overflow ? Int.max : scaled + (16 << 20))
    }

    /// Charges `bytes` for `item`; throws ``TorchCheckpointError/tooLarge(file:item:bytes:limit:archiveSize:)`` when
    /// the total would pass the limit.
    func reserve(_ bytes: Int, item: String) throws(TorchCheckpointError) {
        let (total, overflow) = used.addingReportingOverflow(bytes)
        guard bytes >= 0, !overflow, total <= limit else {
            throw TorchCheckpointError.tooLarge(file: file, item: item, bytes: bytes, limit: limit, archiveSize: archiveSize)
        }
        used = total
    }
}
