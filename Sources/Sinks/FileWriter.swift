import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The blocking half of `JSONLinesFileSink`: owns the file descriptor, the retry buffer and rotation.
///
/// - Important: every method blocks on file I/O. Call them only on the sink's I/O thread, never from an
///   async context on the cooperative pool.
struct FileWriter: ~Copyable {
    let configuration: FileSinkConfiguration
    let logger: Logger
    private var fd: CInt?
    /// Size of the live file as far as we know (re-read with fstat before every batch).
    private var fileSize = 0
    /// When the live file was opened, for time rotation.
    private var openedAt: ContinuousClock.Instant?
    /// Lines not yet written, oldest first; `pending[pendingStart...]` are live.
    private var pending: [[UInt8]] = []
    private var pendingStart = 0
    private var closed = false
    /// A line the file holds only the start of (a short write whose rollback failed): which file, how many bytes.
    private var partialLine: PartialLine?
    /// Counters, copied out after every operation.
    private(set) var statistics = FileSinkStatistics()

    init(configuration: FileSinkConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    deinit {
        if let fd { SystemError.closeDescriptor(fd) }
    }

    /// Queues `lines` and writes as many queued lines as possible, in order.
    mutating func append(_ lines: [[UInt8]], now: ContinuousClock.Instant) {
        guard !closed else {
            statistics.linesDropped += lines.count
            logger.error("line written after close was dropped", metadata: ["path": "\(configuration.path)"])
            return
        }
        pending.append(contentsOf: lines)
        drain(now: now)
        let overflow = pending.count - pendingStart - configuration.retryBufferLines
        if overflow > 0 {
            pendingStart += overflow
            statistics.linesDropped += overflow
            logger.error(
                "retry buffer full, dropped oldest lines",
                metadata: ["path": "\(configuration.path)", "dropped": "\(overflow)", "totalDropped": "\(statistics.linesDropped)"])
        }
        compact()
    }

    /// Opens the file now instead of on the first write, so a path that cannot be written is reported at start-up.
    mutating func open(now: ContinuousClock.Instant) throws(SinksError) {
        try prepareFile(now: now)
    }

    /// Writes whatever is queued (the retry timer calls this).
    mutating func retry(now: ContinuousClock.Instant) {
        guard !closed else { return }
        drain(now: now)
        compact()
    }

    /// Writes what is queued, then fsyncs the live file.
    mutating func flush(now: ContinuousClock.Instant) {
        retry(now: now)
        guard let fd else { return }
        do {
            try SystemError.retryingInterrupts("fsync", path: configuration.path) { fsync(fd) }
        } catch {
            fail(error)
        }
    }

    /// Closes the live file so the next write opens `path` afresh (after logrotate renamed it), then writes
    /// what is queued.
    mutating func reopen(now: ContinuousClock.Instant) {
        closeFile(sync: true)
        logger.info("reopening output file", metadata: ["path": "\(configuration.path)"])
        retry(now: now)
    }

    /// Flushes, closes the file, and drops (counting) lines that still could not be written.
    mutating func close(now: ContinuousClock.Instant) {
        guard !closed else { return }
        flush(now: now)
        closeFile(sync: false)
        let left = pending.count - pendingStart
        if left > 0 {
            statistics.linesDropped += left
            logger.error("closing with unwritten lines; they are lost", metadata: ["path": "\(configuration.path)", "dropped": "\(left)"])
        }
        pending = []
        pendingStart = 0
        closed = true
        statistics.pendingLines = 0
    }

    // MARK: - Writing

    /// Writes queued lines until one fails; each line with a single write(2).
    private mutating func drain(now: ContinuousClock.Instant) {
        guard pendingStart < pending.count else { return }
        do {
            try prepareFile(now: now)
            while pendingStart < pending.count {
                let line = pending[pendingStart]
                try rotateIfNeeded(adding: line.count, now: now)
                try writeLine(line)
                pendingStart += 1
                statistics.linesWritten += 1
                statistics.bytesWritten += line.count
                fileSize += line.count
            }
            if statistics.isFailing {
                statistics.isFailing = false
                logger.notice("output file writable again", metadata: ["path": "\(configuration.path)"])
            }
        } catch {
            fail(error)
        }
    }

    /// Opens the file if needed; reopens it when it was deleted under us (link count 0), and refreshes the size.
    private mutating func prepareFile(now: ContinuousClock.Instant) throws(SinksError) {
        if let fd {
            let status = try SystemError.fileStatus(fd, path: configuration.path)
            if status.st_nlink == 0 {
                logger.warning("output file was deleted; creating it again", metadata: ["path": "\(configuration.path)"])
                closeFile(sync: false)
            } else {
                fileSize = Int(status.st_size)
                return
            }
        }
        let newFD = try OutputFile.open(configuration)
        fd = newFD
        openedAt = now
        do {
            let status = try SystemError.fileStatus(newFD, path: configuration.path)
            fileSize = Int(status.st_size)
            let identity = SocketFile.Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
            if identity != partialLine?.file { partialLine = nil }
        } catch {
            closeFile(sync: false)
            throw error
        }
    }

    /// Writes the whole line (``DescriptorWrite``'s loop; one write(2) unless the disk fills mid-line). A line left
    /// incomplete (disk full mid-line) is rolled back with ftruncate so the file never keeps half a line, and reported
    /// as a failure. If the rollback fails too, the part already in the file is remembered and the next attempt writes
    /// only the rest, so the line is completed, never repeated.
    private mutating func writeLine(_ line: [UInt8]) throws(SinksError) {
        guard let fd else { throw .systemCall("write", path: configuration.path, errno: EBADF) }
        let path = configuration.path
        let start = min(partialLine?.bytesWritten ?? 0, line.count)
        let outcome = line.withUnsafeBytes { DescriptorWrite.all(UnsafeRawBufferPointer(rebasing: $0[start...]), to: fd) }
        if outcome.written == 0 && !outcome.isComplete { throw .systemCall("write", path: path, errno: outcome.errno) }
        let written = outcome.written
        guard !outcome.isComplete else {
            partialLine = nil
            return
        }
        let status = try SystemError.fileStatus(fd, path: path)
        let identity = SocketFile.Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        if start == 0, ftruncate(fd, status.st_size - off_t(written)) == 0 {
            partialLine = nil
        } else {
            // The file keeps `start + written` bytes of this line: finish it on the next attempt.
            partialLine = PartialLine(file: identity, bytesWritten: start + written)
            logger.warning(
                "cannot remove a partly written line; its rest will be appended when the file is writable",
                metadata: ["path": "\(path)", "bytes": "\(start + written)"])
        }
        throw .systemCall("write", path: configuration.path, errno: outcome.errno)
    }

    private mutating func fail(_ error: SinksError) {
        statistics.failures += 1
        // An fd that failed may point at a dead file (removed directory, remounted filesystem): reopen next time.
        closeFile(sync: false)
        if !statistics.isFailing {
            statistics.isFailing = true
            logger.error(
                "cannot write output file; keeping lines for retry",
                metadata: ["path": "\(configuration.path)", "error": "\(error)", "pending": "\(pending.count - pendingStart)"])
        } else {
            logger.debug("output file still failing", metadata: ["path": "\(configuration.path)", "error": "\(error)"])
        }
    }

    private mutating func closeFile(sync: Bool) {
        guard let fd else { return }
        if sync { _ = fsync(fd) }
        SystemError.closeDescriptor(fd)
        self.fd = nil
        openedAt = nil
    }

    private mutating func compact() {
        if pendingStart == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
        } else if pendingStart > 1024 && pendingStart * 2 > pending.count {
            pending.removeFirst(pendingStart)
            pendingStart = 0
        }
        statistics.pendingLines = pending.count - pendingStart
    }

    // MARK: - Rotation

    private mutating func rotateIfNeeded(adding count: Int, now: ContinuousClock.Instant) throws(SinksError) {
        guard fileSize > 0 else { return }
        let bySize = configuration.maxFileBytes.map { fileSize + count > $0 } ?? false
        var byTime = false
        if let interval = configuration.rotationInterval, let openedAt { byTime = now - openedAt >= interval }
        guard bySize || byTime else { return }
        try rotate()
        try prepareFile(now: now)
    }

    /// fsync and close the live file, shift `path.i` to `path.(i+1)`, rename the live file to `path.1`.
    private mutating func rotate() throws(SinksError) {
        let path = configuration.path
        if let fd { try SystemError.retryingInterrupts("fsync", path: path) { fsync(fd) } }
        closeFile(sync: false)
        for index in stride(from: configuration.keepRotatedFiles - 1, through: 1, by: -1) {
            let from = "\(path).\(index)"
            if rename(from, "\(path).\(index + 1)") != 0 && errno != ENOENT {
                throw .systemCall("rename", path: from, errno: errno)
            }
        }
        try SystemError.retryingInterrupts("rename", path: path) { rename(path, "\(path).1") }
        try SystemError.syncDirectory(of: path)
        statistics.rotations += 1
        logger.info("rotated output file", metadata: ["path": "\(path)", "rotations": "\(statistics.rotations)"])
    }
}

/// The start of a line left in a file by a short write that could not be rolled back.
private struct PartialLine {
    let file: SocketFile.Identity
    let bytesWritten: Int
}
