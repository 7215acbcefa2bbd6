#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory; the mapping lives exactly as long as this object.
///
/// - Important: Pointers obtained from ``bytes`` are valid only while the `MappedFile` is alive. Callers lend them out
///   only inside scoped closures.
///
/// `@unchecked Sendable`: the mapping is created once in `init`, is `PROT_READ` (no one writes through it) and is
/// unmapped only in `deinit`, when no other reference exists; all stored properties are immutable.
final class MappedFile: @unchecked Sendable {
    /// Path the file was opened from (for error messages).
    let path: String
    /// The mapped bytes; empty for an empty file.
    let bytes: UnsafeRawBufferPointer

    /// Maps the file at `path`; throws ``ModelStoreError/cannotOpen(file:reason:)`` when it cannot be opened or mapped.
    init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ModelStoreError.cannotOpen(file: path, reason: Self.errnoDescription())
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw ModelStoreError.cannotOpen(file: path, reason: Self.errnoDescription())
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw ModelStoreError.cannotOpen(file: path, reason: "not a regular file")
        }
        let size = Int(status.st_size)
        if size == 0 {
            // mmap rejects a zero length; an empty file is represented by an empty buffer.
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED else {
            throw ModelStoreError.cannotOpen(file: path, reason: "mmap failed: " + Self.errnoDescription())
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    /// Lets the kernel drop the resident pages inside `range` (byte offsets; rounded inwards to whole pages, so no page
    /// that also holds bytes outside the range is dropped). They are clean copies of the file and come back from it on
    /// the next read, e.g. once a tensor has been repacked, so they stop counting in the process's memory.
    func dropResidentPages(in range: Range<Int>) {
        guard let base = bytes.baseAddress, !range.isEmpty else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: base) + range.lowerBound + page - 1) / page * page
        let end = (Int(bitPattern: base) + range.upperBound) / page * page
        if start < end { madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_DONTNEED) }
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }

    private static func errnoDescription() -> String {
        String(cString: strerror(errno))
    }
}
